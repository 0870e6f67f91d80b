// One checkpoint file: `checkpoints/<name>.safetensors` holding the model's state dict under
// `model.`, the discriminator's under `disc.`, optimiser state under `optim.<group>.<param>.<slot>`,
// and the run state (step, epoch, RNG and sampler state, data hash, version) as JSON in the
// safetensors metadata key `neurad` — so one atomic rename makes the whole checkpoint appear.
// A `<name>.json` copy of that metadata is written beside it for people (never read back).

import { parseSafetensors, serializeSafetensors } from "../io/safetensors.ts";
import type { HostTensor } from "../io/safetensors.ts";
import { Tensor } from "../core/tensor.ts";
import { UserError } from "../core/errors.ts";
import { writeFileAtomic, writeTextFileAtomic } from "../util/atomic_write.ts";

/** What a checkpoint says about the run it came from. */
export interface CheckpointMeta {
  format: "neurad-checkpoint-1";
  model: string;
  discriminator?: string;
  step: number;
  epoch: number;
  /** Batches already consumed in `epoch` (the sampler resumes after them). */
  batchInEpoch: number;
  /** Host PRNG state(s) by name, enough to replay sampling exactly. */
  rng: Record<string, number[]>;
  dataHash: string;
  neuradVersion: string;
  valLoss?: number;
  bestValLoss?: number;
  /** Free-form extras (optimiser metadata by group, the lr schedule's step). */
  extra?: Record<string, unknown>;
}

export interface CheckpointContents {
  meta: CheckpointMeta;
  tensors: Map<string, HostTensor>;
}

/** Downloads many tensors in one GPU round trip (a checkpoint holds hundreds). */
export async function toHostMany(ts: readonly Tensor[]): Promise<HostTensor[]> {
  const data = await Tensor.toArrays(ts);
  return ts.map((t, i) => ({
    dtype: t.dtype === "f32" ? "F32" : t.dtype === "i32" ? "I32" : "U32",
    shape: [...t.shape],
    data: data[i] as HostTensor["data"],
  }));
}

/** Uploads one stored tensor. */
export function fromHost(h: HostTensor, source: string, key: string): Tensor {
  if (h.dtype !== "F32" && h.dtype !== "I32" && h.dtype !== "U32") {
    throw new UserError(`${source}: tensor '${key}' has dtype ${h.dtype}, expected F32/I32/U32`);
  }
  return Tensor.from(h.data as Float32Array | Int32Array | Uint32Array, h.shape);
}

/** Writes `<base>.safetensors` (atomically) and its `<base>.json` copy of the metadata. */
export async function writeCheckpoint(
  base: string,
  tensors: Map<string, HostTensor>,
  meta: CheckpointMeta,
): Promise<void> {
  const json = JSON.stringify(meta);
  await writeFileAtomic(`${base}.safetensors`, serializeSafetensors(tensors, { neurad: json }));
  await writeTextFileAtomic(`${base}.json`, JSON.stringify(meta, null, 2) + "\n");
}

/** Reads and checks a checkpoint; every problem is one UserError line naming the file. */
export async function readCheckpoint(path: string): Promise<CheckpointContents> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new UserError(`${path}: no such checkpoint`);
    throw new UserError(`${path}: cannot read (${(e as Error).message})`);
  }
  let parsed: ReturnType<typeof parseSafetensors>;
  try {
    parsed = parseSafetensors(bytes, path);
  } catch (e) {
    const msg = (e as Error).message.split("\n")[0];
    throw new UserError(
      `${msg.startsWith(path) ? msg : `${path}: ${msg}`} (corrupt or truncated checkpoint)`,
    );
  }
  const raw = parsed.metadata?.neurad;
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(raw ?? "");
  } catch {
    throw new UserError(`${path}: not a neurad checkpoint (no 'neurad' metadata)`);
  }
  if (meta?.format !== "neurad-checkpoint-1" || typeof meta.model !== "string") {
    throw new UserError(`${path}: not a neurad checkpoint (unknown format)`);
  }
  return { meta, tensors: parsed.tensors };
}

/** The tensors under `prefix` (prefix removed), uploaded to the GPU. Caller disposes. */
export function stateUnder(
  c: CheckpointContents,
  prefix: string,
  source: string,
): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [k, h] of c.tensors) {
    if (k.startsWith(prefix)) out.set(k.slice(prefix.length), fromHost(h, source, k));
  }
  return out;
}

/** Adds `m`'s state dict to `out` under `prefix` (one readback per tensor, at save time only). */
export async function addModuleState(
  out: Map<string, HostTensor>,
  m: { stateDict(): Map<string, Tensor> },
  prefix: string,
): Promise<void> {
  const entries = [...m.stateDict()];
  const host = await toHostMany(entries.map(([, t]) => t));
  entries.forEach(([k], i) => out.set(prefix + k, host[i]));
}
