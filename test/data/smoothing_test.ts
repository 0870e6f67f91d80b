/**
 * curvatureFlow() and anisotropicDiffusion(): no fixture exists (no ITK here), so they are checked
 * against what defines them — a planar edge is (nearly) a fixed point, noise shrinks while a step
 * edge stays sharper than under a Gaussian.
 */
import assert from "node:assert/strict";
import {
  anisotropicDiffusion,
  curvatureFlow,
  gaussianBlur,
  type Grid3,
  Prng,
} from "../../src/data/mod.ts";

const dims: [number, number, number] = [24, 24, 24];
const n = 24 ** 3;

function stepWithNoise(sigma: number): { noisy: Grid3; clean: Float32Array } {
  const rng = new Prng(5);
  const clean = new Float32Array(n);
  const noisy = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    clean[i] = i % 24 < 12 ? 100 : 200;
    noisy[i] = clean[i] + sigma * rng.normal();
  }
  return { noisy: { data: noisy, dims }, clean };
}

function interiorRmse(a: Float32Array, b: Float32Array, region: (x: number) => boolean): number {
  let s = 0, c = 0;
  for (let i = 0; i < n; i++) {
    const x = i % 24, y = Math.floor(i / 24) % 24, z = Math.floor(i / 576);
    if (x < 2 || x > 21 || y < 2 || y > 21 || z < 2 || z > 21 || !region(x)) continue;
    s += (a[i] - b[i]) ** 2;
    c++;
  }
  return Math.sqrt(s / c);
}

for (
  const [name, smooth] of [["curvatureFlow", (g: Grid3) => curvatureFlow(g, { iterations: 10 })], [
    "anisotropicDiffusion",
    (g: Grid3) => anisotropicDiffusion(g, { iterations: 10, conductance: 30 }),
  ]] as const
) {
  Deno.test(`${name}() leaves a clean step edge (nearly) unchanged`, () => {
    const { clean } = stepWithNoise(0);
    const out = smooth({ data: clean.slice(), dims });
    // Curvature flow keeps a planar edge exactly; Perona–Malik leaks exp(−(100/K)²) per step.
    const worst = out.data.findIndex((v, i) => Math.abs(v - clean[i]) > 0.05);
    assert.equal(worst, -1, `changed voxel ${worst}`);
  });

  Deno.test(`${name}() removes noise but keeps the edge sharper than a Gaussian`, () => {
    const { noisy, clean } = stepWithNoise(10);
    const out = smooth(noisy);
    const flat = (x: number) => x < 9 || x > 14;
    const edge = (x: number) => x === 11 || x === 12;
    const before = interiorRmse(noisy.data, clean, flat);
    const after = interiorRmse(out.data, clean, flat);
    assert.ok(after < 0.75 * before, `noise ${before.toFixed(2)} → ${after.toFixed(2)}`);
    // Noise goes down while the edge stays far sharper than under a σ = 1 Gaussian.
    const g = gaussianBlur(noisy, [1, 1, 1]);
    assert.ok(interiorRmse(out.data, clean, edge) < 0.5 * interiorRmse(g.data, clean, edge));
  });
}
