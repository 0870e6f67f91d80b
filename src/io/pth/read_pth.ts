// Reads PyTorch `.pth` / `.pt` / `.ckpt` files (torch.save's zip format, PyTorch ≥ 1.6) without
// Python and without running anything: the zip archive (fflate), then the restricted unpickler
// (unpickle.ts) with torch.load(weights_only=True)'s allowlist, rebuilding each tensor from its
// storage record (dtype, offset, size, stride; storages shared between tensors are read once).
// Floating tensors come back as F32 (f64/f16/bf16 converted), integer and bool tensors as I32.
// The tensors of a nested state dict (Lightning's `state_dict`, a `model.` prefix) are selected by
// `key` and `prefix`, and flattened to dotted names.

import { unzipSync } from "fflate";
import { UserError } from "../../core/errors.ts";
import type { HostTensor } from "../safetensors.ts";
import { PickleGlobal, unpickle } from "./unpickle.ts";

const STORAGES: Record<string, { bytes: number; read: (dv: DataView, i: number) => number }> = {
  FloatStorage: { bytes: 4, read: (d, i) => d.getFloat32(i * 4, true) },
  DoubleStorage: { bytes: 8, read: (d, i) => d.getFloat64(i * 8, true) },
  HalfStorage: { bytes: 2, read: (d, i) => f16(d.getUint16(i * 2, true)) },
  BFloat16Storage: {
    bytes: 2,
    read: (d, i) => new Float32Array(new Uint32Array([d.getUint16(i * 2, true) << 16]).buffer)[0],
  },
  LongStorage: { bytes: 8, read: (d, i) => Number(d.getBigInt64(i * 8, true)) },
  IntStorage: { bytes: 4, read: (d, i) => d.getInt32(i * 4, true) },
  ShortStorage: { bytes: 2, read: (d, i) => d.getInt16(i * 2, true) },
  CharStorage: { bytes: 1, read: (d, i) => d.getInt8(i) },
  ByteStorage: { bytes: 1, read: (d, i) => d.getUint8(i) },
  BoolStorage: { bytes: 1, read: (d, i) => d.getUint8(i) },
};
const FLOAT = new Set(["FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage"]);

/** The globals torch.load(weights_only=True) would accept for plain tensors and dicts. */
const ALLOWED = new Set([
  "collections.OrderedDict",
  "torch._utils._rebuild_tensor_v2",
  "torch._utils._rebuild_parameter",
  "torch._utils._rebuild_parameter_with_state",
  ...Object.keys(STORAGES).map((s) => `torch.${s}`),
]);

function f16(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

interface StorageRef {
  type: string;
  key: string;
  numel: number;
}

export interface ReadPthOptions {
  /** Dotted path of the nested dict holding the tensors (default: `state_dict` when the top level
   * has one — Lightning checkpoints — else the top level). */
  key?: string;
  /** Keep only names starting with this prefix, and strip it (e.g. "model."). */
  prefix?: string;
}

/** Parses torch.save bytes into the raw pickled value, tensors as HostTensor. */
export function parsePth(bytes: Uint8Array, source: string): unknown {
  if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    if (bytes[0] === 0x80) {
      throw new UserError(
        `${source}: legacy (pre-1.6, non-zip) torch.save format is not read; re-save it with ` +
          "a current PyTorch: torch.save(torch.load(f), f)",
      );
    }
    throw new UserError(`${source}: not a PyTorch checkpoint (no zip archive)`);
  }
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new UserError(`${source}: corrupt zip archive (${(e as Error).message})`);
  }
  const pkl = Object.keys(files).find((n) => /^[^/]+\/data\.pkl$/.test(n) || n === "data.pkl");
  if (!pkl) throw new UserError(`${source}: no data.pkl in the archive (not a torch.save file)`);
  const root = pkl.slice(0, pkl.length - "data.pkl".length);
  const order = files[`${root}byteorder`];
  if (order && new TextDecoder().decode(order).trim() !== "little") {
    throw new UserError(`${source}: big-endian checkpoints are not supported`);
  }
  const storages = new Map<string, DataView>();
  const storage = (ref: StorageRef): DataView => {
    let dv = storages.get(ref.key);
    if (!dv) {
      const data = files[`${root}data/${ref.key}`];
      if (!data) throw new UserError(`${source}: storage ${ref.key} is missing from the archive`);
      if (data.length < ref.numel * STORAGES[ref.type].bytes) {
        throw new UserError(`${source}: storage ${ref.key} is truncated`);
      }
      dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
      storages.set(ref.key, dv);
    }
    return dv;
  };
  return unpickle(files[pkl], {
    source,
    allowed: ALLOWED,
    persistentLoad(pid) {
      const t = pid as unknown[];
      if (
        !Array.isArray(t) || t[0] !== "storage" || !(t[1] instanceof PickleGlobal) ||
        !(t[1].name in STORAGES)
      ) {
        throw new UserError(`${source}: unsupported persistent record in the pickle`);
      }
      return { type: t[1].name, key: String(t[2]), numel: Number(t[4]) } satisfies StorageRef;
    },
    reduce(fn, args) {
      switch (fn.qualified) {
        case "collections.OrderedDict": {
          const m = new Map();
          for (const kv of (args[0] as unknown[][] | undefined) ?? []) m.set(kv[0], kv[1]);
          return m;
        }
        case "torch._utils._rebuild_tensor_v2":
          return rebuildTensor(args, storage, source);
        case "torch._utils._rebuild_parameter":
        case "torch._utils._rebuild_parameter_with_state":
          return args[0];
        default:
          throw new UserError(`${source}: refusing to call '${fn.qualified}'`);
      }
    },
  });
}

