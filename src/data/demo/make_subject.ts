/**
 * One synthetic demo subject from the Colin27 template: a smooth random deformation with a small
 * rotation and scaling (plus mass effect around a tumour), then lesions, a multiplicative bias
 * field, contrast (gamma) jitter and Rician noise. Works on the template's cropped grid; the
 * caller places the result in the full Colin grid.
 * @module
 */
import type { Prng } from "../../core/prng.ts";
import type { Template } from "./colin27_template.ts";
import { type LesionSpec, paintLesion } from "./lesions.ts";
import { sampleTrilinear, smoothField } from "./smooth_field.ts";

/** Generator parameters (documented in data/README.md). */
export const DEMO_PARAMS = {
  deformationMm: 3, // peak smooth displacement
  deformationWavelengthMm: 40,
  rotationDeg: 4, // max |angle| about each axis
  scaleJitter: 0.04, // ± isotropic scaling
  biasAmplitude: 0.15, // max |log bias|
  gammaRange: [0.85, 1.15],
  noiseSigmaRange: [0.01, 0.03], // × the output white-matter level
  outputMax: 1000, // template intensity 133 (brightest WM) maps here
  tumourRadiusMm: [15, 26],
  tumourMassEffect: 0.5,
  strokeRadiusMm: [3, 10],
  strokeCount: [1, 3],
};

/** Kind of subject. */
export type DemoKind = "healthy" | "tumour" | "stroke";

/** A generated subject on the template grid. */
export interface DemoSubject {
  image: Float32Array;
  labels: Uint8Array;
  lesions: LesionSpec[];
  lesionVoxels: number;
}

/** Generates one subject of `kind` (deterministic for a given rng state). */
export function makeSubject(t: Template, kind: DemoKind, rng: Prng): DemoSubject {
  const P = DEMO_PARAMS;
  const dims = t.dims;
  const [nx, ny, nz] = dims;
  const c = [nx / 2, ny / 2, nz / 2];
  const rot = _rotation(
    [0, 1, 2].map(() => rng.uniform(-P.rotationDeg, P.rotationDeg) * Math.PI / 180),
  );
  const s = 1 + rng.uniform(-P.scaleJitter, P.scaleJitter);
  const warp = [0, 1, 2].map(() =>
    smoothField(rng, dims, P.deformationMm, P.deformationWavelengthMm)
  );
  const lesions = _placeLesions(t, kind, rng);
  const tumour = lesions.find((l) => l.kind === "tumour");
  const image = new Float32Array(t.data.length);
  let i = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        // Backward map: output voxel → template position.
        const px = (x - c[0]) / s, py = (y - c[1]) / s, pz = (z - c[2]) / s;
        let qx = c[0] + rot[0] * px + rot[1] * py + rot[2] * pz + warp[0].at(x, y, z);
        let qy = c[1] + rot[3] * px + rot[4] * py + rot[5] * pz + warp[1].at(x, y, z);
        let qz = c[2] + rot[6] * px + rot[7] * py + rot[8] * pz + warp[2].at(x, y, z);
        if (tumour) {
          // Mass effect: sample from nearer the tumour centre, so tissue looks pushed outwards.
          const dx = x - tumour.centre[0], dy = y - tumour.centre[1], dz = z - tumour.centre[2];
          const g = P.tumourMassEffect *
            Math.exp(-(dx * dx + dy * dy + dz * dz) / (4 * tumour.radius ** 2));
          qx -= g * dx;
          qy -= g * dy;
          qz -= g * dz;
        }
        const v = sampleTrilinear(t.data, dims, qx, qy, qz);
        image[i] = v >= 0.5 ? v : 0; // keep a crisp skull-stripped edge: background exactly 0
      }
    }
  }
  const labels = new Uint8Array(image.length);
  const tissue = 0.75 * 133; // roughly white-matter level of the template
  let lesionVoxels = 0;
  for (const l of lesions) lesionVoxels += paintLesion(image, labels, dims, l, rng, tissue);
  _contrastBiasNoise(image, dims, rng);
  return { image, labels, lesions, lesionVoxels };
}

