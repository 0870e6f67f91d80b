// `neurad demo-data`: builds the synthetic demo cohort (healthy / tumour / stroke subjects derived
// from Colin27, src/data/demo/) deterministically from a seed. The output folder must be empty,
// absent, or an earlier demo cohort — whose files are removed first, so no stale subject of an
// earlier, larger run survives to be picked up by the dataset loaders.

import { bool, defineCommand, int, path } from "../command.ts";
import { join } from "node:path";
import { generateDemoCohort } from "../../data/demo/demo_cohort.ts";
import { UserError } from "../../core/errors.ts";

/** What a demo cohort folder holds (src/data/demo/demo_cohort.ts). */
const OWN = ["ixi", "brats", "atlas", "cohort.json"];

async function isOwnCohort(dir: string): Promise<boolean> {
  try {
    const c = JSON.parse(await Deno.readTextFile(join(dir, "cohort.json")));
    return typeof c.seed === "number" && Array.isArray(c.subjects) && typeof c.params === "object";
  } catch {
    return false;
  }
}

/** Makes `dir` ready: created if absent; refused if it holds anything but an earlier cohort. */
export async function prepareCohortDir(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = [];
    for await (const e of Deno.readDir(dir)) entries.push(e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return await Deno.mkdir(dir, { recursive: true });
    if (e instanceof Deno.errors.NotADirectory) throw new UserError(`${dir}: not a folder`);
    throw new UserError(`${dir}: cannot read (${(e as Error).message})`);
  }
  if (entries.length === 0) return;
  const foreign = entries.filter((n) => !OWN.includes(n));
  if (!(await isOwnCohort(dir)) || foreign.length) {
    throw new UserError(
      `${dir}: not empty and not a demo cohort (${
        (foreign.length ? foreign : entries).slice(0, 3).join(", ")
      }${entries.length > 3 ? ", …" : ""}); choose an empty --out folder`,
    );
  }
  for (const n of entries) await Deno.remove(join(dir, n), { recursive: true });
}

export const demoDataCommand = defineCommand({
  name: "demo-data",
  summary: "build the synthetic demo cohort (IXI / BraTS / ATLAS layouts) from Colin27",
  description: `Writes, under --out:
  healthy  (IXI layout)   ixi/IXI9NNN-DEMO-0NNN-T1.nii.gz
  tumour   (BraTS layout) brats/DEMO_TUMOUR_NNN/DEMO_TUMOUR_NNN_{t1,seg}.nii.gz
  stroke   (ATLAS layout) atlas/sub-demoNNN/ses-1/anat/*_T1w.nii.gz + *_lesion_mask.nii.gz
and cohort.json. The same seed gives byte-identical files. An earlier cohort in --out is
replaced; any other non-empty folder is refused.`,
  flags: {
    out: path({ short: "o", default: "data/demo", metavar: "DIR", help: "output folder" }),
    healthy: int({ min: 0, max: 1000, default: 12, metavar: "N", help: "healthy subjects" }),
    tumour: int({ min: 0, max: 1000, default: 6, metavar: "N", help: "tumour subjects" }),
    stroke: int({ min: 0, max: 1000, default: 6, metavar: "N", help: "stroke subjects" }),
    seed: int({ min: 0, max: 2 ** 31 - 1, default: 1, metavar: "S", help: "generator seed" }),
    quiet: bool({ short: "q", default: false, help: "no progress lines" }),
  },
  async run({ out: outDir, healthy, tumour, stroke, seed, quiet }) {
    if (healthy + tumour + stroke === 0) {
      throw new UserError("--healthy/--tumour/--stroke: all zero");
    }
    await prepareCohortDir(outDir);
    const t0 = performance.now();
    const s = await generateDemoCohort({ outDir, healthy, tumour, stroke, seed, quiet });
    console.log(
      `wrote ${s.subjects.length} subjects to ${outDir} in ${
        ((performance.now() - t0) / 1000).toFixed(1)
      } s`,
    );
  },
});
