/**
 * Data test helpers: affine closeness (on the one assertClose, test/assert.ts) and fixture paths.
 * @module
 */
import { assertClose } from "../assert.ts";

/** assertClose for 4×4 affines. */
export function assertAffineClose(a: number[][], b: number[][], what: string, atol = 1e-4): void {
  assertClose(a.flat(), b.flat(), { atol, rtol: 1e-5, name: what });
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
