/**
 * `deno task inspect FILE...`: one line per NIfTI file — dims, voxel size, orientation code,
 * datatype, intensity range. Bad files get a one-line error each; exit code 1 if any failed.
 * @module
 */
import { DataError } from "../data_error.ts";
import { readNifti } from "../nifti/read_nifti.ts";
import { orientationCode } from "../nifti/orientation.ts";
import { parseCliArgs, runCli } from "./run_cli.ts";

const USAGE = `Usage: deno task inspect FILE.nii[.gz]...

Prints, one line per file: dims, voxel size (mm), orientation code (e.g. RAS, LAS),
stored datatype and intensity range (after scl_slope/scl_inter).
Exit code 1 if any file could not be read.`;

/** One-line description of a NIfTI file. */
export async function describeNifti(path: string): Promise<string> {
  const v = await readNifti(path);
  let lo = Infinity, hi = -Infinity;
  for (const x of v.data) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const vox = v.pixdim.slice(0, 3).map((p) => +p.toFixed(3)).join("×");
  return `${path}  dims ${v.dims.join("×")}  voxel ${vox} mm  ${orientationCode(v.affine)}  ` +
    `${v.datatype}  range [${+lo.toPrecision(6)}, ${+hi.toPrecision(6)}]`;
}

if (import.meta.main) {
  runCli(async () => {
    const { values, positionals } = parseCliArgs({ help: { type: "boolean", short: "h" } }, USAGE);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (positionals.length === 0) throw new Error(`no input files\n${USAGE}`);
    let failed = 0;
    for (const file of positionals) {
      try {
        console.log(await describeNifti(file));
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        console.error(`error: ${e.message}`);
        failed++;
      }
    }
    return failed ? 1 : 0;
  });
}
