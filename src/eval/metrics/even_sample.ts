// At most n values of a list at evenly spaced places, its first and last always among them: how
// eval.json keeps plot curves (a curve keeps both its ends, e.g. the PR curve's recall-0 point)
// and the score lists behind the report's histograms.

/** xs itself when it has at most n values, else n values at indices round(i·(len − 1)/(n − 1)). */
export function evenSample(xs: ArrayLike<number>, n: number): number[] {
  if (xs.length <= n) return Array.from(xs);
  if (n <= 1) return n === 1 ? [xs[0]] : [];
  return Array.from({ length: n }, (_, i) => xs[Math.round((i * (xs.length - 1)) / (n - 1))]);
}
