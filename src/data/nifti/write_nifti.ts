/**
 * writeNifti: a Volume to a NIfTI-1 file (`.nii.gz` gzipped, `.nii` raw), little-endian, with the
 * source affine stored as both sform and qform, under the source's sform/qform codes, so overlays
 * line up in ITK-SNAP, FSLeyes, NiiVue and declare the same space as their scan.
 * Float32 by default (anomaly maps); int16/uint8 for compact images and masks. Atomic, and
 * byte-deterministic (no gzip timestamp).
 * @module
 */
import { formatShape } from "../../core/shape.ts";
import { gzipSync } from "fflate";
import { writeFileAtomic } from "../../util/atomic_write.ts";
import { DataError } from "../data_error.ts";
import { affineToQuatern } from "./affine.ts";
import { datatypeByName, type NiftiDatatype } from "./datatype.ts";
import type { Volume } from "./volume.ts";

/** Options of {@link writeNifti}. */
export interface WriteNiftiOptions {
  /** Stored datatype; integer types round and clamp to their range. Default float32. */
  datatype?: "float32" | "int16" | "uint8";
  /** Gzip level 0–9 for `.gz` paths: default 1, as nibabel writes (maps of float residuals
   * barely shrink at higher levels, which take twice the time). */
  gzipLevel?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  /** Free-text description (80 bytes max) written to `descrip`. */
  description?: string;
}

const HEADER_BYTES = 348;
const VOX_OFFSET = 352; // header + the 4-byte "no extensions" flag

/** Writes `volume` to `path` (gzipped when it ends in `.gz`). */
export async function writeNifti(
  path: string,
  volume: Volume,
  options: WriteNiftiOptions = {},
): Promise<void> {
  await writeFileAtomic(path, encodeNiftiFile(volume, options, path));
}

/** The bytes {@link writeNifti} writes for `name`: gzipped (deterministic) when it ends in `.gz`. */
export function encodeNiftiFile(
  volume: Volume,
  options: WriteNiftiOptions = {},
  name = "<volume>.nii",
): Uint8Array {
  const bytes = encodeNifti(volume, options, name);
  return name.endsWith(".gz")
    ? gzipSync(bytes, { level: options.gzipLevel ?? 1, mtime: 0 })
    : bytes;
}

/** Encodes a volume as uncompressed NIfTI-1 bytes (header + data). */
export function encodeNifti(
  volume: Volume,
  options: WriteNiftiOptions = {},
  name = "<volume>",
): Uint8Array {
  const { dims, data } = volume;
  const count = dims.reduce((a, b) => a * b, 1);
  if (dims.length < 3 || dims.length > 4 || dims.some((d) => !(d >= 1) || d > 32767)) {
    throw new DataError(name, `cannot write dims ${formatShape(dims)}`);
  }
  if (data.length !== count) {
    throw new DataError(name, `data has ${data.length} voxels but dims promise ${count}`);
  }
  const type = datatypeByName(options.datatype ?? "float32");
  const buf = new ArrayBuffer(VOX_OFFSET + count * type.bytes);
  const v = new DataView(buf);
  _writeHeader(v, volume, type, options.description ?? "neurad");
  _writeData(v, data, type);
  return new Uint8Array(buf);
}

function _writeHeader(v: DataView, vol: Volume, type: NiftiDatatype, descrip: string): void {
  const le = true;
  const q = affineToQuatern(vol.affine);
  v.setInt32(0, HEADER_BYTES, le);
  v.setUint8(38, "r".charCodeAt(0));
  v.setInt16(40, vol.dims.length, le);
  for (let i = 0; i < 7; i++) v.setInt16(42 + 2 * i, vol.dims[i] ?? 1, le);
  v.setInt16(70, type.code, le);
  v.setInt16(72, type.bytes * 8, le);
  const pix = [q.qfac, q.dx, q.dy, q.dz, vol.pixdim[3] ?? 1, 1, 1, 1];
  for (let i = 0; i < 8; i++) v.setFloat32(76 + 4 * i, pix[i], le);
  v.setFloat32(108, VOX_OFFSET, le);
  v.setFloat32(112, 1, le); // scl_slope 1: values are stored as they are
  v.setFloat32(116, 0, le);
  v.setUint8(123, 2 | 8); // xyzt_units: millimetres and seconds
  const text = new TextEncoder().encode(descrip).subarray(0, 79);
  new Uint8Array(v.buffer, 148, text.length).set(text);
  // Keep the source's codes, 0 included, so the map declares the same space as its scan (MNI
  // stays 4, aligned 2, scanner 1) and readers pick the same matrix; "scanner" when no source.
  const known = vol.sformCode !== undefined || vol.qformCode !== undefined;
  v.setInt16(252, known ? _code(vol.qformCode) : 1, le);
  v.setInt16(254, known ? _code(vol.sformCode) : 1, le);
  const qv = [q.b, q.c, q.d, q.x, q.y, q.z];
  for (let i = 0; i < 6; i++) v.setFloat32(256 + 4 * i, qv[i], le);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) v.setFloat32(280 + (r * 4 + c) * 4, vol.affine[r][c], le);
  }
  new Uint8Array(v.buffer, 344, 4).set([0x6e, 0x2b, 0x31, 0]); // "n+1\0"
}

/** A stored xform code: 0–4 as given (anything else: unknown, so 0). */
function _code(c: number | undefined): number {
  return c !== undefined && Number.isInteger(c) && c >= 0 && c <= 4 ? c : 0;
}

function _writeData(v: DataView, data: Float32Array, type: NiftiDatatype): void {
  const n = data.length;
  if (type.name === "float32") {
    for (let i = 0; i < n; i++) v.setFloat32(VOX_OFFSET + 4 * i, data[i], true);
  } else if (type.name === "int16") {
    for (let i = 0; i < n; i++) {
      v.setInt16(VOX_OFFSET + 2 * i, Math.max(-32768, Math.min(32767, Math.round(data[i]))), true);
    }
  } else {
    const out = new Uint8Array(v.buffer, VOX_OFFSET, n);
    for (let i = 0; i < n; i++) out[i] = Math.max(0, Math.min(255, Math.round(data[i])));
  }
}
