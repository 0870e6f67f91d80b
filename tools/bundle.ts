// `deno task bundle`: esbuild writes dist/neurad.js — the whole `neurad` CLI in one ES module,
// with the WGSL shaders (imported as text) and the Colin27 template (registered as an embedded
// asset before anything runs) inside, so `deno run -A dist/neurad.js <command>` works from any
// directory without the repository. `--out FILE` writes elsewhere (the bundle test uses it). Its
// flags are declared like a neurad command's (src/cli/command.ts): `--help`, one-line errors.

import * as esbuild from "esbuild";
import { defineCommand, path } from "../src/cli/command.ts";
import { main } from "../src/cli/main.ts";
import { COLIN27_ASSET } from "../src/util/assets.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** Builds the bundle to `outfile`; returns its size in bytes. */
export async function bundle(outfile = `${ROOT}dist/neurad.js`): Promise<number> {
  const entry = `import { embedAsset } from "./src/util/assets.ts";
import colin27 from "./${COLIN27_ASSET}";
embedAsset(${JSON.stringify(COLIN27_ASSET)}, colin27);
await import("./src/cli/main.ts");
`;
  try {
    await esbuild.build({
      stdin: {
        contents: entry,
        resolveDir: ROOT,
        sourcefile: "neurad-bundle-entry.ts",
        loader: "ts",
      },
      bundle: true,
      splitting: false,
      format: "esm",
      platform: "neutral",
      target: "esnext",
      mainFields: ["module", "main"],
      external: ["node:*"],
      loader: { ".wgsl": "text", ".gz": "binary", ".json": "json" },
      outfile,
      banner: {
        js: "// neurad: single-file bundle (deno task bundle). Run: deno run -A neurad.js --help",
      },
      logLevel: "error",
      legalComments: "none",
    });
  } finally {
    await esbuild.stop();
  }
  return (await Deno.stat(outfile)).size;
}

export const bundleCommand = defineCommand({
  name: "bundle",
  program: "deno task",
  summary: "write the whole neurad CLI as one JavaScript file (shaders and template inside)",
  description: "Runs without the repository wherever Deno does: deno run -A neurad.js <command>.",
  flags: {
    out: path({
      short: "o",
      metavar: "FILE",
      help: "output file (default: dist/neurad.js in the repository)",
    }),
  },
  async run({ out }) {
    const size = await bundle(out);
    console.log(`wrote ${out ?? "dist/neurad.js"} (${(size / 2 ** 20).toFixed(1)} MiB)`);
    return 0;
  },
});

if (import.meta.main) Deno.exit(await main(["bundle", ...Deno.args], [bundleCommand]));
