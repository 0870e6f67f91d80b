// Report panels are drawn at a readable size: every slice is enlarged by a whole factor (nearest
// neighbour, so each voxel stays a sharp square and no value is invented) until its short side
// is at least PANEL_MIN_PX pixels; 95×79 slices become 380×316, 64×64 images 256×256.

/** The short side of a panel image, at least (pixels). */
export const PANEL_MIN_PX = 256;

/** The whole enlargement factor that brings an H×W slice to at least PANEL_MIN_PX a side. */
export function panelZoom(H: number, W: number): number {
  return Math.max(1, Math.ceil(PANEL_MIN_PX / Math.min(H, W)));
}

/** [H, W] (row-major) → [H·k, W·k], each value repeated over a k×k block. */
export function nearestUpsample(
  v: ArrayLike<number>,
  H: number,
  W: number,
  k: number,
): Float32Array {
  const out = new Float32Array(H * k * W * k), Wk = W * k;
  for (let y = 0; y < H * k; y++) {
    const row = Math.floor(y / k) * W;
    for (let x = 0; x < Wk; x++) out[y * Wk + x] = v[row + Math.floor(x / k)];
  }
  return out;
}
