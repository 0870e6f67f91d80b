// tools/run_tests.ts: a deno test that aborts by a signal after its report counts as passed only
// when the JUnit report is whole and records no failure or error; every other non-zero end fails.
// The end to end cases run the wrapper on one-test modules written to a temp folder.

import { deepStrictEqual, ok } from "node:assert";
import { junitTotals, verdict } from "../../tools/run_tests.ts";
import { tempDirSync } from "../temp_dir.ts";

const report = (tests: number, failures: number, errors: number, whole = true) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="deno test" tests="${tests}" ` +
  `failures="${failures}" errors="${errors}" time="0.1">\n  <testsuite name="a"></testsuite>\n` +
  (whole ? "</testsuites>\n" : "");

Deno.test("run_tests: JUnit totals, and which ends count as passed", () => {
  deepStrictEqual(junitTotals(report(5, 1, 0)), { tests: 5, failures: 1, errors: 0 });
  deepStrictEqual(junitTotals(report(5, 0, 0, false)), null);
  deepStrictEqual(junitTotals('<testsuites tests="3"></testsuites>'), null);
  const ok0 = { code: 0, signal: null };
  const abort = { code: 134, signal: "SIGABRT" };
  deepStrictEqual(verdict(ok0, null), { passed: true });
  const v = verdict(abort, report(797, 0, 0));
  ok(v.passed && /SIGABRT after its report \(797 tests/.test(v.warning ?? ""), v.warning);
  ok(verdict({ code: 139, signal: null }, report(3, 0, 0)).passed, "exit 139 = SIGSEGV");
  for (
    const [status, r, why] of [
      [abort, null, "no report"],
      [abort, report(5, 1, 0), "a failure"],
      [abort, report(5, 0, 2), "errors"],
      [abort, report(0, 0, 0), "no test"],
      [abort, report(5, 0, 0, false), "a partial report"],
      [{ code: 1, signal: null }, report(5, 0, 0), "exit 1"],
      [{ code: 130, signal: "SIGINT" }, report(5, 0, 0), "Ctrl-C"],
      [{ code: 137, signal: "SIGKILL" }, report(5, 0, 0), "killed"],
    ] as const
  ) ok(!verdict(status, r).passed, `passed with ${why}`);
});

Deno.test("run_tests: a passing module exits 0, a failing one 1, a module aborting mid-run fails", async () => {
  const dir = tempDirSync("neurad-run-tests-");
  const write = (name: string, body: string) => {
    Deno.writeTextFileSync(`${dir}/${name}`, body);
    return `${dir}/${name}`;
  };
  const run = async (file: string) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../../tools/run_tests.ts", import.meta.url).pathname,
        "-A",
        file,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return out.code;
  };
  deepStrictEqual(await run(write("pass_test.ts", `Deno.test("p", () => {});\n`)), 0);
  deepStrictEqual(
    await run(write("fail_test.ts", `Deno.test("f", () => { throw new Error("no"); });\n`)),
    1,
  );
  // Aborting inside a test: no whole report, so the abort is not excused.
  const aborts = write(
    "abort_test.ts",
    `Deno.test("a", () => { Deno.kill(Deno.pid, "SIGABRT"); });\n`,
  );
  ok((await run(aborts)) !== 0, "an abort before the report passed");
});
