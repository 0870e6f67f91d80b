// Shared test helpers for src/eval: fixture loading and the seeded data generator mirrored in
// tools/fixtures/eval_fixtures.py. Assertions come from the one set in test/assert.ts.

import { hashU32 } from "../../src/core/prng.ts";
export { assert, assertArrayEqual, assertClose, assertEquals, assertThrows } from "../assert.ts";

const FIXTURES = new URL("../fixtures/eval/", import.meta.url);

/** Parses test/fixtures/eval/<name>.json. */
export function loadFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(Deno.readTextFileSync(new URL(`${name}.json`, FIXTURES)));
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
