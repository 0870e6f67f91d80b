// The loop budget itself: what llvmpipe does past 65,535 loop passes in one invocation (measured
// here with a probe kernel, so the counting rule loopCost encodes is checked on the adapter),
// that dispatch() refuses a bound over the limit and a bound of 0 for a kernel with loops, that
// splitLoop sizes splits to the budget, and that every dispatch's bound is recorded.

import { deepStrictEqual, ok, throws } from "node:assert";
import { deviceInfo, Tensor } from "../../src/mod.ts";
import {
  dispatch,
  hasLoop,
  LOOP_ITERATION_LIMIT,
  loopCost,
  loopIterationsByKernel,
  readBuffer,
  splitLoop,
} from "../../src/core/dispatch.ts";
import { paramBlock } from "../../src/core/uniforms.ts";
import { setup } from "../helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const PROBE = paramBlock("LoopProbeParams", { a: "u32", b: "u32" });

/** Two loops of a and b trips in one invocation; returns the trips each one ran. */
async function twoLoops(a: number, b: number, statedBound: number): Promise<[number, number]> {
  const code = `
@group(0) @binding(1) var<storage, read_write> OUT: array<u32>;
@compute @workgroup_size(1)
fn main() {
  var first = 0u;
  for (var i = 0u; i < params.a; i++) { first += 1u; }
  var second = 0u;
  for (var i = 0u; i < params.b; i++) { second += 1u; }
  OUT[0] = first;
  OUT[1] = second;
}`;
  const out = Tensor.empty([2], "u32");
  const spec = { name: "loop_probe", params: PROBE, code, inputs: 0, outputs: 1 };
  dispatch(spec, { a, b }, [out.buffer], [1], statedBound);
  const r = new Uint32Array(await readBuffer(out.buffer, 8));
  out.dispose();
  return [r[0], r[1]];
}

Deno.test({
  ...opts,
  name: "loops costing LOOP_ITERATION_LIMIT run whole; on llvmpipe two passes more are cut",
  async fn() {
    await setup();
    // loopCost(60,000) + loopCost(5,533) = 60,001 + 5,534 = 65,535: within the limit.
    const a = 60000, b = LOOP_ITERATION_LIMIT - loopCost(a) - 1;
    deepStrictEqual(loopCost(a) + loopCost(b), LOOP_ITERATION_LIMIT);
    deepStrictEqual(await twoLoops(a, b, loopCost(a) + loopCost(b)), [a, b]);
    // Two passes over: the true bound would be refused, so the probe states the limit instead.
    const [, second] = await twoLoops(a, b + 2, LOOP_ITERATION_LIMIT);
    if (/llvmpipe/i.test(deviceInfo().description)) {
      ok(second < b + 2, `llvmpipe ran all ${second} trips of the second loop`);
    } else {
      deepStrictEqual(second, b + 2);
    }
  },
});

Deno.test({
  ...opts,
  name: "dispatch() refuses a bound over the limit, a bound of 0 for a kernel with loops",
  async fn() {
    await setup();
    const out = Tensor.empty([2], "u32");
    const code = `
@group(0) @binding(1) var<storage, read_write> OUT: array<u32>;
@compute @workgroup_size(1)
fn main() { for (var i = 0u; i < params.a; i++) { OUT[0] += 1u; } }`;
    const spec = { name: "bound_check", params: PROBE, code, inputs: 0, outputs: 1 };
    throws(
      () => dispatch(spec, { a: 1, b: 0 }, [out.buffer], [1], LOOP_ITERATION_LIMIT + 1),
      /bound_check would run 65536 loop iterations per invocation/,
    );
    throws(() => dispatch(spec, { a: 1, b: 0 }, [out.buffer], [1], 0), /has loops/);
    throws(() => dispatch(spec, { a: 1, b: 0 }, [out.buffer], [1], 1.5), /loopIterations 1.5/);
    dispatch(spec, { a: 1, b: 0 }, [out.buffer], [1], LOOP_ITERATION_LIMIT);
    deepStrictEqual(loopIterationsByKernel().get("bound_check"), LOOP_ITERATION_LIMIT);
    await readBuffer(out.buffer, 8);
    out.dispose();
    ok(hasLoop("loop { break; }") && hasLoop("while (x) {}") && !hasLoop("// for (;;) {}"));
  },
});

Deno.test("splitLoop: the fewest splits within the budget, even chunks of the granule", () => {
  const rowLoop = (rows: number) => loopCost(rows, loopCost(300));
  const { splits, chunk } = splitLoop(10000, rowLoop);
  ok(rowLoop(chunk) <= LOOP_ITERATION_LIMIT && chunk * splits >= 10000);
  ok(rowLoop(Math.ceil(10000 / (splits - 1))) > LOOP_ITERATION_LIMIT, "one split fewer would fit");
  deepStrictEqual(splitLoop(100, rowLoop), { splits: 1, chunk: 100 });
  const g = splitLoop(1 << 20, (c) => loopCost(Math.ceil(c / 64)) + loopCost(6), 64);
  deepStrictEqual(g.chunk % 64, 0);
  ok(loopCost(g.chunk / 64) + loopCost(6) <= LOOP_ITERATION_LIMIT);
  throws(() => splitLoop(10, () => LOOP_ITERATION_LIMIT + 1), /smallest split/);
});
