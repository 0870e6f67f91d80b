/** readNifti() and checkSameGrid() turn each kind of bad input into a one-line DataError. */
import assert from "node:assert/strict";
import { gunzipSync } from "fflate";
import { checkSameGrid, DataError, readNifti } from "../../src/data/mod.ts";
import { fixturePath } from "./_assert_close.ts";

const anatomical = Deno.readFileSync(fixturePath("nibabel/anatomical.nii"));

async function expectError(bytes: Uint8Array, pattern: RegExp): Promise<void> {
  await assert.rejects(() => readNifti(bytes, { name: "bad.nii" }), (e: unknown) => {
    assert.ok(e instanceof DataError, `expected DataError, got ${e}`);
    assert.match(e.message, /^bad\.nii: /);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes("\n"), "message must be one line");
    return true;
  });
}

function patched(edit: (v: DataView) => void, src = anatomical): Uint8Array {
  const copy = src.slice();
  edit(new DataView(copy.buffer));
  return copy;
}

Deno.test("readNifti() rejects a truncated gzip stream", async () => {
  const gz = Deno.readFileSync(fixturePath("nibabel/example_nifti2.nii.gz"));
  await expectError(gz.subarray(0, gz.length >> 1), /truncated gzip/);
});

Deno.test("readNifti() rejects a wrong magic", async () => {
  await expectError(patched((v) => v.setUint8(344, 0x78)), /bad NIfTI magic/);
});

Deno.test("readNifti() rejects a wrong sizeof_hdr", async () => {
  await expectError(patched((v) => v.setInt32(0, 123, false)), /sizeof_hdr is/);
});

Deno.test("readNifti() rejects a file shorter than a header", async () => {
  await expectError(anatomical.subarray(0, 100), /too short for a NIfTI header/);
});

Deno.test("readNifti() rejects zero and negative dims", async () => {
  // anatomical.nii is big-endian: dim[2] is the int16 at byte 44.
  await expectError(patched((v) => v.setInt16(44, 0, false)), /invalid dims \[33, 0, 25\]/);
  await expectError(patched((v) => v.setInt16(44, -3, false)), /invalid dims/);
});

Deno.test("readNifti() rejects data shorter than the header promises", async () => {
  await expectError(anatomical.subarray(0, anatomical.length - 10), /data shorter than the header/);
});

Deno.test("readNifti() rejects NaN voxels", async () => {
  const bytes = Deno.readFileSync(fixturePath("handmade/bad_nan.nii"));
  await expectError(bytes, /non-finite voxel value \(NaN\) at index 27/);
});

Deno.test("readNifti() rejects Inf produced by scaling", async () => {
  // anatomical is big-endian int16: a slope of 1e38 overflows float32 for most voxels.
  await expectError(patched((v) => v.setFloat32(112, 1e38, false)), /non-finite voxel/);
});

Deno.test("readNifti() names the path of a missing file", async () => {
  await assert.rejects(
    () => readNifti("/nonexistent/x.nii.gz"),
    /^DataError: \/nonexistent\/x\.nii\.gz: cannot read/,
  );
});

Deno.test("checkSameGrid() rejects an image and mask of different shape", async () => {
  const img = await readNifti(fixturePath("handmade/float32_le_ASL.nii"));
  const mask = await readNifti(fixturePath("handmade/mask_5x4x2.nii"));
  assert.throws(
    () => checkSameGrid({ ...img, affine: mask.affine }, mask, "m.nii"),
    /^DataError: m\.nii: mask shape 5×4×2 differs from image shape 5×4×3$/,
  );
});

Deno.test("checkSameGrid() rejects a mask in another space", async () => {
  const img = await readNifti(fixturePath("handmade/float32_le_ASL.nii"));
  const other = {
    ...img,
    affine: img.affine.map((r, i) => (i === 0 ? [r[0], r[1], r[2], r[3] + 5] : r)),
  };
  assert.throws(() => checkSameGrid(img, other, "m.nii"), /mask affine differs/);
});

Deno.test("readNifti() error check covers gunzip of valid files (sanity)", () => {
  const gz = Deno.readFileSync(fixturePath("nibabel/example_nifti2.nii.gz"));
  assert.ok(gunzipSync(gz).length > 540);
});
