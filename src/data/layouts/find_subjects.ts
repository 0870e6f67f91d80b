/**
 * Dataset layouts, auto-detected from file names (or named explicitly):
 *  - IXI:   `IXI*-T1.nii[.gz]` — healthy;
 *  - BraTS: `<case>/<case>_t1.nii[.gz]` + `<case>_seg.nii[.gz]` (2018–2021 naming), or
 *           `<case>/<case>-t1n.nii[.gz]` + `<case>-seg.nii[.gz]` (2023 naming; t1n is the native
 *           T1) — any label > 0 is anomalous;
 *  - ATLAS: `*_T1w.nii[.gz]` + `*lesion_mask*.nii[.gz]` (e.g. `*_label-L_desc-T1lesion_mask`)
 *           in the same folder, sharing the `sub-…` prefix;
 *  - pairs: an images folder and a masks folder (`loadSlices(dir, { masksDir })`; on the command
 *           line `train --data IMAGES --data.masksDir MASKS`), matched by file name (see
 *           {@link pairSubjects});
 *  - images2d: PNG/JPEG class folders (see image2d/).
 * A folder may hold several layouts (the demo cohort has IXI, BraTS and ATLAS side by side).
 * @module
 */
import { DataError } from "../data_error.ts";
import type { LayoutName, Subject } from "./subject.ts";
import { basename, dirname, join } from "node:path";
import { listFiles } from "./walk.ts";

const NII = /\.nii(\.gz)?$/;
const IMG2D = /\.(png|jpe?g)$/i;

/** Every 3D subject under `dir`, optionally restricted to one layout. */
export async function findSubjects(dir: string, layout?: LayoutName): Promise<Subject[]> {
  const files = await listFiles(dir);
  const subjects: Subject[] = [];
  const byName = new Set(files);
  for (const f of files) {
    const name = basename(f);
    let s: Subject | null = null;
    const ixi = name.match(/^(IXI.*)-T1\.nii(\.gz)?$/);
    const brats = name.match(/^(.+)_t1\.nii(\.gz)?$/) ?? name.match(/^(.+-)t1n\.nii(\.gz)?$/);
    const atlas = name.match(/^(.+)_T1w\.nii(\.gz)?$/);
    if (ixi) {
      s = { id: ixi[1], layout: "ixi", image: f, pathological: false };
    } else if (brats) {
      // 2023 names keep their trailing "-" in the match: "<case>-" + "seg".
      const stem = brats[1].endsWith("-") ? brats[1] : `${brats[1]}_`;
      const seg = [".nii.gz", ".nii"].map((e) => join(dirname(f), `${stem}seg${e}`))
        .find((p) => byName.has(p));
      if (!seg) throw new DataError(f, `BraTS case has no matching ${stem}seg.nii.gz`);
      const id = brats[1].replace(/-$/, "");
      s = { id, layout: "brats", image: f, mask: seg, pathological: true };
    } else if (atlas) {
      const sub = atlas[1].split("_")[0];
      const masks = files.filter((m) =>
        dirname(m) === dirname(f) && NII.test(m) && /lesion_mask/i.test(basename(m)) &&
        basename(m).startsWith(sub)
      );
      if (masks.length !== 1) {
        throw new DataError(
          f,
          `ATLAS scan needs exactly one *lesion_mask* file, found ${masks.length}`,
        );
      }
      s = { id: atlas[1], layout: "atlas", image: f, mask: masks[0], pathological: true };
    }
    if (s && (!layout || layout === s.layout)) subjects.push(s);
  }
  _checkUniqueIds(subjects, dir);
  return subjects;
}

/**
 * Generic pairs: each image in `imagesDir` is matched to the mask in `masksDir` whose name, minus
 * extension and a `_mask`/`_seg`/`_label`/`_lesion` suffix, equals the image's name minus
 * extension (and a `_T1`/`_t1`/`_T1w` suffix). Images without a mask are healthy.
 */
export async function pairSubjects(imagesDir: string, masksDir: string): Promise<Subject[]> {
  const images = (await listFiles(imagesDir, 0)).filter((f) => NII.test(f));
  const masks = (await listFiles(masksDir, 0)).filter((f) => NII.test(f));
  const key = (f: string, suffixes: RegExp) => basename(f).replace(NII, "").replace(suffixes, "");
  const maskByKey = new Map(masks.map((m) => [key(m, /[_-](mask|seg|label|lesion)$/i), m]));
  const subjects = images.map((img): Subject => {
    const id = key(img, /[_-](T1w?|t1)$/);
    const mask = maskByKey.get(id) ?? maskByKey.get(basename(img).replace(NII, ""));
    return { id, layout: "pairs", image: img, mask, pathological: mask !== undefined };
  });
  if (subjects.length === 0) throw new DataError(imagesDir, "no .nii/.nii.gz images found");
  _checkUniqueIds(subjects, imagesDir);
  return subjects;
}

/** The layouts present under `dir`, most specific first; throws if none is recognised. */
export async function detectLayouts(dir: string): Promise<LayoutName[]> {
  const subjects = await findSubjects(dir);
  const found = [...new Set(subjects.map((s) => s.layout))];
  if (found.length > 0) return found;
  const files = await listFiles(dir, 1);
  if (files.some((f) => IMG2D.test(f) && dirname(f) !== join(dir, "."))) {
    return ["images2d"];
  }
  throw new DataError(
    dir,
    "no known dataset layout (expected IXI*-T1.nii.gz, <case>_t1/_seg.nii.gz, *_T1w + *lesion_mask, or PNG/JPEG class folders)",
  );
}

/** The single layout under `dir`, or "mixed" when several are present. */
export async function detectLayout(dir: string): Promise<LayoutName | "mixed"> {
  const found = await detectLayouts(dir);
  return found.length === 1 ? found[0] : "mixed";
}

function _checkUniqueIds(subjects: Subject[], dir: string): void {
  const seen = new Set<string>();
  for (const s of subjects) {
    if (seen.has(s.id)) throw new DataError(dir, `two scans share the subject id "${s.id}"`);
    seen.add(s.id);
  }
}
