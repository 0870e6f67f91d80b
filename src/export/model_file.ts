/**
 * The `.neurad` model file: one versioned file holding everything `neurad detect` (CLI or
 * browser page) needs to score a scan as the run's `eval` did: the weights, the run's config
 * (model, preprocessing in data.preprocess, slice shape), the thresholds and post-processing
 * that eval stored (RUN/thresholds.json) and which checkpoint (best or last) they fit.
 *
 * Layout (all integers little-endian):
 *
 *   offset  size  field
 *   0       8     magic: 0x89 "NEURAD" 0x0A (the 0x89 and the newline catch 7-bit and
 *                 line-ending mangling, as PNG's signature does)
 *   8       4     u32 format version (MODEL_FILE_VERSION)
 *   12      4     u32 M: manifest length in bytes
 *   16      8     u64 W: weights length in bytes
 *   24      M     manifest: UTF-8 JSON {format: "neurad-model", config, thresholds,
 *                 checkpoint, meta}
 *   24+M    W     weights: a safetensors file (the model's state dict under "model.")
 *   24+M+W  32    SHA-256 of every byte before it
 *
 * Decoding checks, in order, and says what failed in one line naming the file: the magic, the
 * version (newer than this reader: refused), the length (truncated or trailing bytes), the
 * checksum, then the manifest's fields. Whether the config builds a model and the weights fit it
 * is checked by openModelBytes (open_model.ts), which needs the GPU. No file system here:
 * encode and decode run in a browser Worker as well as in the CLI.
 * @module
 */

import { UserError } from "../core/errors.ts";
import type { StoredThresholds } from "../eval/stored_thresholds.ts";
import type { RunConfig } from "../train/run_config.ts";
import { sha256 } from "../io/sha256_sync.ts";

/** The format version this neurad writes and the newest it reads. */
export const MODEL_FILE_VERSION = 1;
/** The file's first 8 bytes. */
export const MODEL_FILE_MAGIC: Uint8Array = new Uint8Array([
  0x89,
  0x4e, // N
  0x45, // E
  0x55, // U
  0x52, // R
  0x41, // A
  0x44, // D
  0x0a,
]);
const HEADER_BYTES = 24;
const CHECKSUM_BYTES = 32;

/** Where the weights came from (for people and for detect's report; never needed to load). */
export interface ModelFileMeta {
  /** The neurad version that wrote the file. */
  neuradVersion: string;
  /** ISO time of the export. */
  exportedAt: string;
  /** The run directory's name. */
  run: string;
  /** The checkpoint's optimiser step and epoch. */
  step: number;
  epoch: number;
}

/** What a `.neurad` file holds. */
export interface ModelFileParts {
  /** Format version (MODEL_FILE_VERSION when encoding). */
  version: number;
  config: RunConfig;
  /** A safetensors file: the model's state dict under "model.". */
  weights: Uint8Array;
  /** RUN/thresholds.json as eval stored it, or null when the run was never evaluated. */
  thresholds: StoredThresholds | null;
  /** The checkpoint the weights are ("best" or "last"). */
  checkpoint: "best" | "last";
  meta: ModelFileMeta;
}

/** Encodes a model file (the version written is always MODEL_FILE_VERSION). */
export function encodeModelFile(parts: ModelFileParts): Uint8Array {
  const manifest = new TextEncoder().encode(JSON.stringify({
    format: "neurad-model",
    config: parts.config,
    thresholds: parts.thresholds,
    checkpoint: parts.checkpoint,
    meta: parts.meta,
  }));
  const W = parts.weights.length, M = manifest.length;
  const out = new Uint8Array(HEADER_BYTES + M + W + CHECKSUM_BYTES);
  const dv = new DataView(out.buffer);
  out.set(MODEL_FILE_MAGIC, 0);
  dv.setUint32(8, MODEL_FILE_VERSION, true);
  dv.setUint32(12, M, true);
  dv.setBigUint64(16, BigInt(W), true);
  out.set(manifest, HEADER_BYTES);
  out.set(parts.weights, HEADER_BYTES + M);
  const body = HEADER_BYTES + M + W;
  out.set(sha256(out.subarray(0, body)), body);
  return out;
}

/** Decodes and checks a model file; every problem is one UserError line naming `fileName`. */
export function decodeModelFile(bytes: Uint8Array, fileName: string): ModelFileParts {
  const bad = (what: string): never => {
    throw new UserError(`${fileName}: ${what}`);
  };
  if (
    bytes.length < MODEL_FILE_MAGIC.length || MODEL_FILE_MAGIC.some((b, i) => bytes[i] !== b)
  ) {
    bad("not a neurad model file (export one with 'neurad export --run RUN --out NAME.neurad')");
  }
  if (bytes.length < HEADER_BYTES) bad("truncated model file (header incomplete)");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version === 0) bad("not a neurad model file (format version 0)");
  if (version > MODEL_FILE_VERSION) {
    bad(
      `model file format version ${version}, this neurad reads up to ${MODEL_FILE_VERSION} ` +
        "(update neurad)",
    );
  }
  const M = dv.getUint32(12, true);
  const W = Number(dv.getBigUint64(16, true));
  const body = HEADER_BYTES + M + W, total = body + CHECKSUM_BYTES;
  if (bytes.length < total) {
    bad(`truncated model file (${bytes.length} of ${total} bytes)`);
  }
  if (bytes.length > total) {
    bad(`corrupt model file (${bytes.length - total} bytes after the checksum)`);
  }
  const sum = sha256(bytes.subarray(0, body));
  if (sum.some((b, i) => bytes[body + i] !== b)) {
    bad("checksum mismatch: the model file is corrupt (download or copy it again)");
  }
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + M)));
  } catch {
    return bad("corrupt model file (manifest is not valid JSON)");
  }
  if (!manifest || typeof manifest !== "object" || manifest.format !== "neurad-model") {
    bad("corrupt model file (manifest is not a neurad model manifest)");
  }
  const config = manifest.config as RunConfig;
  if (
    !config || typeof config !== "object" || typeof config.model?.name !== "string" ||
    typeof config.model.options !== "object" || !Array.isArray(config.data?.sliceShape)
  ) {
    bad("corrupt model file (no run config: model or data.sliceShape missing)");
  }
  const checkpoint = manifest.checkpoint;
  if (checkpoint !== "best" && checkpoint !== "last") {
    bad(`corrupt model file (checkpoint '${String(checkpoint)}', expected best or last)`);
  }
  const thresholds = (manifest.thresholds ?? null) as StoredThresholds | null;
  if (
    thresholds !== null &&
    (typeof thresholds !== "object" || typeof thresholds.threshold !== "number")
  ) {
    bad("corrupt model file (thresholds without a pixel threshold)");
  }
  const meta = (manifest.meta ?? {}) as ModelFileMeta;
  return {
    version,
    config,
    weights: bytes.slice(HEADER_BYTES + M, body),
    thresholds,
    checkpoint: checkpoint as "best" | "last",
    meta,
  };
}
