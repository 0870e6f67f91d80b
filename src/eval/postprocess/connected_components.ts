// Connected-component labelling of 0/1 masks (2D per slice, or 3D) and removal of small components
// (per slice, or in 3D as the first study does before its per-volume Dice).
// Labels are numbered 1..count in raster order of each component's first pixel, as
// scipy.ndimage.label numbers them; 0 is background.

import { _checkLabels, _sliceCount, type Labels } from "../_validate.ts";

/** A labelled mask: labels[i] in 0..count, sizes[l] = pixel count of label l (sizes[0] unused). */
export interface ComponentLabels {
  labels: Int32Array;
  count: number;
  sizes: Int32Array;
}

function _find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    parent[i] = parent[parent[i]]; // path halving
    i = parent[i];
  }
  return i;
}

/** Neighbour offsets (dz, dy, dx) preceding the centre in raster order, for a connectivity. */
function _previousOffsets(connectivity: number, threeD: boolean): number[][] {
  const maxNonZero = threeD ? { 6: 1, 18: 2, 26: 3 }[connectivity] : { 4: 1, 8: 2 }[connectivity];
  if (maxNonZero === undefined) {
    throw new Error(
      `connectivity ${connectivity} is not supported; use ${threeD ? "6, 18 or 26" : "4 or 8"}`,
    );
  }
  const out: number[][] = [];
  for (const dz of threeD ? [-1, 0] : [0]) {
    for (const dy of [-1, 0, 1]) {
      for (const dx of [-1, 0, 1]) {
        const before = dz < 0 || (dz === 0 && (dy < 0 || (dy === 0 && dx < 0)));
        if (before && Math.abs(dz) + Math.abs(dy) + Math.abs(dx) <= maxNonZero) {
          out.push([dz, dy, dx]);
        }
      }
    }
  }
  return out;
}

/** Two-pass union-find labelling of a [depth, height, width] block. */
function _label(
  mask: Labels,
  depth: number,
  height: number,
  width: number,
  offsets: number[][],
): ComponentLabels {
  const n = depth * height * width, plane = height * width;
  const parent = new Int32Array(n).fill(-1);
  for (let z = 0; z < depth; z++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = z * plane + y * width + x;
        if (mask[i] === 0) continue;
        parent[i] = i;
        for (const [dz, dy, dx] of offsets) {
          const zz = z + dz, yy = y + dy, xx = x + dx;
          if (zz < 0 || yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
          const j = zz * plane + yy * width + xx;
          if (parent[j] < 0) continue;
          const a = _find(parent, i), b = _find(parent, j);
          // keep the smaller index as root so the root is the component's first raster pixel
          if (a !== b) a < b ? (parent[b] = a) : (parent[a] = b);
        }
      }
    }
  }
  const labels = new Int32Array(n);
  const sizeList = [0];
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (parent[i] < 0) continue;
    const root = _find(parent, i);
    if (root === i) {
      labels[i] = ++count;
      sizeList.push(0);
    } else labels[i] = labels[root];
    sizeList[labels[i]]++;
  }
  return { labels, count, sizes: Int32Array.from(sizeList) };
}

/**
 * Labels each [height, width] slice of `mask` (a stack [slices, height, width] is allowed) on its
 * own with 4- or 8-connectivity; numbering continues across slices in raster order, equal to
 * scipy.ndimage.label with a (3,3,3) structure whose off-centre planes are zero.
 */
export function labelComponents2d(
  mask: Labels,
  height: number,
  width: number,
  connectivity = 8,
): ComponentLabels {
  const slices = _sliceCount("labelComponents2d()", mask.length, height, width);
  _checkLabels("labelComponents2d()", mask, "mask");
  return _label(mask, slices, height, width, _previousOffsets(connectivity, false));
}

/**
 * Labels a [depth, height, width] volume with 6-, 18- or 26-connectivity
 * (scipy.ndimage.label with generate_binary_structure(3, 1 | 2 | 3)).
 */
export function labelComponents3d(
  mask: Labels,
  depth: number,
  height: number,
  width: number,
  connectivity = 26,
): ComponentLabels {
  const fn = "labelComponents3d()";
  if (mask.length !== depth * height * width) {
    throw new Error(
      `${fn}: length ${mask.length} != depth*height*width = ${depth * height * width}`,
    );
  }
  _checkLabels(fn, mask, "mask");
  return _label(mask, depth, height, width, _previousOffsets(connectivity, true));
}

/**
 * skimage `remove_small_objects(mask.astype(bool), min_size, connectivity)` on each
 * [height, width] slice: components with fewer than `minSize` pixels are removed
 * (connectivity 8 = skimage's connectivity=2, 4 = connectivity=1). Returns a new 0/1 mask.
 */
export function removeSmallComponents(
  mask: Labels,
  height: number,
  width: number,
  minSize = 7,
  connectivity = 8,
): Uint8Array {
  if (!Number.isInteger(minSize) || minSize < 0) {
    throw new Error(`removeSmallComponents(): minSize ${minSize} must be a non-negative integer`);
  }
  const { labels, sizes } = labelComponents2d(mask, height, width, connectivity);
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = labels[i] > 0 && sizes[labels[i]] >= minSize ? 1 : 0;
  }
  return out;
}

/**
 * skimage `remove_small_objects(mask.astype(bool), min_size, connectivity)` on a
 * [depth, height, width] volume: 3D components with fewer than `minSize` voxels are removed
 * (connectivity 26 = skimage's connectivity=3, 18 = 2, 6 = 1). Returns a new 0/1 mask.
 */
export function removeSmallComponents3d(
  mask: Labels,
  depth: number,
  height: number,
  width: number,
  minSize = 7,
  connectivity = 26,
): Uint8Array {
  if (!Number.isInteger(minSize) || minSize < 0) {
    throw new Error(`removeSmallComponents3d(): minSize ${minSize} must be a non-negative integer`);
  }
  const { labels, sizes } = labelComponents3d(mask, depth, height, width, connectivity);
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = labels[i] > 0 && sizes[labels[i]] >= minSize ? 1 : 0;
  }
  return out;
}
