// The page's pure parts, in Deno: the node:path shim the browser build aliases (against Deno's
// node:path on the same inputs), the mask outline, the time-left estimate, the inline-script
// escaping, the WebGPU messages, and that the browser build refuses a node: module other than
// node:path with one line naming its importer.

import { deepStrictEqual, ok, strictEqual } from "node:assert";
import * as nodePath from "node:path";
import * as shim from "../../src/web/path_shim.ts";
import { maskOutline } from "../../src/web/mask_outline.ts";
import { clock, Eta } from "../../src/web/eta.ts";
import { inlineScript } from "../../src/web/page_html.ts";
import {
  adapterTooSmall,
  REQUIRED_LIMITS,
  tooSmallForModel,
  webgpuMissing,
} from "../../src/web/gpu_support.ts";

const PATHS = [
  "",
  ".",
  "/",
  "a",
  "a/",
  "/a/b/c",
  "/a/b/c/",
  "a//b///c",
  "./a/./b",
  "../a/../../b",
  "/a/../../b",
  "runs/demo/checkpoints/best.safetensors",
  "scan.nii.gz",
  "/x/y/scan.nii",
  "a/b/..",
  "..",
  "/..",
  ".hidden",
  "dir/.hidden",
  "file.",
];

Deno.test("path shim: join, normalize, basename, dirname, extname, isAbsolute as node:path", () => {
  const posix = nodePath.posix;
  for (const p of PATHS) {
    strictEqual(shim.normalize(p), posix.normalize(p), `normalize(${p})`);
    strictEqual(shim.basename(p), posix.basename(p), `basename(${p})`);
    strictEqual(shim.dirname(p), posix.dirname(p), `dirname(${p})`);
    strictEqual(shim.extname(p), posix.extname(p), `extname(${p})`);
    strictEqual(shim.isAbsolute(p), posix.isAbsolute(p), `isAbsolute(${p})`);
    strictEqual(shim.basename(p, ".gz"), posix.basename(p, ".gz"), `basename(${p}, .gz)`);
    for (const q of ["b", "../c", "/d", "", "./e/"]) {
      strictEqual(shim.join(p, q), posix.join(p, q), `join(${p}, ${q})`);
      strictEqual(shim.resolve("/base", p, q), posix.resolve("/base", p, q), `resolve(${p}, ${q})`);
      const [a, b] = [`/r/${p}`, `/r/${q}`];
      strictEqual(shim.relative(a, b), posix.relative(a, b), `relative(${a}, ${b})`);
    }
  }
  strictEqual(shim.join(), posix.join());
  strictEqual(
    shim.win32.join("C:\\Users\\me", "AppData", "Local"),
    "C:\\Users\\me\\AppData\\Local",
  );
  strictEqual(
    shim.win32.join("C:\\Users\\me", "AppData", "Local"),
    nodePath.win32.join("C:\\Users\\me", "AppData", "Local"),
  );
});

Deno.test("mask outline: boundary voxels of a box, none inside, the grid edge counts", () => {
  const [nx, ny, nz] = [6, 5, 5];
  const m = new Uint8Array(nx * ny * nz);
  const at = (x: number, y: number, z: number) => (z * ny + y) * nx + x;
  for (let z = 1; z < 4; z++) {
    for (let y = 1; y < 4; y++) for (let x = 1; x < 5; x++) m[at(x, y, z)] = 1;
  }
  const o = maskOutline(m, nx, ny, nz);
  let n = 0;
  for (let i = 0; i < o.length; i++) n += o[i];
  // A 4×3×3 box: 36 voxels, the inner 2×1×1 are not on its surface.
  strictEqual(n, 36 - 2);
  strictEqual(o[at(2, 2, 2)], 0);
  strictEqual(o[at(3, 2, 2)], 0);
  strictEqual(o[at(1, 2, 2)], 1);
  strictEqual(o[at(0, 0, 0)], 0);
  const full = maskOutline(new Uint8Array(27).fill(1), 3, 3, 3);
  strictEqual(full.reduce((a, b) => a + b, 0), 26); // only the centre is interior
});

Deno.test("time left: from the rate between reports, none before two", () => {
  const e = new Eta();
  e.update(0, 1000);
  strictEqual(e.secondsLeft(10), null);
  strictEqual(e.text(0, 10, "slices"), "0 of 10 slices");
  e.update(4, 3000); // 4 steps in 2 s: 6 left → 3 s
  strictEqual(e.secondsLeft(10), 3);
  strictEqual(e.text(4, 10, "slices"), "4 of 10 slices · 0:03 left");
  strictEqual(clock(59.6), "1:00");
  strictEqual(clock(3725), "1:02:05");
});

Deno.test("inline script: no </script> survives, the code means the same", () => {
  const js = `var a = "</script><script>alert(1)</SCRIPT>"; var b = /<\\/script>/;`;
  const out = inlineScript(js);
  ok(!/<\/script/i.test(out));
  const ctx: Record<string, unknown> = {};
  new Function("ctx", out + "; ctx.a = a; ctx.b = b.source;")(ctx);
  strictEqual(ctx.a, "</script><script>alert(1)</SCRIPT>");
});

