// The engine runs unchanged in a browser: src/mod.ts is bundled for the browser with esbuild (no
// Deno API may be reached: the platform interface picks its browser implementation), loaded from
// a file:// page into headless Chromium with WebGPU (SwiftShader), and the same computations
// (test/web/_engine_cases.ts) are run there and here in Deno. Values and gradients must agree to
// 1e-4 (two WGSL compilers, two adapters), indices exactly, every buffer freed, no console error.
// Without Chromium the test is reported as ignored, never as passed.

import { deepStrictEqual, ok } from "node:assert";
import * as esbuild from "esbuild";
import * as engine from "../../src/mod.ts";
import { engineCases } from "../web/_engine_cases.ts";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
  .find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  });

/** One self-contained HTML page holding the engine and the cases (classic script: file:// pages
 * cannot import modules). */
async function buildPage(): Promise<string> {
  const root = new URL("../../", import.meta.url).pathname;
  try {
    const r = await esbuild.build({
      stdin: {
        contents: `import * as nr from "./src/mod.ts";
import { engineCases } from "./test/web/_engine_cases.ts";
globalThis.runEngineCases = () => engineCases(nr);`,
        resolveDir: root,
        sourcefile: "engine-in-browser-entry.ts",
        loader: "ts",
      },
      bundle: true,
      format: "iife",
      platform: "browser",
      target: "es2022",
      loader: { ".wgsl": "text" },
      write: false,
      logLevel: "error",
    });
    const js = r.outputFiles[0].text.replace(/<\/script/gi, "<\\/script");
    return `<!doctype html><meta charset="utf-8"><title>neurad engine</title><script>${js}</script>`;
  } finally {
    await esbuild.stop();
  }
}

const close = (a: number, b: number) =>
  (Number.isNaN(a) && Number.isNaN(b)) || a === b || Math.abs(a - b) <= 1e-4 + 1e-4 * Math.abs(b);

Deno.test({
  name: "the engine bundled for a browser computes in Chromium's WebGPU what it computes in Deno",
  ignore: CHROMIUM === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const html = await buildPage();
    const dir = await Deno.makeTempDir({ prefix: "neurad-web-" });
    const page = `${dir}/engine.html`;
    await Deno.writeTextFile(page, html);
    const { default: puppeteer } = await import("puppeteer-core");
    const browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--enable-unsafe-webgpu",
        "--enable-features=Vulkan",
        "--use-vulkan=swiftshader",
        "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader",
      ],
    });
    const problems: string[] = [];
    let inBrowser: Record<string, number[]>;
    try {
      const tab = await browser.newPage();
      tab.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warn") problems.push(`console: ${m.text()}`);
      });
      tab.on("pageerror", (e) => problems.push(`page error: ${e}`));
      await tab.goto(`file://${page}`);
      inBrowser = await tab.evaluate(
        "globalThis.runEngineCases().then((r) => JSON.parse(JSON.stringify(r, (k, v) => " +
          "typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)))",
      ) as Record<string, number[]>;
    } finally {
      await browser.close();
      await Deno.remove(dir, { recursive: true });
    }
    deepStrictEqual(problems, []);
    const inDeno = await engineCases(engine);
    deepStrictEqual(Object.keys(inBrowser).sort(), Object.keys(inDeno).sort());
    for (const [name, want] of Object.entries(inDeno)) {
      const got = inBrowser[name].map(Number);
      ok(
        got.length === want.length,
        `${name}: ${got.length} values in the browser, ${want.length}`,
      );
      const bad = want.findIndex((w, i) => !close(got[i], w));
      ok(bad < 0, `${name}: index ${bad}: browser ${got[bad]}, Deno ${want[bad]}`);
    }
    deepStrictEqual(inDeno["live buffers after every case freed"], [0]);
  },
});
