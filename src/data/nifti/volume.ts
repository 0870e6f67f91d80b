/**
 * The in-memory volume every data function passes around: float32 voxels (x fastest, as NIfTI
 * stores them), dims, voxel sizes and the voxel-to-world affine.
 * @module
 */
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
  /** NIfTI sform/qform codes of the source (1 scanner, 2 aligned, 3 Talairach, 4 MNI). */
  sformCode?: number;
  qformCode?: number;
  /** Present when the volume was reoriented on read: what it was on disk, to undo it later. */
  stored?: { dims: number[]; affine: Affine; orientation: Orientation };
}

/** Number of voxels in one 3D frame. */
export function voxelsPerFrame(dims: number[]): number {
  return (dims[0] ?? 1) * (dims[1] ?? 1) * (dims[2] ?? 1);
}
