/**
 * Test helper: element-wise closeness with the llm.c tolerance atol + rtol·|ref|, reporting the
 * worst index on failure.
 * @module
 */

/** Throws naming the worst index unless |a−b| ≤ atol + rtol·|b| everywhere. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  atol = 1e-5,
  rtol = 1e-5,
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length} != expected ${expected.length}`);
  }
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
    if (!(excess <= worstExcess)) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
    }
  }
  if (worst >= 0) {
    throw new Error(
      `${what}: worst mismatch at index ${worst}: got ${actual[worst]}, expected ${
        expected[worst]
      } (excess ${worstExcess})`,
    );
  }
}

/** assertClose for 4×4 affines. */
export function assertAffineClose(a: number[][], b: number[][], what: string, atol = 1e-4): void {
  assertClose(a.flat(), b.flat(), what, atol, 1e-5);
}

/** Reads a JSON fixture relative to test/fixtures/data/. */
export function fixture<T>(name: string): T {
  return JSON.parse(
    Deno.readTextFileSync(new URL(`../fixtures/data/${name}`, import.meta.url)),
  ) as T;
}

/** Absolute path of a fixture file. */
export function fixturePath(name: string): string {
  return new URL(`../fixtures/data/${name}`, import.meta.url).pathname;
}
