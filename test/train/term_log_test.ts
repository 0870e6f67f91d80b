// TermLog: per-step scalar terms copied into one GPU table and freed at once; the drain gives
// each term's mean over the recorded steps, names the first NaN/Inf step and term in step order,
// grows past its rows and columns, and holds no buffer but its table.

import { deepStrictEqual, rejects, strictEqual } from "node:assert";
import { memoryStats } from "../../src/core/memory.ts";
import { Tensor } from "../../src/core/tensor.ts";
import { TermLog } from "../../src/train/term_log.ts";
import { UserError } from "../../src/core/errors.ts";
import { setup } from "../helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const scalar = (v: number) => Tensor.from([v], [1]);

Deno.test({
  ...opts,
  name: "TermLog: means per term, terms that appear later, growth past rows and columns",
  async fn() {
    await setup();
    const live0 = memoryStats().liveBuffers;
    const log = new TermLog(2, 2); // 2 rows, 2 columns: both must grow
    log.record(1, { loss: scalar(1), l1: scalar(10) });
    log.record(2, { loss: scalar(3), l1: scalar(20) });
    log.record(3, { loss: scalar(5), l1: scalar(30), lambda: scalar(0.5) });
    strictEqual(log.pending, 3);
    strictEqual(memoryStats().liveBuffers, live0 + 1, "only the table stays live");
    deepStrictEqual(await log.drain(), { loss: 3, l1: 20, lambda: 0.5 });
    strictEqual(log.pending, 0);
    deepStrictEqual(await log.drain(), {});
    log.record(4, { loss: scalar(7) });
    deepStrictEqual(await log.drain(), { loss: 7 });
    log.dispose();
    strictEqual(memoryStats().liveBuffers, live0);
  },
});

Deno.test({
  ...opts,
  name: "TermLog: the first non-finite value in step order is named, and the log is reusable",
  async fn() {
    await setup();
    const log = new TermLog(4);
    log.record(7, { loss: scalar(1), gan: scalar(2) });
    log.record(8, { loss: scalar(1), gan: scalar(Infinity) });
    log.record(9, { loss: scalar(NaN), gan: scalar(2) });
    await rejects(
      log.drain(),
      (e) => e instanceof UserError && e.message.startsWith("step 8: loss term 'gan' is Infinity"),
    );
    log.record(10, { loss: scalar(2) });
    deepStrictEqual(await log.drain(), { loss: 2 });
    log.dispose();
  },
});
