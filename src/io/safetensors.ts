// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a
// JSON header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}, then
// raw little-endian tensor bytes. Used for checkpoints and for the PyTorch golden fixtures.
// Atomic writes: temp file + rename.

import { writeFileAtomic } from "../util/atomic_write.ts";

export type SafeDType = "F32" | "I32" | "U32" | "F64" | "I64" | "U8" | "I8" | "I16" | "F16";

export interface HostTensor {
  dtype: SafeDType;
  shape: number[];
  data:
    | Float32Array
    | Int32Array
    | Uint32Array
    | Float64Array
    | Uint8Array
    | Int8Array
    | Int16Array;
}

const BYTES: Record<SafeDType, number> = {
  F32: 4,
  I32: 4,
  U32: 4,
  F64: 8,
  I64: 8,
  U8: 1,
  I8: 1,
  I16: 2,
  F16: 2,
};

function view(dtype: SafeDType, bytes: Uint8Array): HostTensor["data"] {
  const buf = bytes.slice().buffer; // aligned copy
  switch (dtype) {
    case "F32":
      return new Float32Array(buf);
    case "I32":
      return new Int32Array(buf);
    case "U32":
      return new Uint32Array(buf);
    case "F64":
      return new Float64Array(buf);
    case "U8":
      return new Uint8Array(buf);
    case "I8":
      return new Int8Array(buf);
    case "I16":
      return new Int16Array(buf);
    case "I64": {
      // int64 -> int32 when every value fits (indices); else an error.
      const big = new BigInt64Array(buf);
      const out = new Int32Array(big.length);
      for (let i = 0; i < big.length; i++) {
        if (big[i] > 2147483647n || big[i] < -2147483648n) {
          throw new Error("int64 value out of int32 range");
        }
        out[i] = Number(big[i]);
      }
      return out;
    }
    default:
      throw new Error(`unsupported safetensors dtype ${dtype}`);
  }
}

/** Parses safetensors bytes; `source` names the file in error messages. */
export function parseSafetensors(
  bytes: Uint8Array,
  source = "safetensors",
): { tensors: Map<string, HostTensor>; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new Error(`${source}: not a safetensors file (too short)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(dv.getBigUint64(0, true));
  if (headerLen > bytes.length - 8) throw new Error(`${source}: truncated safetensors header`);
  let header: Record<string, { dtype: SafeDType; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen)));
  } catch {
    throw new Error(`${source}: safetensors header is not valid JSON`);
  }
  const base = 8 + headerLen;
  const tensors = new Map<string, HostTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = info as unknown as Record<string, string>;
      continue;
    }
    const [b, e] = info.data_offsets;
    const n = info.shape.reduce((a, d) => a * d, 1);
    if (!(info.dtype in BYTES)) {
      throw new Error(`${source}: tensor ${name} has unsupported dtype ${info.dtype}`);
    }
    if (e - b !== n * BYTES[info.dtype] || base + e > bytes.length) {
      throw new Error(`${source}: tensor ${name} data is truncated or inconsistent with its shape`);
    }
    const dtype = info.dtype === "I64" ? "I32" : info.dtype;
    tensors.set(name, {
      dtype,
      shape: info.shape,
      data: view(info.dtype, bytes.subarray(base + b, base + e)),
    });
  }
  return { tensors, metadata };
}

export async function readSafetensors(path: string) {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as Error).message})`);
  }
  return parseSafetensors(bytes, path);
}

/** Serialises tensors (in insertion order) with optional string metadata. */
export function serializeSafetensors(
  tensors: Map<string, HostTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = {
      dtype: t.dtype,
      shape: t.shape,
      data_offsets: [offset, offset + t.data.byteLength],
    };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((json.length + 8) % 8)) % 8); // align data to 8 bytes
  const hb = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hb.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let at = 8 + hb.length;
  for (const t of tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/** Writes atomically (src/util/atomic_write.ts: a unique temp file beside `path`, then rename). */
export async function writeSafetensors(
  path: string,
  tensors: Map<string, HostTensor>,
  metadata: Record<string, string> = {},
) {
  await writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}
