/**
 * The in-memory volume every data function passes around: float32 voxels (x fastest, as NIfTI
 * stores them), dims, voxel sizes and the voxel-to-world affine.
 * @module
 */
import { DataError } from "../data_error.ts";
import type { Affine } from "./affine.ts";
import type { Orientation } from "./orientation.ts";

/** A 3D or 4D image in memory. */
export interface Volume {
  /** Voxel values, x fastest then y, z, t (scl_slope/scl_inter already applied). */
  data: Float32Array;
  /** Grid size per axis, e.g. [181, 217, 181] or [64, 64, 30, 100]. */
  dims: number[];
  /** Voxel size per axis (mm, and the time step for the 4th axis). */
  pixdim: number[];
  /** Voxel-to-world 4×4 (from sform, else qform, else the pixdim-based fallback). */
  affine: Affine;
  /** Stored datatype name (informational; `data` is always float32). */
  datatype?: string;
  /** 1 or 2 (the source file's NIfTI version). */
  niftiVersion?: 1 | 2;
  /** NIfTI sform/qform codes of the source (1 scanner, 2 aligned, 3 Talairach, 4 MNI). */
  sformCode?: number;
  qformCode?: number;
  /** Present when the volume was reoriented on read: what it was on disk, to undo it later. */
  stored?: { dims: number[]; affine: Affine; orientation: Orientation };
}

/** Throws a DataError naming `maskFile` unless the mask's grid matches the image's. */
export function checkSameGrid(image: Volume, mask: Volume, maskFile: string): void {
  const a = image.dims.slice(0, 3).join("×");
  const b = mask.dims.slice(0, 3).join("×");
  if (a !== b) throw new DataError(maskFile, `mask shape ${b} differs from image shape ${a}`);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 4; j++) {
      // Half a voxel of disagreement means the mask would be drawn on the wrong anatomy.
      if (
        Math.abs(image.affine[i][j] - mask.affine[i][j]) >
          0.5 * Math.min(...image.pixdim.slice(0, 3))
      ) {
        throw new DataError(
          maskFile,
          "mask affine differs from the image affine (different space)",
        );
      }
    }
  }
}
