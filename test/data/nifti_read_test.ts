/** readNifti() against nibabel: hand-made files of every datatype/orientation and real files. */
import assert from "node:assert/strict";
import { orientationCode, readNifti } from "../../src/data/mod.ts";
import { assertClose } from "../assert.ts";
import { assertAffineClose, fixture, fixturePath } from "./_assert_close.ts";

interface Case {
  dims: number[];
  pixdim: number[];
  affine: number[][];
  axcodes: string;
  datatype: string;
  data: number[];
  canonical: { dims: number[]; affine: number[][]; data: number[] };
}
const handmade = fixture<Record<string, Case>>("handmade.json");

for (const [file, want] of Object.entries(handmade)) {
  Deno.test(`readNifti() matches nibabel on ${file}`, async () => {
    const vol = await readNifti(fixturePath(`handmade/${file}`));
    assert.deepEqual(vol.dims, want.dims);
    assert.equal(vol.datatype, want.datatype);
    assertClose(vol.pixdim, want.pixdim, { atol: 1e-5, rtol: 1e-5, name: `${file} pixdim` });
    assertAffineClose(vol.affine, want.affine, `${file} affine`);
    assert.equal(orientationCode(vol.affine), want.axcodes);
    // float32 storage of int32/uint32 extremes rounds: compare with relative tolerance.
    assertClose(vol.data, want.data, { atol: 1e-3, rtol: 1e-6, name: `${file} data` });
  });
  Deno.test(`readNifti() canonical matches nibabel as_closest_canonical on ${file}`, async () => {
    const vol = await readNifti(fixturePath(`handmade/${file}`), { canonical: true });
    assert.deepEqual(vol.dims, want.canonical.dims);
    assertAffineClose(vol.affine, want.canonical.affine, `${file} canonical affine`);
    assertClose(vol.data, want.canonical.data, {
      atol: 1e-3,
      rtol: 1e-6,
      name: `${file} canonical data`,
    });
    assert.equal(orientationCode(vol.affine), "RAS");
  });
}

interface Real {
  dims: number[];
  affine: number[][];
  axcodes: string;
  datatype: string;
  sum: number;
  min: number;
  max: number;
  index: number[];
  values: number[];
  canonical: { dims: number[]; affine: number[][]; values: number[]; sum: number };
}
const real = fixture<Record<string, Real>>("nibabel.json");

for (const [file, want] of Object.entries(real)) {
  Deno.test(`readNifti() matches nibabel on its test file ${file}`, async () => {
    const vol = await readNifti(fixturePath(`nibabel/${file}`));
    assert.deepEqual(vol.dims, want.dims);
    assert.equal(vol.datatype, want.datatype);
    assertAffineClose(vol.affine, want.affine, `${file} affine`);
    assert.equal(orientationCode(vol.affine), want.axcodes);
    assertClose(want.index.map((i) => vol.data[i]), want.values, {
      atol: 1e-5,
      rtol: 1e-5,
      name: `${file} sampled voxels`,
    });
    let sum = 0, min = Infinity, max = -Infinity;
    for (const v of vol.data) {
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertClose([sum, min, max], [want.sum, want.min, want.max], {
      atol: 1e-3,
      rtol: 1e-5,
      name: `${file} sum/min/max`,
    });
    const can = await readNifti(fixturePath(`nibabel/${file}`), { canonical: true });
    assert.deepEqual(can.dims, want.canonical.dims);
    assertAffineClose(can.affine, want.canonical.affine, `${file} canonical affine`);
    assertClose(want.index.map((i) => can.data[i]), want.canonical.values, {
      atol: 1e-5,
      rtol: 1e-5,
      name: `${file} canonical`,
    });
  });
}

Deno.test("readNifti() reads bytes as well as paths", async () => {
  const bytes = await Deno.readFile(fixturePath("nibabel/standard.nii.gz"));
  const vol = await readNifti(bytes, { name: "standard" });
  assert.deepEqual(vol.dims, real["standard.nii.gz"].dims);
});

interface Colin {
  source_shape: number[];
  world: number[][];
  values: number[];
  sum: number;
  nonzero: number;
}

Deno.test("readNifti() on the shipped Colin27 copy matches the Debian ch2bet voxels", async () => {
  const want = fixture<Colin>("colin27.json");
  const path = new URL("../../data/colin27/colin27_t1_brain.nii.gz", import.meta.url).pathname;
  const vol = await readNifti(path, { canonical: true });
  assert.equal(orientationCode(vol.affine), "RAS");
  const [nx, ny] = vol.dims;
  const got = want.world.map(([x, y, z]) => {
    // Colin is axis-aligned at 1 mm: world → voxel is a translation.
    const i = Math.round(x - vol.affine[0][3]);
    const j = Math.round(y - vol.affine[1][3]);
    const k = Math.round(z - vol.affine[2][3]);
    const inside = i >= 0 && j >= 0 && k >= 0 && i < nx && j < ny && k < vol.dims[2];
    return inside ? vol.data[i + nx * (j + ny * k)] : 0;
  });
  assertClose(got, want.values, { atol: 0, rtol: 1e-5, name: "Colin27 sampled voxels" });
  let sum = 0, nonzero = 0;
  for (const v of vol.data) {
    sum += v;
    if (v > 0) nonzero++;
  }
  assert.equal(sum, want.sum);
  assert.equal(nonzero, want.nonzero);
});
