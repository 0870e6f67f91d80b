// numpy's default ("linear") quantile, reproduced to the bit: the virtual index and the two-sided
// lerp follow numpy 1.24 `_compute_virtual_index` and `_lerp`.

/** numpy.quantile(a, q) with method="linear" for an ascending-sorted, non-empty array. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new Error("quantileSorted(): array is empty");
  if (!(q >= 0 && q <= 1)) throw new Error(`quantileSorted(): q ${q} must be in [0, 1]`);
  const virtual = n * q + (1 - q) - 1; // numpy: n*q + (alpha + q*(1-alpha-beta)) - 1, alpha=beta=1
  const prev = Math.min(Math.max(Math.floor(virtual), 0), n - 1);
  const next = Math.min(prev + 1, n - 1);
  const gamma = virtual - Math.floor(virtual);
  const a = sorted[prev], b = sorted[next], diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/** numpy.quantile(values, q) (linear) of unsorted finite values. */
export function quantile(values: ArrayLike<number>, q: number): number {
  return quantileSorted(Float64Array.from(values).sort(), q);
}