Deno.test("WebGPU messages: one line naming the settings; limits below the engine's named", () => {
  const m = webgpuMissing(undefined)!;
  ok(m.includes("chrome://flags/#enable-unsafe-webgpu") && m.includes("dom.webgpu.enabled"));
  ok(m.includes("Safari") && !m.includes("\n"));
  strictEqual(webgpuMissing({}), null);
  strictEqual(adapterTooSmall({ ...REQUIRED_LIMITS }), null);
  const small = adapterTooSmall({ ...REQUIRED_LIMITS, maxStorageBuffersPerShaderStage: 4 })!;
  ok(small.includes("maxStorageBuffersPerShaderStage 4 < 8"), small);
  ok(tooSmallForModel(
    "neurad: tensor [64, 512, 512] needs 64 MiB, over this adapter's 32 MiB " +
      "storage-binding limit: use smaller batches",
  )!.startsWith("This GPU adapter is too small"));
  strictEqual(tooSmallForModel("x.nii.gz: not a NIfTI file"), null);
});

Deno.test("browser build: a node: module other than node:path is refused naming its importer", async () => {
  const esbuild = await import("esbuild");
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/m.ts`,
      `import { readFileSync } from "node:fs"; readFileSync;`,
    );
    const { browserNodePlugin } = await import("../../tools/build_web.ts");
    let msg = "";
    try {
      await esbuild.build({
        entryPoints: [`${dir}/m.ts`],
        bundle: true,
        write: false,
        logLevel: "silent",
        plugins: [browserNodePlugin],
      });
    } catch (e) {
      msg = (e as Error).message;
    } finally {
      await esbuild.stop();
    }
    ok(msg.includes("node:fs is not available in the browser build") && msg.includes("m.ts"), msg);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("path shim: every name the application imports from node:path exists", async () => {
  const names = new Set<string>();
  for await (const f of walk(new URL("../../src/", import.meta.url).pathname)) {
    const src = await Deno.readTextFile(f);
    for (const m of src.matchAll(/import\s*\{([^}]*)\}\s*from\s*"node:path"/g)) {
      for (const n of m[1].split(",")) if (n.trim()) names.add(n.trim().split(/\s+as\s+/)[0]);
    }
  }
  ok(names.size > 0);
  const missing = [...names].filter((n) => !(n in shim));
  deepStrictEqual(missing, []);
});

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) yield* walk(p);
    else if (e.name.endsWith(".ts")) yield p;
  }
}

Deno.test("browser build: the worker and the page reach Deno's API only through platform.ts", async () => {
  const esbuild = await import("esbuild");
  const { browserNodePlugin } = await import("../../tools/build_web.ts");
  const root = new URL("../../", import.meta.url).pathname;
  const found: string[] = [];
  try {
    for (const entry of ["src/web/worker.ts", "src/web/page.ts"]) {
      const r = await esbuild.build({
        entryPoints: [root + entry],
        bundle: true,
        format: "iife",
        platform: "browser",
        loader: { ".wgsl": "text" },
        plugins: [browserNodePlugin],
        write: false,
        logLevel: "silent",
      });
      // esbuild's unminified output marks each module with a `// path` line.
      let file = "";
      for (const line of r.outputFiles[0].text.split("\n")) {
        const m = /^ {2}\/\/ (\S+\.ts)$/.exec(line);
        if (m) file = m[1];
        else if (/\bDeno\s*[.[]/.test(line) && !file.endsWith("src/core/platform.ts")) {
          found.push(`${entry}: ${file}: ${line.trim().slice(0, 80)}`);
        }
      }
    }
  } finally {
    await esbuild.stop();
  }
  deepStrictEqual(found, []);
});

Deno.test("serve: the folder's files, index.html for /, nothing outside it, GET/HEAD only", async () => {
  const { staticHandler } = await import("../../tools/serve.ts");
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/web`);
    await Deno.writeTextFile(`${dir}/web/index.html`, "<!doctype html>page");
    await Deno.writeTextFile(`${dir}/secret.txt`, "outside");
    const h = staticHandler(`${dir}/web`);
    const get = (p: string, method = "GET") => h(new Request(`http://127.0.0.1${p}`, { method }));
    const home = await get("/");
    strictEqual(home.status, 200);
    strictEqual(home.headers.get("content-type"), "text/html; charset=utf-8");
    strictEqual(await home.text(), "<!doctype html>page");
    strictEqual((await get("/index.html", "HEAD")).status, 200);
    for (const p of ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/missing"]) {
      const r = await get(p);
      strictEqual(r.status, 404, p);
      await r.body?.cancel();
    }
    const post = await get("/", "POST");
    strictEqual(post.status, 405);
    await post.body?.cancel();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("web build: no demo model from a missing or unfinished runs/demo (one note, no failure)", async () => {
  const { demoModel } = await import("../../tools/build_web.ts");
  const dir = await Deno.makeTempDir();
  try {
    strictEqual(await demoModel(`${dir}/none`), null);
    await Deno.writeTextFile(`${dir}/config.json`, "{}");
    strictEqual(await demoModel(dir), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
