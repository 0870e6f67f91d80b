// The one set of test assertions: `assertClose` (tolerance atol + rtol·|ref| + scaleTol·scale,
// naming the worst index), exact array equality, structural equality and expected throws.
// Pure TypeScript (no GPU), so data and eval tests use it too; test/helpers.ts re-exports it.

export interface CloseOptions {
  /** Allowed error relative to the reference's scale (max |ref|, at least `floor`). */
  scaleTol?: number;
  atol?: number;
  rtol?: number;
  /** Smallest scale used with scaleTol (default 1e-3). */
  floor?: number;
  /** What is compared, for the message. */
  name?: string;
}

/**
 * Asserts |actual − expected| ≤ atol + rtol·|expected| + scaleTol·max(max|expected|, floor) at
 * every index (NaN matches only NaN). With neither atol nor rtol given the default is the
 * engine's 2e-4 relative to the output's scale; otherwise scaleTol defaults to 0.
 */
export function assertClose(
  actual: ArrayLike<number> | number,
  expected: ArrayLike<number> | number,
  o: CloseOptions = {},
): void {
  const a = typeof actual === "number" ? [actual] : actual;
  const e = typeof expected === "number" ? [expected] : expected;
  const name = o.name ?? "values";
  if (a.length !== e.length) {
    throw new Error(`${name}: length ${a.length} != expected ${e.length}`);
  }
  const atol = o.atol ?? 0, rtol = o.rtol ?? 0;
  const st = o.scaleTol ?? (o.atol === undefined && o.rtol === undefined ? 2e-4 : 0);
  let scale = o.floor ?? 1e-3;
  if (st) { for (let i = 0; i < e.length; i++) scale = Math.max(scale, Math.abs(e[i])); }
  let worst = -1, worstExcess = 0;
  for (let i = 0; i < e.length; i++) {
    const tol = atol + rtol * Math.abs(e[i]) + st * scale;
    const err = Number.isNaN(e[i])
      ? (Number.isNaN(a[i]) ? 0 : Infinity)
      : e[i] === a[i]
      ? 0
      : Math.abs(a[i] - e[i]);
    const excess = Number.isNaN(err) ? Infinity : err - tol;
    if (excess > 0 && (worst < 0 || excess > worstExcess)) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    throw new Error(
      `${name}: mismatch at index ${worst} (worst): got ${a[worst]}, expected ${e[worst]} ` +
        `(atol ${atol}, rtol ${rtol}, scaleTol ${st}${
          st ? ` of scale ${scale.toExponential(3)}` : ""
        })`,
    );
  }
}

/** Asserts exact elementwise equality, naming the first differing index. */
export function assertArrayEqual(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what = "array",
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length} != expected ${expected.length}`);
  }
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i]) && actual[i] !== expected[i]) {
      throw new Error(
        `${what}: first difference at index ${i}: got ${actual[i]}, expected ${expected[i]}`,
      );
    }
  }
}

/** Asserts a condition. */
export function assert(cond: unknown, message = "assertion failed"): asserts cond {
  if (!cond) throw new Error(message);
}

/** Asserts structural equality via JSON (plain data only). */
export function assertEquals(actual: unknown, expected: unknown, what = "value"): void {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: got ${a.slice(0, 300)}, expected ${e.slice(0, 300)}`);
}

/** Asserts that fn throws an Error whose message matches `pattern`. */
export function assertThrows(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (!pattern.test(msg)) {
      throw new Error(`threw "${msg}", expected a message matching ${pattern}`);
    }
    return;
  }
  throw new Error(`did not throw; expected an error matching ${pattern}`);
}

/** Async variant of {@link assertThrows}. */
export async function assertRejects(fn: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (!pattern.test(msg)) {
      throw new Error(`threw "${msg}", expected a message matching ${pattern}`);
    }
    return;
  }
  throw new Error(`did not throw; expected an error matching ${pattern}`);
}
