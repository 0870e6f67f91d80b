// detectInto(): a batch scan's outputs go under its batch NAME, so x.nii and x.nii.gz of one folder
// (named x.nii and x.nii.gz by findScans) no longer overwrite each other's x.json; a scan named
// after its file gets exactly detectScan's JSON. Flat 2D images are "not scored" before any model
// runs, so this needs no GPU.

import { deepStrictEqual as eq } from "node:assert";
import { join } from "node:path";
import { encodeNifti } from "../../src/data/nifti/write_nifti.ts";
import { detectScan } from "../../src/detect/detect_scan.ts";
import { detectInto } from "../../src/detect/batch/detect_into.ts";
import { findScans } from "../../src/detect/batch/scan_list.ts";
import type { OpenedRun } from "../../src/train/open_run.ts";
import { presetConfig } from "../../src/train/presets.ts";
import { gzipSync } from "fflate";
import { tempDir } from "../temp_dir.ts";

const flat = () =>
  encodeNifti({
    data: new Float32Array(16 * 16).fill(3),
    dims: [16, 16, 1],
    pixdim: [1, 1, 1],
    affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
  });

// Only the config is read on the way to "not scored".
const run = { config: presetConfig("reddipalli22-vae") } as unknown as OpenedRun;

Deno.test("detectInto(): x.nii and x.nii.gz in one folder keep apart under their names", async () => {
  const root = await tempDir();
  const arch = join(root, "arch"), out = join(root, "out");
  await Deno.mkdir(arch);
  await Deno.mkdir(out);
  await Deno.writeFile(join(arch, "x.nii"), flat());
  await Deno.writeFile(join(arch, "x.nii.gz"), gzipSync(flat()));
  const scans = await findScans([arch]);
  eq(scans.map((s) => s.name), ["x.nii", "x.nii.gz"]);
  for (const s of scans) await detectInto(run, s.file, out, s.name, null);
  for (const s of scans) {
    const j = JSON.parse(await Deno.readTextFile(join(out, `${s.name}.json`)));
    eq([j.scan, j.verdict, j.outputs], [s.file, "not scored", {
      json: join(out, `${s.name}.json`),
    }]);
  }
  eq(await Deno.stat(join(out, "x.json")).then(() => true, () => false), false);
});

Deno.test("detectInto(): a scan named after its file gets detectScan's JSON, byte for byte", async () => {
  const root = await tempDir();
  const scan = join(root, "flat.nii");
  await Deno.writeFile(scan, flat());
  const [a, b] = [join(root, "a"), join(root, "b")];
  await Deno.mkdir(a);
  await Deno.mkdir(b);
  await detectInto(run, scan, a, "flat", null);
  await detectScan(run, scan, b, null);
  eq(
    await Deno.readTextFile(join(a, "flat.json")),
    (await Deno.readTextFile(join(b, "flat.json"))).replaceAll(b, a),
  );
});
