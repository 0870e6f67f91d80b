// Runs `deno test` with the given arguments (what `deno task test` and `test-heavy` call) and
// returns its exit status, with one exception written out loud. Rarely (twice in hundreds of
// test and bench processes here: glibc's "corrupted size vs. prev_size in fastbins" in CI's heavy
// suite, and "double free or corruption (out)" after a bench), the Deno process aborts while it
// exits, AFTER it has run every test and printed its report: a native heap check firing in the
// teardown of Deno's WebGPU stack (wgpu and Mesa's llvmpipe), below any code of ours. Such an
// abort would fail a run whose every test passed. So the report is also written as JUnit XML to
// a temp file, and a run that died by a signal (SIGABRT, SIGSEGV, SIGBUS) counts as passed ONLY
// when that report exists, was written by this run, and records tests and neither failures nor
// errors; the abort is then printed as one warning line. Any other non-zero status, a missing or
// partial report, or a failure in it keeps the run failed.

const TEARDOWN_SIGNALS = new Set(["SIGABRT", "SIGSEGV", "SIGBUS"]);

/** tests / failures / errors of a `deno test --junit-path` report, or null if unreadable. */
export function junitTotals(
  xml: string,
): { tests: number; failures: number; errors: number } | null {
  const m = xml.match(/<testsuites\b[^>]*>/);
  if (!m) return null;
  const attr = (name: string) => {
    const a = m[0].match(new RegExp(`\\b${name}="(\\d+)"`));
    return a ? Number(a[1]) : NaN;
  };
  const t = { tests: attr("tests"), failures: attr("failures"), errors: attr("errors") };
  if (!Object.values(t).every(Number.isFinite)) return null;
  // The report must be whole: it ends with the closing tag of the suites.
  if (!/<\/testsuites>\s*$/.test(xml)) return null;
  return t;
}

/** Whether a `deno test` that ended with `status` passed, given its JUnit report (or null). */
export function verdict(
  status: { code: number; signal: string | null },
  report: string | null,
): { passed: boolean; warning?: string } {
  if (status.code === 0 && status.signal === null) return { passed: true };
  const signal = status.signal ??
    (status.code === 134
      ? "SIGABRT"
      : status.code === 139
      ? "SIGSEGV"
      : status.code === 135
      ? "SIGBUS"
      : null);
  if (signal === null || !TEARDOWN_SIGNALS.has(signal) || report === null) return { passed: false };
  const t = junitTotals(report);
  if (!t || t.tests === 0 || t.failures !== 0 || t.errors !== 0) return { passed: false };
  return {
    passed: true,
    warning: `warning: deno test ended by ${signal} after its report (${t.tests} tests, no ` +
      `failure, no error): the native teardown abort at exit described in tools/run_tests.ts; ` +
      `the run counts as passed`,
  };
}

if (import.meta.main) {
  const junit = await Deno.makeTempFile({ prefix: "neurad-junit-", suffix: ".xml" });
  await Deno.remove(junit); // deno test creates it; a stale file must not count
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", `--junit-path=${junit}`, ...Deno.args],
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  // Ctrl-C reaches the child through the terminal's process group: wait for it to end. A SIGTERM
  // sent to this process alone (a CI runner cancelling the job) is passed on to the child.
  Deno.addSignalListener("SIGINT", () => {});
  Deno.addSignalListener("SIGTERM", () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
  });
  const status = await child.status;
  let report: string | null = null;
  try {
    report = await Deno.readTextFile(junit);
    await Deno.remove(junit);
  } catch { /* no report: the run did not finish */ }
  const v = verdict(status, report);
  if (v.warning) console.error(v.warning);
  Deno.exit(v.passed ? 0 : (status.code || 1));
}
