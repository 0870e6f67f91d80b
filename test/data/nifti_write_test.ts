/** writeNifti() round trips: data, affine (sform and qform) and datatypes. */
import assert from "node:assert/strict";
import { gunzipSync, gzipSync } from "fflate";
import { readNifti, writeNifti } from "../../src/data/mod.ts";
import { assertClose } from "../assert.ts";
import { assertAffineClose, fixturePath } from "./_assert_close.ts";
import { tempDir } from "../temp_dir.ts";

const files = [
  "nibabel/anatomical.nii",
  "handmade/float64_le_oblique.nii",
  "handmade/int8_be_PIR.nii",
];

for (const file of files) {
  Deno.test(`writeNifti() anomaly map reads back with the same affine (${file})`, async () => {
    const src = await readNifti(fixturePath(file));
    const dir = await tempDir("neurad-nifti-");
    try {
      const map = { ...src, data: src.data.map((v, i) => v * 0.001 + (i % 7)) };
      const out = `${dir}/map.nii.gz`;
      await writeNifti(out, map);
      const back = await readNifti(out);
      assert.deepEqual(back.dims, src.dims);
      assert.equal(back.datatype, "float32");
      assertAffineClose(back.affine, src.affine, "sform", 1e-5);
      assertClose(back.data, map.data, { atol: 0, rtol: 0, name: "data" });
      // Viewers that use the qform must see the same space: drop the sform and read again.
      const raw = gunzipSync(await Deno.readFile(out));
      new DataView(raw.buffer).setInt16(254, 0, true);
      const qonly = await readNifti(gzipSync(raw), { name: "qform-only" });
      assertAffineClose(qonly.affine, src.affine, "qform", 1e-4);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("writeNifti() writes int16 and uint8 with rounding and clamping", async () => {
  const src = await readNifti(fixturePath("nibabel/standard.nii.gz"));
  const dir = await tempDir("neurad-nifti-");
  try {
    const data = src.data.map((_, i) => i * 1000.4 - 40000);
    await writeNifti(`${dir}/a.nii`, { ...src, data }, { datatype: "int16" });
    const a = await readNifti(`${dir}/a.nii`);
    assert.equal(a.datatype, "int16");
    assertClose(a.data, data.map((v) => Math.max(-32768, Math.min(32767, Math.round(v)))), {
      atol: 0,
      rtol: 1e-5,
      name: "int16",
    });
    await writeNifti(`${dir}/b.nii.gz`, { ...src, data }, { datatype: "uint8" });
    const b = await readNifti(`${dir}/b.nii.gz`);
    assertClose(b.data, data.map((v) => Math.max(0, Math.min(255, Math.round(v)))), {
      atol: 0,
      rtol: 1e-5,
      name: "uint8",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeNifti() output is byte-identical across runs", async () => {
  const src = await readNifti(fixturePath("nibabel/anatomical.nii"));
  const dir = await tempDir("neurad-nifti-");
  try {
    await writeNifti(`${dir}/a.nii.gz`, src);
    await writeNifti(`${dir}/b.nii.gz`, src);
    assert.deepEqual(
      await Deno.readFile(`${dir}/a.nii.gz`),
      await Deno.readFile(`${dir}/b.nii.gz`),
    );
    assert.deepEqual([...Deno.readDirSync(dir)].length, 2, "no temp files left behind");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeNifti() rejects data that does not fill the dims", async () => {
  const src = await readNifti(fixturePath("nibabel/standard.nii.gz"));
  await assert.rejects(
    () => writeNifti("/tmp/never.nii", { ...src, data: new Float32Array(3) }),
    /never\.nii: data has 3 voxels but dims promise 140/,
  );
});
