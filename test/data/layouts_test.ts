// Dataset layout detection on hand-made folders (names only: findSubjects never opens files):
// IXI, BraTS 2018–2021 and 2023 naming, ATLAS, generic pairs, mixed folders, and the errors.

import { tempDir } from "../temp_dir.ts";
import {
  DataError,
  detectLayout,
  detectLayouts,
  findSubjects,
  pairSubjects,
} from "../../src/data/mod.ts";

async function tree(files: string[]): Promise<string> {
  const dir = await tempDir("neurad-layouts-");
  for (const f of files) {
    const path = `${dir}/${f}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeFile(path, new Uint8Array(0));
  }
  return dir;
}

async function expectDataError(fn: () => Promise<unknown>, re: RegExp) {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof DataError) || !re.test(e.message)) throw new Error(`unexpected error: ${e}`);
    return;
  }
  throw new Error(`expected a DataError matching ${re}`);
}

Deno.test("findSubjects() reads IXI, BraTS (both namings) and ATLAS side by side", async () => {
  const dir = await tree([
    "IXI002-Guys-0828-T1.nii.gz",
    "BraTS2021_00000/BraTS2021_00000_t1.nii.gz",
    "BraTS2021_00000/BraTS2021_00000_t1ce.nii.gz",
    "BraTS2021_00000/BraTS2021_00000_seg.nii.gz",
    "BraTS-GLI-00001-000/BraTS-GLI-00001-000-t1n.nii.gz",
    "BraTS-GLI-00001-000/BraTS-GLI-00001-000-t1c.nii.gz",
    "BraTS-GLI-00001-000/BraTS-GLI-00001-000-seg.nii.gz",
    "R001/sub-r001s001/ses-1/anat/sub-r001s001_ses-1_space-MNI152NLin2009aSym_T1w.nii.gz",
    "R001/sub-r001s001/ses-1/anat/sub-r001s001_ses-1_space-MNI152NLin2009aSym_label-L_desc-T1lesion_mask.nii.gz",
  ]);
  const subjects = (await findSubjects(dir)).sort((a, b) => a.id.localeCompare(b.id));
  const summary = subjects.map((s) =>
    `${s.layout}:${s.id}:${s.pathological}:${s.mask?.split("/").pop() ?? "-"}`
  );
  const expected = [
    "brats:BraTS-GLI-00001-000:true:BraTS-GLI-00001-000-seg.nii.gz",
    "brats:BraTS2021_00000:true:BraTS2021_00000_seg.nii.gz",
    "ixi:IXI002-Guys-0828:false:-",
    "atlas:sub-r001s001_ses-1_space-MNI152NLin2009aSym:true:sub-r001s001_ses-1_space-MNI152NLin2009aSym_label-L_desc-T1lesion_mask.nii.gz",
  ].sort((a, b) => a.split(":")[1].localeCompare(b.split(":")[1]));
  if (summary.join("\n") !== expected.join("\n")) throw new Error(`got\n${summary.join("\n")}`);
  if (await detectLayout(dir) !== "mixed") throw new Error("a mixed folder should be 'mixed'");
  const only = await findSubjects(dir, "ixi");
  if (only.length !== 1 || only[0].layout !== "ixi") throw new Error("layout filter failed");
  if ((await detectLayouts(dir)).length !== 3) throw new Error("expected three layouts");
});

Deno.test("findSubjects() names the file when a BraTS case has no segmentation", async () => {
  const dir = await tree(["c1/c1_t1.nii.gz"]);
  await expectDataError(
    () => findSubjects(dir),
    /c1_t1\.nii\.gz: BraTS case has no matching c1_seg/,
  );
  const dir23 = await tree(["c2/c2-t1n.nii.gz"]);
  await expectDataError(() => findSubjects(dir23), /BraTS case has no matching c2-seg/);
});

Deno.test("detectLayouts() rejects a folder with no known layout", async () => {
  const dir = await tree(["notes.txt", "scan.nii.gz"]);
  await expectDataError(() => detectLayouts(dir), /no known dataset layout/);
});

Deno.test("pairSubjects() matches images to masks by name; unmatched images are healthy", async () => {
  const dir = await tree(["img/a_T1.nii.gz", "img/b.nii.gz", "msk/a_mask.nii.gz"]);
  const s = (await pairSubjects(`${dir}/img`, `${dir}/msk`)).sort((x, y) =>
    x.id.localeCompare(y.id)
  );
  const got = s.map((x) => `${x.id}:${x.pathological}`).join(",");
  if (got !== "a:true,b:false") throw new Error(got);
});
