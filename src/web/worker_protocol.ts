// The messages between the page (src/web/page.ts, through src/web/engine_client.ts) and the Web
// Worker that owns the GPU device (src/web/worker.ts). One request id per job; the worker answers
// each request with exactly one final message ("model", "detected", "trained", "exported",
// "memory" or "error") and any number of "progress"/"train-step" messages before it. Bytes travel
// as transferred ArrayBuffers, never copied twice.

import type { MemoryStats } from "../core/memory.ts";
import type { StoredThresholds } from "../eval/stored_thresholds.ts";

/** What the page shows about the adapter the worker opened. */
export interface AdapterSummary {
  description: string;
  vendor: string;
  architecture: string;
  isFallbackAdapter: boolean;
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

/** What the page shows about an opened model. */
export interface ModelSummary {
  fileName: string;
  modelName: string;
  preset: string;
  /** Slice shape the model takes [C, H, W]. */
  inputShape: number[];
  parameters: number;
  thresholds: StoredThresholds | null;
  /** True when the model scores NIfTI scans (detect needs it). */
  nifti: boolean;
}

/** Healthy scans and settings for the training tab. */
export interface TrainRequest {
  scans: { fileName: string; bytes: Uint8Array }[];
  /** Steps to run (0: the preset's epochs over the dropped scans). */
  steps: number;
  /** Fine-tune the opened model instead of starting from the demo preset's initialisation. */
  fineTune: boolean;
  seed: number;
}

export type ToWorker =
  | { kind: "hello"; id: number }
  | { kind: "open-model"; id: number; bytes: Uint8Array; fileName: string }
  | {
    kind: "detect";
    id: number;
    scanBytes: Uint8Array;
    fileName: string;
    threshold?: number;
  }
  | { kind: "cancel"; id: number }
  | { kind: "memory"; id: number }
  | { kind: "train"; id: number; request: TrainRequest }
  | { kind: "export"; id: number; fileName: string };

export type FromWorker =
  | { kind: "ready"; id: number; adapter: AdapterSummary }
  | { kind: "model"; id: number; model: ModelSummary; memory: MemoryStats }
  | { kind: "progress"; id: number; done: number; total: number; stage: string }
  | {
    kind: "detected";
    id: number;
    /** NAME_anomaly.nii.gz; null when the scan was not scored. */
    anomaly: Uint8Array | null;
    /** NAME_mask.nii.gz; null without a pixel threshold or when not scored. */
    mask: Uint8Array | null;
    /** The text of NAME.json. */
    json: string;
    /** The file names the CLI writes them under (NAME_anomaly.nii.gz, NAME_mask.nii.gz, NAME.json). */
    names: { anomaly: string; mask: string; json: string };
    memory: MemoryStats;
  }
  | {
    kind: "train-step";
    id: number;
    step: number;
    total: number;
    loss: number;
    terms: Record<string, number>;
    /** A reconstruction of the first training slice beside its input, as a PNG (every few steps). */
    samplePng?: Uint8Array;
  }
  | { kind: "trained"; id: number; steps: number; losses: number[]; memory: MemoryStats }
  | { kind: "exported"; id: number; bytes: Uint8Array; fileName: string }
  | { kind: "memory"; id: number; memory: MemoryStats }
  | {
    kind: "error";
    id: number;
    /** One line naming the file and the problem. */
    message: string;
    /** "no-webgpu": WebGPU missing or the adapter too small; "cancelled": the user stopped it. */
    reason?: "no-webgpu" | "cancelled" | "input";
  };
