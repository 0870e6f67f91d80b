// GPU-side kernel timing (timestamp-query): every dispatch between start and stop is counted
// under its kernel's name with a non-negative time, results stay exact while timed (passes are
// split, uniforms untouched), a long run crosses submits, and misuse is one line.

import { deepStrictEqual, ok, rejects, throws } from "node:assert";
import * as nd from "../src/mod.ts";
import { assertClose, hostRandom, setup } from "./helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

// Whether the adapter can time kernels decides which test runs; the other is reported as
// ignored, never as passed. (A capability probe: no device, no GPU work.)
const canTime = (await navigator.gpu?.requestAdapter())?.features.has("timestamp-query") ?? false;

Deno.test({
  ...opts,
  name: "startKernelTiming refuses in one line on an adapter without timestamp-query",
  ignore: canTime,
  async fn() {
    await setup();
    throws(() => nd.startKernelTiming(), /timestamp-query/);
  },
});

Deno.test({
  ...opts,
  name: "startKernelTiming/stopKernelTiming count every dispatch by kernel, results unchanged",
  ignore: !canTime,
  async fn() {
    await setup();
    const a = nd.Tensor.from(hostRandom(64 * 48, 1), [64, 48]);
    const b = nd.Tensor.from(hostRandom(48 * 32, 2), [48, 32]);
    const untimed = nd.matmul(a, b);
    const want = await untimed.toArray();
    nd.startKernelTiming();
    throws(() => nd.startKernelTiming(), /already on/);
    const outs: nd.Tensor[] = [];
    for (let i = 0; i < 1500; i++) outs.push(nd.addScalar(a, i)); // crosses a submit (1,024)
    const c = nd.matmul(a, b);
    const got = await c.toArray();
    const times = await nd.stopKernelTiming();
    assertClose(got, want, { atol: 0, name: "matmul while timed" });
    assertClose(await outs[1499].toArray(), [...hostRandom(64 * 48, 1)].map((v) => v + 1499), {
      atol: 1e-4,
      name: "last addScalar",
    });
    const byName = new Map(times.map((t) => [t.name, t]));
    ok(times.every((t) => t.ms >= 0 && t.count > 0), JSON.stringify(times));
    deepStrictEqual(times.reduce((n, t) => n + t.count, 0) >= 1501, true);
    ok([...byName.keys()].some((k) => k.startsWith("matmul")), [...byName.keys()].join());
    await rejects(nd.stopKernelTiming(), /not on/);
    for (const t of [a, b, untimed, c, ...outs]) t.dispose();
  },
});
