// `deno task web`: builds dist/web/index.html, the browser page, as ONE file: esbuild bundles the
// same src/ code the CLI runs (src/web/worker.ts: model opening, detect, training; src/web/page.ts:
// the UI with NiiVue from npm) for the browser, `node:path` aliased to the pure shim
// src/web/path_shim.ts, any other node: module refused. The worker's code goes inline as text
// (started as a blob: Worker), and the demo model (`runs/demo` exported as a .neurad file, when
// that run exists) as base64, so the page works from file:// and from a static host with no
// request after it loads.
//
//   deno task web [--out FILE] [--model FILE.neurad | --run RUN | --no-model]

import * as esbuild from "esbuild";
import { dirname, join } from "node:path";
import { encodeBase64 } from "../src/io/base64.ts";
import { exportModelFile } from "../src/export/open_model.ts";
import { NEURAD_VERSION } from "../src/util/version.ts";
import { pageHtml } from "../src/web/page_html.ts";

const ROOT = new URL("../", import.meta.url).pathname;
export const DEFAULT_OUT = join(ROOT, "dist/web/index.html");
export const DEMO_RUN = join(ROOT, "runs/demo");

/** Aliases node:path to the browser shim; any other node: import fails the build, naming it. */
export const browserNodePlugin: esbuild.Plugin = {
  name: "neurad-browser-node",
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) => {
      if (a.path === "node:path") return { path: join(ROOT, "src/web/path_shim.ts") };
      return {
        errors: [{
          text: `${a.path} is not available in the browser build (imported by ${
            a.importer.replace(ROOT, "")
          }): move the use behind the platform interface`,
        }],
      };
    });
  },
};

async function bundle(entry: string): Promise<string> {
  const r = await esbuild.build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    loader: { ".wgsl": "text" },
    plugins: [browserNodePlugin],
    write: false,
    logLevel: "error",
  });
  return r.outputFiles[0].text;
}

export interface BuildOptions {
  out?: string;
  /** The .neurad bytes to embed; null for none; undefined: runs/demo exported when it exists. */
  model?: Uint8Array | null;
}

export interface BuildResult {
  path: string;
  bytes: number;
  modelBytes: number;
  workerBytes: number;
  pageBytes: number;
}

/** The demo run as .neurad bytes, or null when `runs/demo` has no finished run. */
export async function demoModel(run = DEMO_RUN): Promise<Uint8Array | null> {
  try {
    await Deno.stat(join(run, "config.json"));
  } catch {
    return null;
  }
  try {
    return await exportModelFile(run);
  } catch (e) {
    // An unfinished demo run (no checkpoint yet): the page is built without it and says so.
    console.error(`note: ${(e as Error).message.split("\n")[0]}: building without the demo model`);
    return null;
  }
}

export const DEMO_MISSING =
  "No demo model is built into this page. Make one with `npx deno task demo` (trains runs/demo), " +
  "then rebuild with `npx deno task web`; or open any model exported with " +
  "`neurad export --run RUN --out NAME.neurad`.";

/** Builds the page; returns where it went and its sizes. */
export async function buildWeb(opts: BuildOptions = {}): Promise<BuildResult> {
  const out = opts.out ?? DEFAULT_OUT;
  const model = opts.model === undefined ? await demoModel() : opts.model;
  let workerJs: string, pageJs: string;
  try {
    workerJs = await bundle("src/web/worker.ts");
    pageJs = await bundle("src/web/page.ts");
  } finally {
    await esbuild.stop();
  }
  const html = pageHtml({
    pageJs,
    workerJs,
    demoModelBase64: model ? encodeBase64(model) : null,
    demoMissingNote: DEMO_MISSING,
    version: NEURAD_VERSION,
  });
  const bytes = new TextEncoder().encode(html);
  await Deno.mkdir(dirname(out), { recursive: true });
  const tmp = `${out}.tmp`;
  await Deno.writeFile(tmp, bytes);
  await Deno.rename(tmp, out);
  return {
    path: out,
    bytes: bytes.length,
    modelBytes: model?.length ?? 0,
    workerBytes: workerJs.length,
    pageBytes: pageJs.length,
  };
}

if (import.meta.main) {
  const args = [...Deno.args];
  const flag = (name: string) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    if (v === undefined || v.startsWith("--")) {
      console.error(`error: ${name} needs a value`);
      Deno.exit(2);
    }
    return v;
  };
  const known = ["--out", "--model", "--run", "--no-model"];
  const unknown = args.find((a, i) => a.startsWith("--") && !known.includes(a) && i >= 0);
  if (unknown) {
    console.error(
      `error: unknown flag ${unknown} (use --out FILE, --model FILE, --run RUN, --no-model)`,
    );
    Deno.exit(2);
  }
  let model: Uint8Array | null | undefined;
  try {
    if (args.includes("--no-model")) model = null;
    else if (flag("--model")) model = await Deno.readFile(flag("--model")!);
    else if (flag("--run")) model = await exportModelFile(flag("--run")!);
    const r = await buildWeb({ out: flag("--out"), model });
    const mib = (n: number) => (n / 2 ** 20).toFixed(2);
    console.log(
      `wrote ${r.path} (${mib(r.bytes)} MiB: page script ${mib(r.pageBytes)}, worker ${
        mib(r.workerBytes)
      }, model ${r.modelBytes ? mib(r.modelBytes) : "none"})`,
    );
    if (!r.modelBytes) console.log(DEMO_MISSING);
    console.log(`open it: file://${r.path}   or serve it: npx deno task serve`);
  } catch (e) {
    console.error(`error: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`);
    Deno.exit(1);
  }
}
