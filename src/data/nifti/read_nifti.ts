/**
 * readNifti: NIfTI-1/NIfTI-2, `.nii` or `.nii.gz`, any byte order, the eight scalar datatypes,
 * 3D and 4D, scaled to float32; optionally reoriented to RAS+. Every way a file can be wrong
 * becomes a one-line DataError naming the file.
 * @module
 */
import { formatShape } from "../../core/shape.ts";
import * as nifti from "nifti-reader-js";
import { gunzipSync } from "fflate";
import { DataError } from "../data_error.ts";
import { type Affine, baseAffine, quaternToAffine } from "./affine.ts";
import { datatypeByCode } from "./datatype.ts";
import { ioOrientation, isCanonical, reorientToCanonical } from "./orientation.ts";
import type { Volume } from "./volume.ts";

/** Options of {@link readNifti}. */
export interface ReadNiftiOptions {
  /** Reorient to the closest RAS+ orientation (nibabel's `as_closest_canonical`). */
  canonical?: boolean;
  /** Name used in error messages when reading from bytes. */
  name?: string;
  /** Keep NaN/±Inf voxels (nibabel does; `inspect` reports them) instead of refusing the file. */
  allowNonFinite?: boolean;
}

/** Reads a NIfTI file (path) or its bytes (`.nii` or gzipped). */
export async function readNifti(
  pathOrBytes: string | Uint8Array,
  options: ReadNiftiOptions = {},
): Promise<Volume> {
  const name = typeof pathOrBytes === "string" ? pathOrBytes : options.name ?? "<bytes>";
  let bytes: Uint8Array;
  if (typeof pathOrBytes === "string") {
    try {
      bytes = await Deno.readFile(pathOrBytes);
    } catch (e) {
      throw new DataError(name, `cannot read file (${(e as Error).message})`);
    }
  } else {
    bytes = pathOrBytes;
  }
  return parseNifti(bytes, name, options.canonical ?? false, options.allowNonFinite ?? false);
}

