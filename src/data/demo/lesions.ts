/**
 * Synthetic lesions painted into a warped demo brain (1 mm grid, T1 contrast):
 *  - tumour (glioma-like, BraTS labels): necrotic hypointense core (1), hyperintense enhancing
 *    rim (4), heterogeneous solid part (1), hypointense oedema ring (2); irregular outline;
 *  - stroke (ATLAS-like): smaller hypointense, CSF-like infarcts with a soft edge (label 1).
 * Shapes are spheres whose radius is modulated by a smooth random field, so outlines are lobulated.
 * Only brain voxels (> 0) are changed; background stays 0.
 * @module
 */
import type { Prng } from "../../core/prng.ts";
import { smoothField } from "./smooth_field.ts";

/** Where and how big a lesion is (voxels of the working grid). */
export interface LesionSpec {
  kind: "tumour" | "stroke";
  centre: [number, number, number];
  radius: number;
}

type Painter = (rn: number, value: number, texture: number) => [number, number];

/** Paints one lesion in place; returns the number of voxels labelled. */
export function paintLesion(
  image: Float32Array,
  labels: Uint8Array,
  dims: readonly number[],
  spec: LesionSpec,
  rng: Prng,
  tissue: number,
): number {
  const outline = smoothField(rng, dims, 0.3, spec.radius * 1.5, 4);
  const texture = smoothField(rng, dims, spec.kind === "tumour" ? 0.3 : 0.15, 4, 6);
  const reach = spec.kind === "tumour" ? 1.6 : 1.05;
  const paint = spec.kind === "tumour" ? _tumour(tissue) : _stroke(tissue);
  const [nx, ny, nz] = dims;
  const [cx, cy, cz] = spec.centre;
  const R = spec.radius * 1.3 * reach;
  let count = 0;
  for (let z = Math.max(0, Math.floor(cz - R)); z <= Math.min(nz - 1, Math.ceil(cz + R)); z++) {
    for (let y = Math.max(0, Math.floor(cy - R)); y <= Math.min(ny - 1, Math.ceil(cy + R)); y++) {
      for (let x = Math.max(0, Math.floor(cx - R)); x <= Math.min(nx - 1, Math.ceil(cx + R)); x++) {
        const i = x + nx * (y + ny * z);
        if (image[i] <= 0) continue;
        const d = Math.hypot(x - cx, y - cy, z - cz);
        const rn = d / (spec.radius * (1 + outline.at(x, y, z)));
        if (rn >= reach) continue;
        const [v, label] = paint(rn, image[i], texture.at(x, y, z));
        image[i] = Math.max(1, v);
        if (label === 0) continue;
        if (labels[i] === 0) count++;
        // Core labels (1, 4) win over oedema (2) where lesions overlap.
        if (labels[i] === 0 || labels[i] === 2) labels[i] = label;
      }
    }
  }
  return count;
}

function _smoothstep(a: number, b: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - a) / (b - a)));
  return t * t * (3 - 2 * t);
}

function _tumour(tissue: number): Painter {
  return (rn, v, tex) => {
    if (rn < 0.45) return [tissue * (0.35 + tex), 1]; // necrosis
    if (rn < 0.7) return [tissue * (1.4 + tex), 4]; // enhancing rim
    if (rn < 1.0) return [tissue * (0.75 + 1.5 * tex) + 0.2 * v, 1]; // heterogeneous solid part
    // Oedema: a hypointense ring fading into normal tissue.
    const w = 1 - _smoothstep(1.0, 1.6, rn);
    return [v * (1 - 0.3 * w), w > 0.3 ? 2 : 0];
  };
}

function _stroke(tissue: number): Painter {
  return (rn, v, tex) => {
    const w = 1 - _smoothstep(0.8, 1.05, rn);
    return [v * (1 - w) + w * tissue * (0.3 + 0.5 * tex), rn < 0.95 ? 1 : 0];
  };
}
