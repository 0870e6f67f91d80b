// The converted commands, in process through `main` (src/cli/main.ts): demo-data replaces only
// its own earlier cohort (no stale subjects) and refuses other folders; inspect accepts NaN voxels
// and shows NIfTI version, qform/sform codes, affine and TR with --verbose / --json.

import { assert, assertEquals } from "../assert.ts";
import { tempDir } from "../temp_dir.ts";
import { main } from "../../src/cli/main.ts";
import { fixture, fixturePath } from "../data/_assert_close.ts";

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    const code = await main(argv);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

function files(dir: string, prefix = ""): string[] {
  return [...Deno.readDirSync(dir)].flatMap((e) =>
    e.isDirectory ? files(`${dir}/${e.name}`, `${prefix}${e.name}/`) : [`${prefix}${e.name}`]
  ).sort();
}

Deno.test("demo-data: a second, smaller run leaves no stale subject; foreign folders are refused", async () => {
  const out = `${await tempDir("neurad-demo-cli-")}/cohort`;
  let r = await capture([
    "demo-data",
    "--out",
    out,
    "--healthy",
    "1",
    "--tumour",
    "0",
    "--stroke",
    "0",
    "-q",
  ]);
  assertEquals(r.code, 0, r.err);
  assertEquals(files(out).filter((f) => f.endsWith(".nii.gz")).length, 1);
  r = await capture([
    "demo-data",
    "--out",
    out,
    "--healthy",
    "0",
    "--tumour",
    "1",
    "--stroke",
    "0",
    "-q",
  ]);
  assertEquals(r.code, 0, r.err);
  assertEquals(files(out), [
    "brats/DEMO_TUMOUR_001/DEMO_TUMOUR_001_seg.nii.gz",
    "brats/DEMO_TUMOUR_001/DEMO_TUMOUR_001_t1.nii.gz",
    "cohort.json",
  ]);
  // A folder with anything else in it is not ours: refused, untouched.
  Deno.writeTextFileSync(`${out}/notes.txt`, "mine");
  r = await capture([
    "demo-data",
    "--out",
    out,
    "--tumour",
    "1",
    "--healthy",
    "0",
    "--stroke",
    "0",
  ]);
  assertEquals(r.code, 1);
  assert(/^error: .*cohort: not empty and not a demo cohort \(notes\.txt\)/.test(r.err), r.err);
  assert(files(out).includes("notes.txt") && files(out).includes("cohort.json"));
});

interface NibabelCase {
  affine: number[][];
}

Deno.test("inspect: NaN voxels are accepted and counted; --json has version, codes, affine, TR", async () => {
  const nan = fixturePath("handmade/bad_nan.nii");
  let r = await capture(["inspect", nan]);
  assertEquals(r.code, 0, r.err);
  assert(/float32 {2}range \[[-\d.]+, [-\d.]+\] {2}\(1 NaN voxels\)$/.test(r.out), r.out);
  r = await capture(["inspect", "--json", nan, fixturePath("nibabel/functional.nii")]);
  assertEquals(r.code, 0, r.err);
  const [a, b] = JSON.parse(r.out);
  assertEquals([a.nanCount, a.niftiVersion, a.tr], [1, 1, null]);
  assertEquals(b.dims.length, 4);
  assert(b.tr > 0, `TR ${b.tr}`);
  const ref = fixture<Record<string, NibabelCase>>("nibabel.json")["functional.nii"];
  assertEquals(
    b.affine.flat().map((x: number) => +x.toFixed(4)),
    ref.affine.flat().map((x) => +x.toFixed(4)),
  );
  r = await capture(["inspect", "-v", fixturePath("nibabel/example_nifti2.nii.gz")]);
  assert(/\n {2}NIfTI-2 {2}qform_code \d+ {2}sform_code \d+ {2}TR /.test(r.out), r.out);
  assertEquals(r.out.split("\n").length, 7);
  // A bad file: one error line, the others still reported, exit 1.
  r = await capture(["inspect", "/nonexistent.nii", nan]);
  assertEquals(r.code, 1);
  assert(
    /^error: \/nonexistent\.nii: cannot read file/.test(r.err) && r.err.split("\n").length === 1,
  );
  assert(r.out.includes("bad_nan.nii"));
});
