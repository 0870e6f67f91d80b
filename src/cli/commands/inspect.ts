// `neurad inspect FILE...`: one line per NIfTI file — dims, voxel size, orientation, datatype,
// range, and the number of NaN/Inf voxels if any (accepted, as nibabel does). `--verbose` adds
// the NIfTI version, qform/sform codes, the affine and the TR; `--json` prints all of it as JSON.
// A bad file gets one `error:` line and the exit code is 1 if any file failed.

import { bool, defineCommand, positional } from "../command.ts";
import { readNifti } from "../../data/nifti/read_nifti.ts";
import { orientationCode } from "../../data/nifti/orientation.ts";
import { UserError } from "../../core/errors.ts";
import { reportError } from "../../util/errors.ts";
import { relative } from "node:path";
import { userDir } from "../user_path.ts";

export interface NiftiSummary {
  file: string;
  niftiVersion: number | null;
  dims: number[];
  voxelSize: number[];
  orientation: string;
  datatype: string | null;
  min: number | null;
  max: number | null;
  nanCount: number;
  infCount: number;
  qformCode: number | null;
  sformCode: number | null;
  affine: number[][];
  /** Time between volumes (pixdim[4]) of a 4D series, else null. */
  tr: number | null;
}

/** Everything `inspect` reports about one file (range over the finite voxels). */
export async function summarizeNifti(path: string, file = path): Promise<NiftiSummary> {
  const v = await readNifti(path, { allowNonFinite: true });
  let lo = Infinity, hi = -Infinity, nan = 0, inf = 0;
  for (const x of v.data) {
    if (Number.isNaN(x)) nan++;
    else if (!Number.isFinite(x)) inf++;
    else {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  const finite = lo <= hi;
  return {
    file,
    niftiVersion: v.niftiVersion ?? null,
    dims: v.dims,
    voxelSize: v.pixdim.slice(0, 3),
    orientation: orientationCode(v.affine),
    datatype: v.datatype ?? null,
    min: finite ? lo : null,
    max: finite ? hi : null,
    nanCount: nan,
    infCount: inf,
    qformCode: v.qformCode ?? null,
    sformCode: v.sformCode ?? null,
    affine: v.affine,
    tr: v.dims.length >= 4 && v.dims[3] > 1 ? v.pixdim[3] : null,
  };
}

const g = (x: number) => +x.toPrecision(6);

/** The one-line description (plus indented detail lines with `verbose`). */
export function formatSummary(s: NiftiSummary, verbose = false): string {
  const vox = s.voxelSize.map((p) => +p.toFixed(3)).join("×");
  const range = s.min === null ? "no finite voxels" : `range [${g(s.min)}, ${g(s.max!)}]`;
  const bad = [s.nanCount ? `${s.nanCount} NaN` : "", s.infCount ? `${s.infCount} Inf` : ""]
    .filter(Boolean).join(", ");
  let line = `${s.file}  dims ${s.dims.join("×")}  voxel ${vox} mm  ${s.orientation}  ` +
    `${s.datatype}  ${range}${bad ? `  (${bad} voxels)` : ""}`;
  if (verbose) {
    line += `\n  NIfTI-${s.niftiVersion}  qform_code ${s.qformCode}  sform_code ${s.sformCode}` +
      `  TR ${s.tr ?? "n/a"}\n  affine:` +
      s.affine.map((r) => `\n    ${r.map((x) => g(x).toString().padStart(10)).join(" ")}`).join(
        "",
      );
  }
  return line;
}

export const inspectCommand = defineCommand({
  name: "inspect",
  summary: "describe NIfTI files: dims, voxel size, orientation, datatype, range, NaN voxels",
  description: "Exit code 1 if any file could not be read (each gets one error line).",
  flags: {
    verbose: bool({
      short: "v",
      default: false,
      help: "also the NIfTI version, qform/sform codes, the affine and TR",
    }),
    json: bool({ default: false, help: "one JSON array with everything" }),
  },
  positionals: {
    files: positional({
      name: "FILE",
      help: "NIfTI file (.nii, .nii.gz)",
      variadic: true,
      required: true,
      path: true,
    }),
  },
  async run({ verbose, json, files }) {
    const out: NiftiSummary[] = [];
    let failed = 0;
    for (const file of files) {
      try {
        const s = await summarizeNifti(file, relative(userDir(), file) || file);
        if (json) out.push(s);
        else console.log(formatSummary(s, verbose));
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        reportError(e);
        failed++;
      }
    }
    if (json) {
      console.log(
        JSON.stringify(out, (_k, v) => (typeof v === "number" && !isFinite(v) ? String(v) : v), 1),
      );
    }
    return failed ? 1 : 0;
  },
});
