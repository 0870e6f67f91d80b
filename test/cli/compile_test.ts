// `deno task compile`: bad flags and an unusable DENORT_BIN give one line and exit 1 (the runtime
// download itself is exercised by test/heavy/compile_test.ts).

import { assert } from "../assert.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

async function compile(args: string[], env: Record<string, string> = {}) {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tools/compile.ts", ...args],
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: r.code, err: new TextDecoder().decode(r.stderr).trim() };
}

Deno.test("compile: one-line errors for a missing DENORT_BIN, a bad target, an unknown flag", async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [
      [],
      { DENORT_BIN: "/nonexistent/denort" },
      /^error: DENORT_BIN=\/nonexistent\/denort: no such file$/,
    ],
    [["--target", "z80"], {}, /^error: --target: "z80" is not one of x86_64-unknown-linux-gnu/],
    [["--fast"], {}, /^error: --fast: unknown flag/],
  ];
  for (const [args, env, re] of cases) {
    const r = await compile(args, env);
    assert(r.code === 1 && r.err.split("\n").length === 1 && re.test(r.err), `${args}: ${r.err}`);
  }
});
