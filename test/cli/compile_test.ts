// `deno task compile`: bad flags and an unusable DENORT_BIN give one line and exit 1, and, with no
// network needed, what the binary would hold: the module graph of the `neurad` entry resolves
// without an error and carries every WGSL shader as a text import, and every `--include` asset
// exists (a shader read from disk at run time, or a missing asset, fails here, not in a user's
// binary). The runtime download itself is exercised by test/heavy/compile_test.ts.

import { assert, assertEquals } from "../assert.ts";
import { COLIN27_ASSET } from "../../src/util/assets.ts";

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

Deno.test("compile: the entry's module graph resolves offline and carries every shader", async () => {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "src/cli/main.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(r.code === 0, new TextDecoder().decode(r.stderr));
  const graph = JSON.parse(new TextDecoder().decode(r.stdout)) as {
    modules: { specifier: string; error?: string }[];
  };
  const broken = graph.modules.filter((m) => m.error).map((m) => `${m.specifier}: ${m.error}`);
  assertEquals(broken, [], "modules that do not resolve");
  const inGraph = new Set(
    graph.modules.map((m) => m.specifier).filter((s) => s.endsWith(".wgsl")).map((s) =>
      s.slice(s.lastIndexOf("/") + 1)
    ),
  );
  const shaders = [...Deno.readDirSync(`${ROOT}shaders`)].map((e) => e.name)
    .filter((n) => n.endsWith(".wgsl")).sort();
  assertEquals(shaders.filter((n) => !inGraph.has(n)), [], "shaders the binary would lack");
  assert(Deno.statSync(`${ROOT}${COLIN27_ASSET}`).isFile, `${COLIN27_ASSET} (--include) exists`);
});
