// detectVolume (bytes in, bytes out) and its file wrapper detectScan: the wrapper writes exactly
// the bytes detectVolume returns (the NIfTI maps, the overlay and the JSON text, whose output
// names are the files in the folder), a scan that is not scored gets only its JSON, an abort stops
// it between batches, and the module uses no file system, so it can run in a browser Worker.

import { deepStrictEqual, ok as assert, rejects } from "node:assert";
import { encodeNifti } from "../../src/data/nifti/write_nifti.ts";
import { detectScan } from "../../src/detect/detect_scan.ts";
import { detectVolume } from "../../src/detect/detect_volume.ts";
import { setup } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";
import { colinScan, tinyRun } from "./_tiny_run.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("detectScan writes exactly the bytes detectVolume returns", async () => {
  await setup();
  const run = tinyRun();
  try {
    const dir = await tempDir();
    const scan = `${dir}/colin2.nii`;
    await Deno.writeFile(scan, encodeNifti(await colinScan(2)));
    const bytes = await Deno.readFile(scan);
    const mem = await detectVolume(run, bytes, scan, null, { threshold: 0.1, outDir: dir });
    const res = await detectScan(run, scan, dir, null, 0.1);
    deepStrictEqual(res, mem.result);
    deepStrictEqual(await Deno.readTextFile(`${dir}/colin2.json`), mem.json);
    deepStrictEqual(JSON.parse(mem.json), mem.result);
    deepStrictEqual(await Deno.readFile(`${dir}/colin2_anomaly.nii.gz`), mem.anomaly);
    deepStrictEqual(await Deno.readFile(`${dir}/colin2_mask.nii.gz`), mem.mask);
    deepStrictEqual(await Deno.readFile(`${dir}/colin2_overlay.png`), mem.overlayPng);
    deepStrictEqual(Object.values(res.outputs).sort(), [
      `${dir}/colin2.json`,
      `${dir}/colin2_anomaly.nii.gz`,
      `${dir}/colin2_mask.nii.gz`,
      `${dir}/colin2_overlay.png`,
    ]);
    // Without outDir the outputs are bare file names.
    deepStrictEqual(
      (await detectVolume(run, bytes, "colin2.nii", null, { threshold: 0.1 })).result.outputs.mask,
      "colin2_mask.nii.gz",
    );
  } finally {
    run.model.dispose();
  }
});

Deno.test("a scan that is not scored gets only its JSON", async () => {
  await setup();
  const run = tinyRun();
  try {
    const flat = encodeNifti({
      data: new Float32Array(64 * 64).fill(3),
      dims: [64, 64, 1],
      pixdim: [1, 1, 1],
      affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
    });
    const out = await detectVolume(run, flat, "flat.nii", null);
    deepStrictEqual([out.anomaly, out.mask, out.overlayPng], [null, null, null]);
    deepStrictEqual(out.result.verdict, "not scored");
    deepStrictEqual(out.result.outputs, { json: "flat.json" });
    const dir = await tempDir();
    await Deno.writeFile(`${dir}/flat.nii`, flat);
    await detectScan(run, `${dir}/flat.nii`, dir, null);
    deepStrictEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "flat.json",
      "flat.nii",
    ]);
  } finally {
    run.model.dispose();
  }
});

Deno.test("an aborted detectVolume rejects with the signal's reason and reports progress", async () => {
  await setup();
  const run = tinyRun();
  try {
    const bytes = encodeNifti(await colinScan(2));
    const ctl = new AbortController();
    const seen: [number, number][] = [];
    await rejects(
      detectVolume(run, bytes, "c.nii", null, {
        signal: ctl.signal,
        onProgress: (d, t) => {
          seen.push([d, t]);
          ctl.abort(new Error("stop here"));
        },
      }),
      /stop here/,
    );
    deepStrictEqual(seen, [[16, 40]]);
    const pre = new AbortController();
    pre.abort(new Error("before"));
    await rejects(detectVolume(run, bytes, "c.nii", null, { signal: pre.signal }), /before/);
  } finally {
    run.model.dispose();
  }
});

/** Local modules `file` imports for their values (type-only imports are erased), transitively. */
function runtimeImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const src = Deno.readTextFileSync(new URL(file, ROOT));
  const re = /^import\s+(?!type\s)[^;]*?from\s+"([^"]+)";/gms;
  for (const m of src.matchAll(re)) {
    const spec = m[1];
    if (spec.startsWith(".")) {
      runtimeImports(new URL(spec, new URL(file, ROOT)).href.slice(ROOT.href.length), seen);
    } else seen.add(spec);
  }
  return seen;
}

Deno.test("detectVolume uses no file system (it must run in a browser Worker)", () => {
  const src = Deno.readTextFileSync(new URL("src/detect/detect_volume.ts", ROOT));
  assert(!/\bDeno\./.test(src.replace(/\/\/.*$/gm, "")), "detect_volume.ts calls Deno.*");
  const graph = [...runtimeImports("src/detect/detect_volume.ts")];
  assert(graph.includes("src/eval/scoring/reconstruct.ts"), graph.join("\n"));
  const fs = graph.filter((s) => /^node:(fs|os|child_process)/.test(s));
  deepStrictEqual(fs, []);
  assert(!graph.includes("src/train/open_run.ts"), "open_run.ts reads files: type import only");
});
