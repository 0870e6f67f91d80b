/**
 * `deno task demo-data`: builds the embedded demo cohort (healthy / tumour / stroke subjects
 * derived from Colin27) deterministically from a seed. See data/README.md for the generator.
 * @module
 */
import { generateDemoCohort } from "../demo/demo_cohort.ts";
import { intFlag, parseCliArgs, runCli } from "./run_cli.ts";

const USAGE =
  `Usage: deno task demo-data [--out DIR] [--healthy N] [--tumour N] [--stroke N] [--seed S]

Builds a synthetic cohort from the shipped Colin27 T1 (data/colin27/):
  healthy  (IXI layout)   DIR/ixi/IXI9NNN-DEMO-0NNN-T1.nii.gz
  tumour   (BraTS layout) DIR/brats/DEMO_TUMOUR_NNN/DEMO_TUMOUR_NNN_{t1,seg}.nii.gz
  stroke   (ATLAS layout) DIR/atlas/sub-demoNNN/ses-1/anat/*_T1w.nii.gz + *_label-L_desc-T1lesion_mask.nii.gz
plus DIR/cohort.json. Same seed → byte-identical files.

Options:
  --out DIR      output folder (default data/demo)
  --healthy N    healthy subjects (default 12)
  --tumour N     tumour subjects (default 6)
  --stroke N     stroke subjects (default 6)
  --seed S       generator seed (default 1)
  --quiet        no progress lines
  -h, --help     this help`;

if (import.meta.main) {
  runCli(async () => {
    const { values } = parseCliArgs({
      out: { type: "string" },
      healthy: { type: "string" },
      tumour: { type: "string" },
      stroke: { type: "string" },
      seed: { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    }, USAGE);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const outDir = String(values.out ?? "data/demo").replace(/\/+$/, "");
    const t0 = performance.now();
    const s = await generateDemoCohort({
      outDir,
      healthy: intFlag(values.healthy, "healthy", 12),
      tumour: intFlag(values.tumour, "tumour", 6),
      stroke: intFlag(values.stroke, "stroke", 6),
      seed: intFlag(values.seed, "seed", 1),
      quiet: values.quiet === true,
    });
    console.log(
      `wrote ${s.subjects.length} subjects to ${outDir} in ${
        ((performance.now() - t0) / 1000).toFixed(1)
      } s`,
    );
  });
}
