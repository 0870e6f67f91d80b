/**
 * generateDemoCohort() builds a tiny cohort (one subject per kind) that the real loaders read:
 * layouts, masks, determinism, loadSlices with cache and manifest, and the geometry round trip.
 */
import assert from "node:assert/strict";
import {
  detectLayouts,
  findSubjects,
  loadSlices,
  readNifti,
  restoreToScanGeometry,
} from "../../src/data/mod.ts";
import { generateDemoCohort } from "../../src/data/demo/demo_cohort.ts";
import { tempDir } from "../temp_dir.ts";

/** The cohort every test reads, made by the first test that needs it (never at import). */
let made: Promise<{ dir: string; summary: Awaited<ReturnType<typeof generateDemoCohort>> }> | null =
  null;
function cohort() {
  made ??= (async () => {
    const dir = await tempDir("neurad-demo-");
    const summary = await generateDemoCohort({
      outDir: dir,
      healthy: 1,
      tumour: 1,
      stroke: 1,
      seed: 7,
      quiet: true,
    });
    return { dir, summary };
  })();
  return made;
}

Deno.test("generateDemoCohort() writes IXI, BraTS and ATLAS layouts that detectLayouts() finds", async () => {
  const { dir } = await cohort();
  assert.deepEqual((await detectLayouts(dir)).sort(), ["atlas", "brats", "ixi"]);
  const subjects = await findSubjects(dir);
  assert.equal(subjects.length, 3);
  assert.deepEqual(subjects.map((s) => s.pathological).sort(), [false, true, true]);
});

Deno.test("generateDemoCohort() lesions lie inside the brain and scans sit on the Colin grid", async () => {
  const { dir, summary } = await cohort();
  for (const s of summary.subjects) {
    const img = await readNifti(`${dir}/${s.image}`);
    assert.deepEqual(img.dims, [181, 217, 181]);
    assert.equal(img.datatype, "int16");
    if (!s.mask) continue;
    const lab = await readNifti(`${dir}/${s.mask}`);
    let inside = 0, total = 0;
    for (let i = 0; i < lab.data.length; i++) {
      if (lab.data[i] > 0) {
        total++;
        if (img.data[i] > 0) inside++;
      }
    }
    assert.ok(total > 300, `${s.id}: lesion too small (${total} voxels)`);
    assert.equal(inside, total, `${s.id}: ${total - inside} lesion voxels outside the brain`);
    if (s.kind === "tumour") {
      const labels = new Set(lab.data);
      for (const l of [1, 2, 4]) assert.ok(labels.has(l), `tumour lacks BraTS label ${l}`);
    }
  }
});

Deno.test("generateDemoCohort() is byte-identical for the same seed", async () => {
  const { dir, summary } = await cohort();
  const again = await tempDir("neurad-demo2-");
  try {
    await generateDemoCohort({
      outDir: again,
      healthy: 0,
      tumour: 1,
      stroke: 0,
      seed: 7,
      quiet: true,
    });
    const s = summary.subjects.find((x) => x.kind === "tumour")!;
    for (const f of [s.image, s.mask!]) {
      assert.deepEqual(await Deno.readFile(`${again}/${f}`), await Deno.readFile(`${dir}/${f}`), f);
    }
  } finally {
    await Deno.remove(again, { recursive: true });
  }
});

