/**
 * The embedded demo cohort: healthy subjects in the IXI layout, tumour subjects in the BraTS
 * layout and stroke subjects in the ATLAS layout, all on Colin27's 1 mm grid, written as NIfTI
 * (int16 T1, uint8 labels) plus cohort.json describing every subject. Same seed → byte-identical
 * files: each subject draws from its own PRNG stream seeded by (seed, kind, index).
 * @module
 */
import { join } from "node:path";
import { writeTextFileAtomic } from "../../util/atomic_write.ts";
import type { Volume } from "../nifti/volume.ts";
import { writeNifti } from "../nifti/write_nifti.ts";
import { uncropPad } from "../preprocess/crop_pad.ts";
import { Prng } from "../../core/prng.ts";
import { ProgressBar } from "../../util/progress.ts";
import { COLIN_GRID, loadColin27, type Template } from "./colin27_template.ts";
import { DEMO_PARAMS, type DemoKind, makeSubject } from "./make_subject.ts";

/** Options of {@link generateDemoCohort}. */
export interface DemoCohortOptions {
  outDir: string;
  healthy?: number;
  tumour?: number;
  stroke?: number;
  seed?: number;
  templatePath?: string;
  quiet?: boolean;
}

/** Summary of a generated cohort (also written to cohort.json). */
export interface DemoCohortSummary {
  seed: number;
  params: typeof DEMO_PARAMS;
  subjects: {
    id: string;
    kind: DemoKind;
    image: string;
    mask?: string;
    lesions: unknown[];
    lesionVoxels: number;
  }[];
}

/** Generates the cohort under `outDir` (ixi/, brats/, atlas/, cohort.json). */
export async function generateDemoCohort(o: DemoCohortOptions): Promise<DemoCohortSummary> {
  const seed = o.seed ?? 1;
  const counts: [DemoKind, number][] = [["healthy", o.healthy ?? 12], ["tumour", o.tumour ?? 6], [
    "stroke",
    o.stroke ?? 6,
  ]];
  const template = await loadColin27(o.templatePath);
  const total = counts.reduce((n, [, c]) => n + c, 0);
  const progress = new ProgressBar("demo-data", total, { quiet: o.quiet });
  const summary: DemoCohortSummary = { seed, params: DEMO_PARAMS, subjects: [] };
  let done = 0;
  for (const [kind, count] of counts) {
    for (let i = 1; i <= count; i++) {
      const rng = new Prng(
        seed * 7919 + ["healthy", "tumour", "stroke"].indexOf(kind) * 1_000_003 + i,
      );
      const s = makeSubject(template, kind, rng);
      const paths = _paths(o.outDir, kind, i);
      await Deno.mkdir(paths.dir, { recursive: true });
      await writeNifti(paths.image, _inColinGrid(template, s.image), {
        datatype: "int16",
        gzipLevel: 4,
        description: `neurad demo ${kind} seed ${seed}`,
      });
      if (paths.mask) {
        await writeNifti(paths.mask, _inColinGrid(template, Float32Array.from(s.labels)), {
          datatype: "uint8",
          gzipLevel: 4,
          description: `neurad demo ${kind} labels`,
        });
      }
      summary.subjects.push({
        id: paths.id,
        kind,
        image: paths.image.slice(o.outDir.length + 1),
        mask: paths.mask?.slice(o.outDir.length + 1),
        lesions: s.lesions.map((l) => ({
          ...l,
          centre: l.centre.map((v, a) => +(v + template.offset[a]).toFixed(2)),
          radius: +l.radius.toFixed(2),
        })),
        lesionVoxels: s.lesionVoxels,
      });
      progress.update(++done, paths.id);
    }
  }
  await writeTextFileAtomic(join(o.outDir, "cohort.json"), JSON.stringify(summary, null, 1) + "\n");
  return summary;
}

function _paths(out: string, kind: DemoKind, i: number) {
  const n = String(i).padStart(3, "0");
  if (kind === "healthy") {
    const id = `IXI9${n}-DEMO-0${n}`;
    return { id, dir: join(out, "ixi"), image: join(out, `ixi/${id}-T1.nii.gz`), mask: undefined };
  }
  if (kind === "tumour") {
    const id = `DEMO_TUMOUR_${n}`;
    const dir = join(out, `brats/${id}`);
    return { id, dir, image: join(dir, `${id}_t1.nii.gz`), mask: join(dir, `${id}_seg.nii.gz`) };
  }
  const sub = `sub-demo${n}`;
  const dir = join(out, `atlas/${sub}/ses-1/anat`);
  const stem = `${sub}_ses-1_space-MNI152NLin2009aSym`;
  return {
    id: `${stem}`,
    dir,
    image: join(dir, `${stem}_T1w.nii.gz`),
    mask: join(dir, `${stem}_label-L_desc-T1lesion_mask.nii.gz`),
  };
}

function _inColinGrid(t: Template, data: Float32Array): Volume {
  const full = uncropPad({ data, dims: t.dims }, COLIN_GRID.dims, t.offset);
  return {
    data: full.data,
    dims: [...COLIN_GRID.dims],
    pixdim: [1, 1, 1],
    affine: COLIN_GRID.affine,
    sformCode: 2,
    qformCode: 2,
  };
}
