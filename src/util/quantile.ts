// The one numpy-exact quantile (numpy's default "linear" method, reproduced to the bit: the
// virtual index (n − 1)·q and the two-sided lerp follow numpy ≥ 1.22 `_quantile` and `_lerp`).
// It lives in util/ so that eval (thresholds, bootstrap intervals, lesion-size strata) and data
// (intensity clipping percentiles) share it without importing each other.

/** numpy.quantile(a, q) with method="linear" for an ascending-sorted, non-empty array. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new Error("quantileSorted(): array is empty");
  if (!(q >= 0 && q <= 1)) throw new Error(`quantileSorted(): q ${q} must be in [0, 1]`);
  // numpy's "linear" method takes (n - 1) * q, not the equal-in-exact-arithmetic
  // n*q + (alpha + q*(1-alpha-beta)) - 1 with alpha = beta = 1, which rounds differently.
  const { prev, next, gamma } = quantileRanks(n, q);
  return quantileLerp(sorted[prev], sorted[next], gamma);
}

/** The two ranks numpy's linear quantile q of n values interpolates, and the weight of the second. */
export function quantileRanks(n: number, q: number): { prev: number; next: number; gamma: number } {
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile: q ${q} must be in [0, 1]`);
  const virtual = (n - 1) * q;
  const prev = Math.min(Math.max(Math.floor(virtual), 0), n - 1);
  const next = Math.min(prev + 1, n - 1);
  return { prev, next, gamma: virtual - Math.floor(virtual) };
}

/** numpy's two-sided lerp between the values a (rank prev) and b (rank next). */
export function quantileLerp(a: number, b: number, gamma: number): number {
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/** numpy.quantile(values, q) (linear) of unsorted finite values. */
export function quantile(values: ArrayLike<number>, q: number): number {
  return quantileSorted(Float64Array.from(values).sort(), q);
}
