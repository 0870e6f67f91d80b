// residual() modes and brain masking.

import { residual } from "../../src/eval/mod.ts";
import { assertEquals, assertThrows } from "./_helpers.ts";

Deno.test("residual() keeps input > reconstruction by default, abs/signed on request, zero outside brain", () => {
  const x = [0.5, 0.2, 1.0, 0.75], r = [0.25, 0.7, 0.5, 0.5], m = [1, 1, 1, 0];
  assertEquals(Array.from(residual(x, r)), [0.25, 0, 0.5, 0.25]);
  assertEquals(Array.from(residual(x, r, { mode: "absolute" })), [0.25, 0.5, 0.5, 0.25]);
  assertEquals(Array.from(residual(x, r, { mode: "signed", brainMask: m })), [0.25, -0.5, 0.5, 0]);
  assertEquals(Array.from(residual(x, r, { brainMask: m })), [0.25, 0, 0.5, 0]);
});

Deno.test("residual() rejects shape mismatch, NaN and unknown modes", () => {
  assertThrows(() => residual([1, 2], [1]), /input has length 2 but reconstruction has length 1/);
  assertThrows(() => residual([1, NaN], [1, 1]), /scores\[1\] is NaN/);
  // deno-lint-ignore no-explicit-any
  assertThrows(() => residual([1], [1], { mode: "square" as any }), /unknown mode/);
});