function rebuildTensor(
  args: unknown[],
  storage: (ref: StorageRef) => DataView,
  source: string,
): HostTensor {
  const [ref, offset, size, stride] = args as [StorageRef, number, number[], number[]];
  if (!ref || typeof ref.type !== "string") {
    throw new UserError(`${source}: malformed tensor record`);
  }
  const dv = storage(ref);
  const { read } = STORAGES[ref.type];
  const shape = [...size].map(Number);
  const n = shape.reduce((a, d) => a * d, 1);
  const isFloat = FLOAT.has(ref.type);
  const data = isFloat ? new Float32Array(n) : new Int32Array(n);
  const idx = new Array(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let at = offset;
    for (let d = 0; d < shape.length; d++) at += idx[d] * stride[d];
    if (at >= ref.numel) throw new UserError(`${source}: tensor reaches past its storage`);
    const v = read(dv, at);
    if (!isFloat && (v > 2147483647 || v < -2147483648)) {
      throw new UserError(`${source}: integer tensor value ${v} does not fit in int32`);
    }
    data[i] = v;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return { dtype: isFloat ? "F32" : "I32", shape, data };
}

function isHostTensor(v: unknown): v is HostTensor {
  return typeof v === "object" && v !== null && "dtype" in v && "shape" in v && "data" in v;
}

/** Every tensor under `value`, by dotted name (dict keys joined with "."). */
export function flattenTensors(value: unknown, prefix = "", out = new Map<string, HostTensor>()) {
  if (isHostTensor(value)) out.set(prefix.replace(/\.$/, ""), value);
  else if (value instanceof Map) {
    for (const [k, v] of value) flattenTensors(v, `${prefix}${String(k)}.`, out);
  }
  return out;
}

/** Reads the tensors of a torch.save file as a flat state dict (see ReadPthOptions). */
export async function readPth(
  path: string,
  opts: ReadPthOptions = {},
): Promise<Map<string, HostTensor>> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new UserError(`${path}: cannot read (${(e as Error).message.split("\n")[0]})`);
  }
  let value = parsePth(bytes, path);
  const key = opts.key ??
    (value instanceof Map && value.get("state_dict") instanceof Map ? "state_dict" : "");
  for (const part of key ? key.split(".") : []) {
    if (!(value instanceof Map) || !value.has(part)) {
      throw new UserError(`${path}: no '${key}' entry in the checkpoint`);
    }
    value = value.get(part);
  }
  const all = flattenTensors(value);
  if (!opts.prefix) return all;
  const out = new Map<string, HostTensor>();
  for (const [k, t] of all) if (k.startsWith(opts.prefix)) out.set(k.slice(opts.prefix.length), t);
  if (!out.size) throw new UserError(`${path}: no tensor names start with '${opts.prefix}'`);
  return out;
}
