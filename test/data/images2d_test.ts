/** decodeImage(), resizeBilinear(), loadImages2D() and augment2D() against Pillow fixtures. */
import assert from "node:assert/strict";
import { augment2D, decodeImage, loadImages2D, Prng, resizeBilinear } from "../../src/data/mod.ts";
import { assertClose } from "../assert.ts";
import { fixture, fixturePath } from "./_assert_close.ts";

interface Fx {
  grey: number[];
  w: number;
  h: number;
  resize128: number[];
  resize16x12: number[];
  rgb_luma: number[];
}
const fx = fixture<Fx>("images2d.json");

Deno.test("decodeImage() reads 8-bit, 16-bit and RGB PNG exactly", async () => {
  const a = await decodeImage(fixturePath("images2d/healthy/a.png"));
  assert.deepEqual([a.width, a.height], [fx.w, fx.h]);
  assertClose(a.data, fx.grey.map((v) => v / 255), { atol: 1e-6, rtol: 1e-5, name: "8-bit" });
  const b = await decodeImage(fixturePath("images2d/healthy/b16.png"));
  assertClose(b.data, fx.grey.map((v) => v / 255), { atol: 1e-6, rtol: 1e-5, name: "16-bit" });
  const d = await decodeImage(fixturePath("images2d/glioma/d.png"));
  assertClose(d.data, fx.rgb_luma.map((v) => v / 255), {
    atol: 1e-5,
    rtol: 1e-5,
    name: "RGB luma",
  });
});

Deno.test("decodeImage() reads RGB JPEG close to the lossless original", async () => {
  const c = await decodeImage(fixturePath("images2d/glioma/c.jpg"));
  assertClose(c.data, fx.rgb_luma.map((v) => v / 255), {
    atol: 0.08,
    rtol: 1e-5,
    name: "JPEG luma",
  });
});

Deno.test("resizeBilinear() matches Pillow BILINEAR up and down", () => {
  const src = Float32Array.from(fx.grey, (v) => v / 255);
  assertClose(resizeBilinear(src, fx.w, fx.h, 128, 128), fx.resize128, {
    atol: 1e-5,
    rtol: 1e-5,
    name: "128×128",
  });
  assertClose(resizeBilinear(src, fx.w, fx.h, 16, 12), fx.resize16x12, {
    atol: 1e-5,
    rtol: 1e-5,
    name: "16×12",
  });
});

Deno.test("loadImages2D() gives [N,128,128] in [−1, 1] with class labels", async () => {
  const set = await loadImages2D(fixturePath("images2d"));
  assert.equal(set.N, 4);
  assert.equal(set.images.length, 4 * 128 * 128);
  assert.deepEqual(set.classNames, ["glioma", "healthy"]);
  assert.deepEqual(set.healthy, [false, false, true, true]);
  const first = set.images.subarray(2 * 128 * 128, 3 * 128 * 128); // healthy/a.png
  assertClose(first, fx.resize128.map((v) => 2 * v - 1), {
    atol: 1e-5,
    rtol: 1e-5,
    name: "normalised",
  });
});

Deno.test("loadImages2D() rejects a folder without class sub-folders", async () => {
  await assert.rejects(() => loadImages2D(fixturePath("nibabel")), /no PNG\/JPEG files/);
});

Deno.test("augment2D() is seeded, stays in [−1, 1] and is the identity when disabled", () => {
  const img = Float32Array.from({ length: 2 * 16 * 16 }, (_, i) => Math.sin(i) * 0.9);
  const a = augment2D(img, 16, 16, new Prng(1));
  const b = augment2D(img, 16, 16, new Prng(1));
  assert.deepEqual(a, b);
  assert.ok(a.every((v) => v >= -1 && v <= 1));
  assert.notDeepEqual(a, img);
  const id = augment2D(img, 16, 16, new Prng(1), { rotationDeg: 0, flip: false, contrast: 0 });
  assertClose(id, img, { atol: 1e-6, rtol: 1e-5, name: "identity" });
});
