// `deno task compile [--target TRIPLE] [--out FILE]`: `deno compile` of the `neurad` entry
// (src/cli/main.ts) into one executable, dist/neurad, with the WGSL shaders (text imports) and the
// Colin27 template (--include) inside. deno compile needs Deno's `denort` runtime for the target:
// it downloads it from dl.deno.land unless DENORT_BIN points at one. Where neither works, this
// prints one line saying so and how to provide it, and exits 1.

import { COLIN27_ASSET } from "../src/util/assets.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

function fail(msg: string): never {
  console.error(`error: ${msg}`);
  Deno.exit(1);
}

function flag(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  if (i < 0) return undefined;
  const v = Deno.args[i + 1];
  if (!v || v.startsWith("--")) fail(`${name}: needs a value`);
  return v;
}

for (const a of Deno.args) {
  if (a.startsWith("--") && a !== "--target" && a !== "--out") {
    fail(`${a}: unknown flag (use --target TRIPLE, --out FILE)`);
  }
}
const target = flag("--target");
if (target && !TARGETS.includes(target)) {
  fail(`--target: "${target}" is not one of ${TARGETS.join(", ")}`);
}
const out = flag("--out") ?? `dist/neurad${target?.includes("windows") ? ".exe" : ""}`;
const denort = Deno.env.get("DENORT_BIN");
if (denort) {
  try {
    if (!Deno.statSync(denort).isFile) fail(`DENORT_BIN=${denort}: not a file`);
  } catch {
    fail(`DENORT_BIN=${denort}: no such file`);
  }
}

const args = [
  "compile",
  "-A",
  "--no-check",
  "--include",
  COLIN27_ASSET,
  "--output",
  out,
  ...(target ? ["--target", target] : []),
  "src/cli/main.ts",
];
const r = await new Deno.Command(Deno.execPath(), {
  args,
  cwd: ROOT,
  stdout: "piped",
  stderr: "piped",
}).output();
// deno-lint-ignore no-control-regex -- strips ANSI colours
const err = new TextDecoder().decode(r.stderr).replace(/\x1b\[[0-9;]*m/g, "");
if (r.code !== 0) {
  const version = Deno.version.deno;
  if (!denort && /download|dl\.deno\.land|denort|network|dns|connect|timed out/i.test(err)) {
    fail(
      `deno compile could not download its runtime (denort ${version}) from dl.deno.land; ` +
        `on a machine that can, fetch https://dl.deno.land/release/v${version}/denort-${
          target ?? Deno.build.target
        }.zip, unzip it and run again with DENORT_BIN=/path/to/denort`,
    );
  }
  const line = err.split("\n").find((l) => /error/i.test(l)) ?? err.split("\n")[0];
  fail(`deno compile failed: ${line.replace(/^error:\s*/i, "").trim()}`);
}
console.log(`wrote ${out}${target ? ` for ${target}` : ""}`);
