// Input checks shared by every metric in src/eval: one-line Errors that name the function and the
// problem, so a bad call never yields a silent wrong number.

/** Scores accepted by the metrics: any numeric array-like; Float32Array takes the fastest path. */
export type Scores = Float32Array | Float64Array | ArrayLike<number>;
/** Binary labels or masks: 0/1 values (Uint8Array preferred). */
export type Labels = Uint8Array | ArrayLike<number>;

/** Throws unless every score is finite (NaN and ±Infinity are rejected, like scikit-learn). */
export function _checkScores(fn: string, scores: Scores): void {
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (!Number.isFinite(s)) throw new Error(`${fn}: scores[${i}] is ${s}; scores must be finite`);
  }
}

/** Throws unless every label is exactly 0 or 1. */
export function _checkLabels(fn: string, labels: Labels, name = "labels"): void {
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l !== 0 && l !== 1) throw new Error(`${fn}: ${name}[${i}] is ${l}; expected 0 or 1`);
  }
}

/** Throws unless the two arrays have the same length. */
export function _checkSameLength(
  fn: string,
  a: ArrayLike<unknown>,
  b: ArrayLike<unknown>,
  names = ["scores", "labels"],
): void {
  if (a.length !== b.length) {
    throw new Error(
      `${fn}: ${names[0]} has length ${a.length} but ${names[1]} has length ${b.length}`,
    );
  }
}

/** Checks scores and labels together: same length, non-empty, finite scores, 0/1 labels. */
export function _checkScoresLabels(fn: string, scores: Scores, labels: Labels): void {
  _checkSameLength(fn, scores, labels);
  if (scores.length === 0) throw new Error(`${fn}: scores and labels are empty`);
  _checkScores(fn, scores);
  _checkLabels(fn, labels);
}

/** Throws unless `length` is a whole number of slices of height×width; returns the slice count. */
export function _sliceCount(fn: string, length: number, height: number, width: number): number {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new Error(`${fn}: height ${height} and width ${width} must be positive integers`);
  }
  const plane = height * width;
  if (length === 0 || length % plane !== 0) {
    throw new Error(
      `${fn}: length ${length} is not a whole number of ${height}x${width} slices`,
    );
  }
  return length / plane;
}
