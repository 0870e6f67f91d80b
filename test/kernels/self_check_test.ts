// selfCheck(): on this (verified) adapter it skips unless forced; forced, every check passes and
// everything it made is freed. The comparison it rests on flags a wrong value, a missing NaN
// and a wrong length, so a kernel that computes wrong cannot pass.

import { deepStrictEqual, ok } from "node:assert";
import { memoryStats } from "../../src/mod.ts";
import { compareValues, isVerifiedAdapter, selfCheck } from "../../src/kernels/self_check.ts";
import { setup } from "../helpers.ts";

Deno.test("selfCheck() skips a verified adapter and, forced, passes every check and frees all", async () => {
  await setup();
  if (isVerifiedAdapter()) deepStrictEqual(await selfCheck(), { status: "verified", failures: [] });
  const before = memoryStats().liveBuffers;
  const r = await selfCheck({ force: true });
  deepStrictEqual(r, { status: "passed", failures: [] });
  ok(memoryStats().liveBuffers === before, "self-check tensors freed");
});

Deno.test("compareValues() flags a wrong value, a lost NaN and a wrong length in one line", () => {
  deepStrictEqual(compareValues("a", [1, NaN, 3.00001], [1, NaN, 3]), null);
  deepStrictEqual(
    compareValues("conv", [1, 2.1, 3], [1, 2, 3]),
    "conv: index 1 is 2.1, expected 2",
  );
  deepStrictEqual(compareValues("tanh", [0, 1], [NaN, 1]), "tanh: index 0 is 0, expected NaN");
  deepStrictEqual(compareValues("sum", [1], [1, 2]), "sum: 1 values, expected 2");
});
