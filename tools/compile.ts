// `deno task compile [--target TRIPLE] [--out FILE]`: `deno compile` of the `neurad` entry
// (src/cli/main.ts) into one executable, dist/neurad, with the WGSL shaders (text imports) and the
// Colin27 template (--include) inside. deno compile needs Deno's `denort` runtime for the target:
// it downloads it from dl.deno.land unless DENORT_BIN points at one. Where neither works, this
// prints one line saying so and how to provide it, and exits 1. Its flags are declared like a
// neurad command's (src/cli/command.ts): `--help`, one-line errors naming the flag.

import { choice, defineCommand, path } from "../src/cli/command.ts";
import { main } from "../src/cli/main.ts";
import { UserError } from "../src/core/errors.ts";
import { COLIN27_ASSET } from "../src/util/assets.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

export const compileCommand = defineCommand({
  name: "compile",
  program: "deno task",
  summary: "build neurad as one executable (shaders and template inside) with deno compile",
  description: "deno compile needs Deno's runtime (denort) for the target: it is downloaded " +
    "from dl.deno.land,\nor taken from DENORT_BIN=/path/to/denort on a machine without network.",
  flags: {
    target: choice(TARGETS, {
      metavar: "TRIPLE",
      help: `target platform (default: this machine's); one of ${TARGETS.join(", ")}`,
    }),
    out: path({
      short: "o",
      metavar: "FILE",
      help: "output file (default: dist/neurad, or dist/neurad.exe for Windows, in the repository)",
    }),
  },
  async run({ target, out: given }) {
    const out = given ?? `${ROOT}dist/neurad${target?.includes("windows") ? ".exe" : ""}`;
    const denort = Deno.env.get("DENORT_BIN");
    if (denort) {
      let st: Deno.FileInfo;
      try {
        st = Deno.statSync(denort);
      } catch {
        throw new UserError(`DENORT_BIN=${denort}: no such file`);
      }
      if (!st.isFile) throw new UserError(`DENORT_BIN=${denort}: not a file`);
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
        throw new UserError(
          `deno compile could not download its runtime (denort ${version}) from dl.deno.land; ` +
            `on a machine that can, fetch https://dl.deno.land/release/v${version}/denort-${
              target ?? Deno.build.target
            }.zip, unzip it and run again with DENORT_BIN=/path/to/denort`,
        );
      }
      const line = err.split("\n").find((l) => /error/i.test(l)) ?? err.split("\n")[0];
      throw new UserError(`deno compile failed: ${line.replace(/^error:\s*/i, "").trim()}`);
    }
    console.log(`wrote ${out}${target ? ` for ${target}` : ""}`);
    return 0;
  },
});

if (import.meta.main) Deno.exit(await main(["compile", ...Deno.args], [compileCommand]));
