// Selection of the value of a given rank without a full sort (Hoare's quickselect, median-of-three
// pivot): the median filters take the median of each window, and intensity clipping the brain's
// percentiles of a million-voxel scan, where sorting was most of the time. Shared through util/
// by data and eval.

/** Rearranges a[lo..hi] so that a[k] holds the value of rank k (0-based) and returns it; values
 * left of k are ≤ it, right of k ≥ it. The values must not be NaN. */
export function selectRank(
  a: Float32Array | Float64Array,
  k: number,
  lo = 0,
  hi = a.length - 1,
): number {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three as the pivot keeps sorted windows (flat background) linear
    let x = a[lo], y = a[mid], z = a[hi];
    if (x > y) [x, y] = [y, x];
    if (y > z) [y, z] = [z, y];
    if (x > y) y = x;
    const pivot = y;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}
