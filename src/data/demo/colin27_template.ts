/**
 * The demo cohort's source brain: the shipped compact Colin27 T1 (data/colin27/, cropped to the
 * brain, uint8) and the full 181×217×181 1 mm Colin grid the subjects are written in, so the
 * real preprocessing pipeline runs on them unchanged.
 * @module
 */
import { fileURLToPath } from "node:url";
import type { Affine } from "../nifti/affine.ts";
import type { Volume } from "../nifti/volume.ts";
import { readNifti } from "../nifti/read_nifti.ts";
import { COLIN27_ASSET, readAsset } from "../../util/assets.ts";

/** Default location of the shipped template, relative to this module. */
export const COLIN27_PATH = fileURLToPath(
  new URL("../../../data/colin27/colin27_t1_brain.nii.gz", import.meta.url),
);

/** Colin27's native grid (ch2bet.nii.gz): 1 mm, RAS, MNI space. */
export const COLIN_GRID = {
  dims: [181, 217, 181] as [number, number, number],
  affine: [[1, 0, 0, -90], [0, 1, 0, -125], [0, 0, 1, -71], [0, 0, 0, 1]] as Affine,
};

/** The template on its cropped grid plus where that grid sits in the Colin grid. */
export interface Template {
  data: Float32Array;
  dims: [number, number, number];
  /** Voxel offset of the cropped grid inside COLIN_GRID. */
  offset: [number, number, number];
}

/** Loads the template (RAS, 1 mm); by default the shipped one (embedded in the bundle). */
export async function loadColin27(path?: string): Promise<Template> {
  const v = path
    ? await readNifti(path, { canonical: true })
    : await readNifti(await readAsset(COLIN27_ASSET), { canonical: true, name: COLIN27_ASSET });
  const offset = [0, 1, 2].map((a) => Math.round(v.affine[a][3] - COLIN_GRID.affine[a][3]));
  return {
    data: v.data,
    dims: v.dims.slice(0, 3) as [number, number, number],
    offset: offset as [number, number, number],
  };
}

/** The template as a scan on its own cropped grid: 1 mm, its affine placing it in Colin (MNI)
 * space, sform and qform code 4 (MNI). */
export function templateVolume(t: Template): Volume {
  const affine = COLIN_GRID.affine.map((r) => [...r]) as Affine;
  for (let a = 0; a < 3; a++) affine[a][3] += t.offset[a];
  return { data: t.data, dims: [...t.dims], pixdim: [1, 1, 1], affine, sformCode: 4, qformCode: 4 };
}
