// Shared test helpers for src/eval: tolerance comparison printing the worst index, fixture loading
// and the seeded data generator mirrored in tools/fixtures/eval_fixtures.py.

import { hashU32 } from "../../src/eval/hash_prng.ts";

const FIXTURES = new URL("../fixtures/eval/", import.meta.url);

/** Parses test/fixtures/eval/<name>.json. */
export function loadFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(Deno.readTextFileSync(new URL(`${name}.json`, FIXTURES)));
}

/** Asserts |a - ref| <= atol + rtol*|ref| elementwise; the message names the worst index. */
export function assertClose(
  actual: ArrayLike<number> | number,
  expected: ArrayLike<number> | number,
  atol = 1e-12,
  rtol = 1e-12,
  what = "value",
): void {
  const a = typeof actual === "number" ? [actual] : actual;
  const e = typeof expected === "number" ? [expected] : expected;
  if (a.length !== e.length) {
    throw new Error(`${what}: length ${a.length} != expected ${e.length}`);
  }
  let worst = -1, worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    const excess = Math.abs(a[i] - e[i]) - (atol + rtol * Math.abs(e[i]));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    throw new Error(
      `${what}: worst index ${worst}: got ${a[worst]}, expected ${e[worst]} ` +
        `(atol ${atol}, rtol ${rtol})`,
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
    if (actual[i] !== expected[i]) {
      throw new Error(
        `${what}: first difference at index ${i}: got ${actual[i]}, expected ${expected[i]}`,
      );
    }
  }
}

/** 25 % positives; scores on a 2^-bits grid (heavy ties), positives shifted up by 1/4. */
export function rankingData(
  seed: number,
  n: number,
  bits: number,
): { scores: Float32Array; labels: Uint8Array } {
  const scores = new Float32Array(n), labels = new Uint8Array(n);
  const shift = 32 - bits, offset = 2 ** (bits - 2), scale = 2 ** -bits;
  for (let i = 0; i < n; i++) {
    const l = hashU32(seed, i) >>> 8 < 1 << 22 ? 1 : 0;
    labels[i] = l;
    scores[i] = ((hashU32(seed + 1, i) >>> shift) + l * offset) * scale;
  }
  return { scores, labels };
}

/** Asserts a condition (node:assert would need @types/node, absent under nodeModulesDir manual). */
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
