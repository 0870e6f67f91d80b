// Exact sort of scores split by class: the one O(n log n) step behind every ranking metric.
// Float32 scores go through a 3-pass LSD radix sort on their bit patterns (about 10x faster than
// TypedArray.prototype.sort at 10^7); other inputs are sorted as Float64Array.

import { _checkScoresLabels, type Labels, type Scores } from "../_validate.ts";

/** Scores of each class, each sorted ascending. */
export interface ScoresByClass {
  positives: Float32Array | Float64Array;
  negatives: Float32Array | Float64Array;
}

/** Splits `scores` by `labels` (1 = positive) and sorts each part ascending; validates inputs. */
export function sortScoresByClass(
  scores: Scores,
  labels: Labels,
  fn = "sortScoresByClass()",
): ScoresByClass {
  _checkScoresLabels(fn, scores, labels);
  let nPos = 0;
  for (let i = 0; i < labels.length; i++) nPos += labels[i];
  const f32 = scores instanceof Float32Array;
  const pos = f32 ? new Float32Array(nPos) : new Float64Array(nPos);
  const neg = f32 ? new Float32Array(scores.length - nPos) : new Float64Array(scores.length - nPos);
  let p = 0, q = 0;
  for (let i = 0; i < scores.length; i++) {
    // +0 normalises -0, which is equal to 0 but has a different bit pattern for the radix sort.
    if (labels[i] === 1) pos[p++] = scores[i] + 0;
    else neg[q++] = scores[i] + 0;
  }
  if (f32) {
    return {
      positives: radixSortFloat32(pos as Float32Array),
      negatives: radixSortFloat32(neg as Float32Array),
    };
  }
  return { positives: pos.sort(), negatives: neg.sort() };
}

/** Sorts finite float32 values ascending (returns a new array; -0 must already be +0). */
export function radixSortFloat32(values: Float32Array): Float32Array {
  const n = values.length;
  const bits = new Uint32Array(values.buffer, values.byteOffset, n);
  let keys = new Uint32Array(n);
  // Map IEEE bits to unsigned keys that sort like the floats: flip all bits of negatives,
  // set the sign bit of positives.
  for (let i = 0; i < n; i++) {
    const x = bits[i];
    keys[i] = x & 0x80000000 ? ~x >>> 0 : (x | 0x80000000) >>> 0;
  }
  let tmp = new Uint32Array(n);
  const counts = new Uint32Array(3 * 2048); // three 11-bit digits cover 32 bits
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    counts[k & 2047]++;
    counts[2048 + ((k >>> 11) & 2047)]++;
    counts[4096 + (k >>> 22)]++;
  }
  for (let pass = 0; pass < 3; pass++) {
    const off = pass * 2048;
    let sum = 0;
    for (let d = 0; d < 2048; d++) {
      const c = counts[off + d];
      counts[off + d] = sum;
      sum += c;
    }
    const shift = pass * 11;
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      tmp[counts[off + ((k >>> shift) & 2047)]++] = k;
    }
    const swap = keys;
    keys = tmp;
    tmp = swap;
  }
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    keys[i] = k & 0x80000000 ? k & 0x7fffffff : ~k >>> 0;
  }
  return new Float32Array(keys.buffer);
}