/** Synchronous core of {@link readNifti}: parse NIfTI bytes already in memory. */
export function parseNifti(
  raw: Uint8Array,
  name: string,
  canonical = false,
  allowNonFinite = false,
): Volume {
  const bytes = _gunzipIfNeeded(raw, name);
  const buf = new Uint8Array(bytes).buffer as ArrayBuffer; // own copy: nifti-reader-js wants an ArrayBuffer
  const view = new DataView(buf);
  if (bytes.byteLength < 348) {
    throw new DataError(name, `too short for a NIfTI header (${bytes.byteLength} bytes)`);
  }
  const sizeLE = view.getInt32(0, true);
  const sizeBE = view.getInt32(0, false);
  const isV2 = sizeLE === 540 || sizeBE === 540;
  if (!isV2 && sizeLE !== 348 && sizeBE !== 348) {
    throw new DataError(name, `not a NIfTI file: sizeof_hdr is ${sizeLE}, expected 348 or 540`);
  }
  if (isV2 ? !nifti.isNIFTI2(buf) : !nifti.isNIFTI1(buf)) {
    throw new DataError(name, `bad NIfTI magic (expected "${isV2 ? "n+2" : "n+1"}")`);
  }
  const hdr = nifti.readHeader(buf);
  const le = hdr.littleEndian;
  const ndim = hdr.dims[0];
  if (!(ndim >= 2 && ndim <= 4)) {
    throw new DataError(name, `unsupported dimensionality dim[0]=${ndim} (expected 2 to 4)`);
  }
  const dims = hdr.dims.slice(1, 1 + ndim).map(Number);
  if (dims.some((d) => !(d >= 1) || !Number.isInteger(d))) {
    throw new DataError(name, `invalid dims ${formatShape(dims)}: each must be a positive integer`);
  }
  if (ndim === 2) dims.push(1);
  const type = datatypeByCode(hdr.datatypeCode);
  if (!type) throw new DataError(name, `unsupported datatype code ${hdr.datatypeCode}`);
  const pixdim = dims.map((_, i) => Math.abs(hdr.pixDims[i + 1] ?? 1) || 1);
  const count = dims.reduce((a, b) => a * b, 1);
  const offset = Number(hdr.vox_offset);
  const need = count * type.bytes;
  if (offset + need > bytes.byteLength) {
    throw new DataError(
      name,
      `data shorter than the header promises: ${dims.join("×")} ${type.name} needs ${need} bytes ` +
        `from offset ${offset}, file has ${Math.max(0, bytes.byteLength - offset)}`,
    );
  }
  // nibabel ignores a zero or non-finite slope (no scaling); so do we.
  const scaled = Number.isFinite(hdr.scl_slope) && hdr.scl_slope !== 0;
  const slope = scaled ? hdr.scl_slope : 1;
  const inter = scaled && Number.isFinite(hdr.scl_inter) ? hdr.scl_inter : 0;
  const data = new Float32Array(count);
  for (let i = 0, o = offset; i < count; i++, o += type.bytes) {
    data[i] = type.get(view, o, le) * slope + inter;
    // Checked after the float32 store: scaling can overflow float32 even when float64 is fine.
    if (!allowNonFinite && !Number.isFinite(data[i])) {
      throw new DataError(name, `non-finite voxel value (${data[i]}) at index ${i}`);
    }
  }
  const affine = _bestAffine(hdr, view, isV2, dims, pixdim, name);
  const vol: Volume = {
    data,
    dims,
    pixdim,
    affine,
    datatype: type.name,
    niftiVersion: isV2 ? 2 : 1,
    sformCode: hdr.sform_code,
    qformCode: hdr.qform_code,
  };
  if (!canonical) return vol;
  const orientation = ioOrientation(affine);
  if (isCanonical(orientation)) return vol;
  const re = reorientToCanonical(data, dims, affine, orientation);
  const newPix = pixdim.slice();
  for (let i = 0; i < 3; i++) newPix[orientation[i].axis] = pixdim[i];
  return {
    ...vol,
    data: re.data,
    dims: re.dims,
    pixdim: newPix,
    affine: re.affine,
    stored: { dims, affine, orientation },
  };
}

function _gunzipIfNeeded(raw: Uint8Array, name: string): Uint8Array {
  if (raw.length < 2 || raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  try {
    return gunzipSync(raw);
  } catch (e) {
    throw new DataError(name, `corrupt or truncated gzip stream (${(e as Error).message})`);
  }
}

type Header = ReturnType<typeof nifti.readHeader>;

/** sform if sform_code > 0, else qform if qform_code > 0, else the pixdim fallback (as nibabel). */
function _bestAffine(
  hdr: Header,
  view: DataView,
  isV2: boolean,
  dims: number[],
  pixdim: number[],
  name: string,
): Affine {
  let aff: Affine;
  if (hdr.sform_code > 0) {
    // Read srow ourselves: nifti-reader-js prefers the qform when its code is higher.
    aff = [0, 1, 2].map((r) =>
      [0, 1, 2, 3].map((c) =>
        isV2
          ? view.getFloat64(400 + (r * 4 + c) * 8, hdr.littleEndian)
          : view.getFloat32(280 + (r * 4 + c) * 4, hdr.littleEndian)
      )
    );
    aff.push([0, 0, 0, 1]);
  } else if (hdr.qform_code > 0) {
    aff = quaternToAffine({
      b: hdr.quatern_b,
      c: hdr.quatern_c,
      d: hdr.quatern_d,
      x: hdr.qoffset_x,
      y: hdr.qoffset_y,
      z: hdr.qoffset_z,
      dx: hdr.pixDims[1],
      dy: hdr.pixDims[2],
      dz: hdr.pixDims[3],
      qfac: hdr.pixDims[0] === -1 ? -1 : 1,
    });
  } else {
    aff = baseAffine(dims, pixdim);
  }
  if (aff.flat().some((v) => !Number.isFinite(v))) {
    throw new DataError(name, "affine (sform/qform) contains non-finite values");
  }
  return aff;
}
