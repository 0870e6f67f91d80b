// The leak detector: a tensor garbage-collected without dispose() is reported with the line that
// made it, a disposed one (by hand or by `using`) is not, and nothing is watched unless the
// detector is on; the suite's check (test/helpers.ts) fails a test module that leaks and passes
// one that does not. Each case runs in a fresh Deno with gc() exposed, so the result does not
// depend on how this file was started nor on the garbage of other tests.

import { ok, strictEqual } from "node:assert";

const MOD = new URL("../src/mod.ts", import.meta.url).href;
const HELPERS = new URL("./helpers.ts", import.meta.url).href;

/**
 * The probe program: line numbers below are asserted, keep the layout. The first leak is found
 * by the registry's callback, in its own time; the second at once by collectLeaks().
 */
const PROBE =
  `import { collectLeaks, getDevice, leakDetection, leakReports, onLeak, Tensor } from ${
    JSON.stringify(MOD)
  };
await getDevice();
const gc = (globalThis as unknown as { gc(): void }).gc;
function leaked() {
  Tensor.from([1, 2, 3], [3]); // line 5: made and dropped
}
function disposed() {
  const t = Tensor.from([4, 5], [2]);
  t.dispose();
}
function scoped() {
  using _t = Tensor.from([6, 7, 8, 9], [4]);
}
function leakedToo() {
  Tensor.from([1, 2, 3, 4, 5, 6], [6]); // line 15
}
const heard: number[] = [];
onLeak((r) => heard.push(r.id));
leaked();
disposed();
scoped();
for (let i = 0; leakDetection() && i < 200 && leakReports().length === 0; i++) {
  gc();
  await new Promise((r) => setTimeout(r, 10));
}
const byCallback = leakReports().length;
leakedToo();
await new Promise((r) => setTimeout(r, 0)); // a new job: the WeakRef may now be cleared
gc();
const now = collectLeaks().length;
console.log(JSON.stringify({ on: leakDetection(), byCallback, now, heard, reports: leakReports() }));
`;

interface ProbeResult {
  on: boolean;
  /** Reports after waiting for the registry's callbacks (the first leak). */
  byCallback: number;
  /** Reports right after collectLeaks() (the second leak too). */
  now: number;
  /** Ids the onLeak listener was given. */
  heard: number[];
  reports: { id: number; shape: number[]; dtype: string; createdAt: string }[];
}

interface Run {
  success: boolean;
  stdout: string;
  stderr: string;
  file: string;
}

/** Runs `deno <command> ... <file>` on `code` written to a fresh temporary file. */
async function runDeno(
  command: "run" | "test",
  name: string,
  code: string,
  env: Record<string, string>,
): Promise<Run> {
  const dir = await Deno.makeTempDir({ prefix: "neurad_leak_probe_" });
  const file = `${dir}/${name}`;
  try {
    await Deno.writeTextFile(file, code);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [command, "-A", "--no-check", "--v8-flags=--expose-gc", file],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return {
      success: out.success,
      stdout: dec.decode(out.stdout),
      stderr: dec.decode(out.stderr),
      file,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function probe(env: Record<string, string>): Promise<{ result: ProbeResult; file: string }> {
  const run = await runDeno("run", "probe.ts", PROBE, env);
  if (!run.success) throw new Error(`probe failed:\n${run.stdout}\n${run.stderr}`);
  const last = run.stdout.trim().split("\n").at(-1)!;
  return { result: JSON.parse(last) as ProbeResult, file: run.file };
}

Deno.test({
  name:
    "NEURAD_DEBUG_LEAKS=1 reports each dropped tensor with the line that made it, not the disposed ones",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { result, file } = await probe({ NEURAD_DEBUG_LEAKS: "1" });
    ok(result.on, "the setting turned the detector on");
    strictEqual(result.byCallback, 1, "the registry's callback reported the first leak");
    strictEqual(result.now, 2, "collectLeaks() found the second at once");
    strictEqual(result.reports.length, 2, JSON.stringify(result.reports));
    strictEqual(
      result.heard.join(),
      result.reports.map((r) => r.id).join(),
      "listeners heard both",
    );
    const [first, second] = result.reports;
    strictEqual(first.shape.join(), "3");
    strictEqual(second.shape.join(), "6");
    strictEqual(first.dtype, "f32");
    for (const [r, line, fn] of [[first, 5, "leaked"], [second, 15, "leakedToo"]] as const) {
      const top = r.createdAt.split("\n")[0];
      ok(top.includes(`${file}:${line}:`), `the first frame is the line that made it: ${top}`);
      ok(top.includes(fn), `in the function that made it: ${top}`);
    }
  },
});

Deno.test({
  name: "without NEURAD_DEBUG_LEAKS nothing is watched, so nothing is reported",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { result } = await probe({ NEURAD_DEBUG_LEAKS: "0" });
    ok(!result.on);
    strictEqual(result.reports.length, 0);
  },
});

/** A test module using the shared helpers; `drop` decides whether it leaks a tensor. */
const suiteModule = (drop: boolean) =>
  `import { Tensor } from ${JSON.stringify(MOD)};
import { setup } from ${JSON.stringify(HELPERS)};
Deno.test({ name: "t", sanitizeResources: false, sanitizeOps: false, async fn() {
  await setup();
  const t = Tensor.from([1, 2, 3, 4, 5], [5]); // line 5
  ${drop ? "" : "t.dispose();"}
} });
`;

Deno.test({
  name:
    "the suite's leak check fails a test module that drops a tensor, naming the line; not one that disposes",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const leaky = await runDeno("test", "leaky_test.ts", suiteModule(true), {
      NEURAD_DEBUG_LEAKS: "1",
    });
    const text = leaky.stdout + leaky.stderr;
    ok(!leaky.success, `a leaking module must fail:\n${text}`);
    ok(/1 tensor\(s\) made by .* were garbage-collected without dispose\(\)/.test(text), text);
    ok(text.includes(`${leaky.file}:5:`), `the report names the line that made it:\n${text}`);
    const clean = await runDeno("test", "clean_test.ts", suiteModule(false), {
      NEURAD_DEBUG_LEAKS: "1",
    });
    ok(clean.success, `a module that disposes passes:\n${clean.stdout}${clean.stderr}`);
  },
});