function _rotation(a: number[]): number[] {
  const [cx, sx, cy, sy, cz, sz] = [
    Math.cos(a[0]),
    Math.sin(a[0]),
    Math.cos(a[1]),
    Math.sin(a[1]),
    Math.cos(a[2]),
    Math.sin(a[2]),
  ];
  // Rz·Ry·Rx, row-major 3×3.
  return [
    cz * cy,
    cz * sy * sx - sz * cx,
    cz * sy * cx + sz * sx,
    sz * cy,
    sz * sy * sx + cz * cx,
    sz * sy * cx - cz * sx,
    -sy,
    cy * sx,
    cy * cx,
  ];
}

function _placeLesions(t: Template, kind: DemoKind, rng: Prng): LesionSpec[] {
  if (kind === "healthy") return [];
  const P = DEMO_PARAMS;
  const [nx, ny] = t.dims;
  const brain = (x: number, y: number, z: number) => sampleTrilinear(t.data, t.dims, x, y, z) > 20; // inside tissue, not at the ragged edge
  const c = t.dims.map((d) => d / 2);
  const count = kind === "tumour" ? 1 : rng.int(P.strokeCount[0], P.strokeCount[1]);
  const out: LesionSpec[] = [];
  for (let tries = 0; out.length < count && tries < 5000; tries++) {
    const r = kind === "tumour"
      ? rng.uniform(P.tumourRadiusMm[0], P.tumourRadiusMm[1])
      : rng.uniform(P.strokeRadiusMm[0], P.strokeRadiusMm[1]);
    const p = [rng.uniform(0, nx), rng.uniform(0, ny), rng.uniform(0, t.dims[2])];
    const dc = Math.hypot(p[0] - c[0], p[1] - c[1], p[2] - c[2]);
    // Tumours sit in a hemisphere's white matter; strokes half cortical, half subcortical.
    const cortical = kind === "stroke" && out.length % 2 === 0;
    if (kind === "tumour" && (dc < 15 || dc > 45 || Math.abs(p[0] - c[0]) < 12)) continue;
    if (kind === "stroke" && !cortical && dc > 35) continue;
    const probe = cortical ? r * 0.5 : r * 0.8;
    const dirs = [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]];
    const inside = dirs.filter((d) =>
      brain(p[0] + probe * d[0], p[1] + probe * d[1], p[2] + probe * d[2])
    );
    if (!brain(p[0], p[1], p[2]) || inside.length < (cortical ? 4 : 6)) continue;
    // A cortical infarct must touch the surface: some point 2r away is outside the brain.
    if (
      cortical &&
      dirs.every((d) => brain(p[0] + 2 * r * d[0], p[1] + 2 * r * d[1], p[2] + 2 * r * d[2]))
    ) continue;
    out.push({
      kind: kind === "tumour" ? "tumour" : "stroke",
      centre: p as [number, number, number],
      radius: r,
    });
  }
  return out;
}

function _contrastBiasNoise(image: Float32Array, dims: readonly number[], rng: Prng): void {
  const P = DEMO_PARAMS;
  const bias = smoothField(rng, dims, P.biasAmplitude, 120, 3);
  const gamma = rng.uniform(P.gammaRange[0], P.gammaRange[1]);
  const gain = rng.uniform(0.9, 1.1);
  const sigma = rng.uniform(P.noiseSigmaRange[0], P.noiseSigmaRange[1]) * P.outputMax * 0.75;
  const [nx, ny, nz] = dims;
  let i = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        if (image[i] <= 0) continue;
        const v = P.outputMax * gain * Math.pow(image[i] / 133, gamma) * Math.exp(bias.at(x, y, z));
        // Rician magnitude noise, as in real magnitude MR images.
        const re = v + sigma * rng.normal(), im = sigma * rng.normal();
        image[i] = Math.max(1, Math.hypot(re, im));
      }
    }
  }
}