Deno.test("loadSlices() returns 95×79 axial slices (70 per volume) with lesions, then hits the cache", async () => {
  const { dir } = await cohort();
  const cacheDir = `${dir}/.cache`;
  const all = await loadSlices(dir, { split: "all", cacheDir, quiet: true });
  assert.equal(all.H, 95);
  assert.equal(all.W, 79);
  assert.equal(all.images.length, all.N * 95 * 79);
  // RAS crop [158, 190, 140] ×0.5: x 79, y 95, z 70 (the first study's geometry).
  assert.deepEqual(all.subjects[0].geometry.cropSize, [158, 190, 140]);
  assert.deepEqual(all.subjects[0].geometry.outDims, [79, 95, 70]);
  assert.ok(all.sliceIndex.every((z) => z >= 0 && z < 70));
  assert.equal(new Set(all.subjectIds).size, 3);
  let lo = Infinity, hi = -Infinity, lesion = 0, lesionOutside = 0;
  for (let i = 0; i < all.images.length; i++) {
    lo = Math.min(lo, all.images[i]);
    hi = Math.max(hi, all.images[i]);
    lesion += all.lesionMasks[i];
    if (all.lesionMasks[i] && !all.brainMasks[i]) lesionOutside++;
  }
  assert.deepEqual([lo, hi], [0, 1], "minmax normalisation to [0, 1]");
  assert.ok(lesion > 100, "pathological subjects carry lesion pixels");
  assert.ok(lesionOutside < 0.05 * lesion, "lesion mask stays within the brain mask");
  // The second load reads the cache instead of preprocessing again (checked on the cache files,
  // never by timing: an atomic rewrite would replace the file, changing its inode).
  const entries = [...Deno.readDirSync(cacheDir)].filter((e) => e.name.endsWith(".bin"));
  assert.equal(entries.length, 3, "one cache entry per subject");
  const marker = `${cacheDir}/${entries[0].name}`;
  const before = Deno.statSync(marker);
  const again = await loadSlices(dir, { split: "all", cacheDir, quiet: true });
  assert.deepEqual(again.images, all.images);
  const after = Deno.statSync(marker);
  assert.deepEqual([after.ino, after.mtime], [before.ino, before.mtime], "cache entry reused");
  // The manifest was written and records every input's sha256.
  assert.equal(again.manifest.subjects.length, 3);
  assert.ok(again.manifest.subjects.every((s) => /^[0-9a-f]{64}$/.test(s.sha256.image)));
});

Deno.test("restoreToScanGeometry() maps the preprocessed lesion mask back onto the scan", async () => {
  const { dir } = await cohort();
  const set = await loadSlices(dir, {
    split: "all",
    cohort: "pathological",
    cacheDir: `${dir}/.cache`,
    quiet: true,
  });
  const s = set.subjects.find((x) => x.layout === "brats")!;
  const g = s.geometry;
  // Rebuild the subject's full preprocessed lesion volume from its slices.
  const [nx, ny, nz] = g.outDims;
  const vol = new Float32Array(nx * ny * nz);
  set.subjectIds.forEach((id, k) => {
    if (id !== s.id) return;
    const z = set.sliceIndex[k];
    for (let i = 0; i < nx * ny; i++) vol[z * nx * ny + i] = set.lesionMasks[k * nx * ny + i];
  });
  const back = restoreToScanGeometry(vol, g);
  const truth = await readNifti(s.mask!);
  assert.deepEqual(back.dims, truth.dims);
  assert.deepEqual(back.affine, truth.affine);
  let inter = 0, a = 0, b = 0;
  for (let i = 0; i < truth.data.length; i++) {
    const p = back.data[i] >= 0.5 ? 1 : 0, t = truth.data[i] > 0 ? 1 : 0;
    inter += p & t;
    a += p;
    b += t;
  }
  const dice = (2 * inter) / (a + b);
  assert.ok(dice > 0.85, `Dice of restored vs original lesion mask ${dice.toFixed(3)}`);
});

Deno.test("loadSlices() rejects data that changed since the manifest was written", async () => {
  const { dir, summary } = await cohort();
  const manifestPath = `${dir}/manifest.json`;
  await loadSlices(dir, { split: "train", manifestPath, cacheDir: `${dir}/.cache`, quiet: true });
  const s = summary.subjects.find((x) => x.kind === "stroke")!;
  const f = `${dir}/${s.mask}`;
  const bytes = await Deno.readFile(f);
  await Deno.writeFile(f, bytes.subarray(0, bytes.length - 1));
  try {
    await assert.rejects(
      () => loadSlices(dir, { split: "train", manifestPath, quiet: true }),
      /lesion_mask\.nii\.gz: sha256 differs from the split manifest/,
    );
  } finally {
    await Deno.writeFile(f, bytes);
  }
});
