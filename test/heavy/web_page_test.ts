// The page against the CLI (heavy: a few minutes of SwiftShader WebGPU): a small run is exported
// with `neurad export`, the page (tools/build_web.ts) opens the model file and two scans dropped
// into it (tools/fixtures/web_scans_fixtures.py: LAS int16 with scl_slope, RAS float32), and the
// three files each row offers for download must be what `neurad detect --model` writes for the
// same model and scans: anomaly map within 1e-4, mask identical, JSON equal apart from paths and
// times; a lesion component's row moves the crosshair to its centroid. The automation hook
// window.neuradDetect gives the same; a Cancel stops a running scan and the next ones still work;
// live GPU buffers after the third and the tenth scan equal those after the first two; no console error, page
// error or request beyond the page's own file. Screenshots of the viewer with the overlay are kept
// in dist/web-test/.

import { deepStrictEqual, ok, strictEqual } from "node:assert";
import { basename, join } from "node:path";
import { gunzipSync } from "fflate";
import { buildWeb } from "../../tools/build_web.ts";
import { CHROMIUM, openPage } from "../web/_browser.ts";
import { LAS_SCAN, makeTinyRun, niftiFloats, RAS_SCAN } from "../web/_tiny_model.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const SHOTS = join(ROOT, "dist", "web-test");

async function cli(...args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "src/cli/main.ts"), ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`neurad ${args.join(" ")} failed:\n${text}`);
  return text;
}

/** NAME.json without what differs between a folder on disk and a browser tab: paths, times. */
function comparable(json: string): unknown {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === "object") {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (/time|seconds|elapsed|duration/i.test(k)) continue;
        o[k] = k === "scan" && typeof x === "string" ? basename(x) : strip(x);
      }
      if (o.outputs && typeof o.outputs === "object") {
        o.outputs = Object.fromEntries(
          Object.entries(o.outputs).map(([k, p]) => [k, basename(String(p))]),
        );
      }
      return o;
    }
    return v;
  };
  return strip(JSON.parse(json));
}

function sameOutputs(
  what: string,
  got: { anomaly: Uint8Array; mask: Uint8Array; json: string },
  want: { anomaly: Uint8Array; mask: Uint8Array; json: string },
) {
  const [a, b] = [niftiFloats(got.anomaly), niftiFloats(want.anomaly)];
  strictEqual(a.length, b.length, `${what}: anomaly map size`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  ok(worst <= 1e-4, `${what}: anomaly map differs by ${worst}`);
  const [ha, hb] = [
    gunzipSync(got.anomaly).subarray(0, 348),
    gunzipSync(want.anomaly).subarray(0, 348),
  ];
  deepStrictEqual(ha, hb, `${what}: anomaly map header`);
  deepStrictEqual(gunzipSync(got.mask), gunzipSync(want.mask), `${what}: mask`);
  deepStrictEqual(comparable(got.json), comparable(want.json), `${what}: JSON`);
}

Deno.test({
  name: "page: two dropped scans give the files neurad detect writes; hook, cancel, GPU memory",
  ignore: CHROMIUM === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "neurad-page-heavy-" });
    const downloads = join(dir, "downloads");
    await Deno.mkdir(downloads);
    await Deno.mkdir(SHOTS, { recursive: true });
    try {
      await makeTinyRun(join(dir, "run"));
      const modelPath = join(dir, "tiny.neurad");
      await cli("export", "--run", join(dir, "run"), "--out", modelPath);
      await cli("detect", "--model", modelPath, "--out", join(dir, "cli"), LAS_SCAN, RAS_SCAN);
      const want = async (scan: string) => {
        const n = basename(scan).replace(/\.nii(\.gz)?$/, "");
        return {
          anomaly: await Deno.readFile(join(dir, "cli", `${n}_anomaly.nii.gz`)),
          mask: await Deno.readFile(join(dir, "cli", `${n}_mask.nii.gz`)),
          json: await Deno.readTextFile(join(dir, "cli", `${n}.json`)),
        };
      };
      const { path } = await buildWeb({ out: join(dir, "web", "index.html"), model: null });
      const s = await openPage(`file://${path}`, {
        downloadDir: downloads,
        width: 1400,
        height: 950,
      });
      const { page } = s;
      try {
        await page.waitForFunction("document.body.dataset.ready === '1'");
        const input = async (sel: string, ...files: string[]) =>
          await ((await page.$(sel)) as import("puppeteer-core").ElementHandle<HTMLInputElement>)
            .uploadFile(...files);
        await input("#model-input", modelPath);
        await page.waitForFunction(
          "document.getElementById('model-status').innerText.startsWith('tiny.neurad: ')",
        );
        // Cancel the first scan while it runs (the first is slow: every shader compiles); the
        // next ones still run.
        await input("#scan-input", LAS_SCAN);
        await page.waitForFunction(
          "document.querySelector('#queue li:nth-child(1)')?.dataset.state === 'running'",
          { polling: 100 },
        );
        await page.click("#queue li:nth-child(1) button");
        await page.waitForFunction(
          "document.querySelector('#queue li:nth-child(1)')?.dataset.state === 'cancelled'",
          { timeout: 60_000, polling: 200 },
        );
        await input("#scan-input", LAS_SCAN, RAS_SCAN);
        await page.waitForFunction(
          "document.querySelectorAll('#queue li[data-state=done]').length === 2",
          { timeout: 540_000, polling: 500 },
        );
        const afterTwo = await page.evaluate("window.neuradMemory()") as { liveBuffers: number };

        // Each row: show it, keep a screenshot, download its three files.
        for (const [i, scan] of [LAS_SCAN, RAS_SCAN].entries()) {
          const name = basename(scan);
          await page.click(`#queue li:nth-child(${i + 2})`);
          await page.waitForFunction(`document.body.dataset.shown === ${JSON.stringify(name)}`, {
            timeout: 120_000,
          });
          await page.waitForFunction("document.querySelectorAll('#downloads a').length === 3");
          await new Promise((r) => setTimeout(r, 1500)); // the viewer's first frames
          await page.screenshot({ path: join(SHOTS, name.replace(/\.nii(\.gz)?$/, ".png")) });
          const files = await page.$$eval("#downloads a", (as) => as.map((a) => a.textContent!));
          const n = name.replace(/\.nii(\.gz)?$/, "");
          deepStrictEqual(files, [`${n}_anomaly.nii.gz`, `${n}_mask.nii.gz`, `${n}.json`]);
          // A lesion component's row moves the crosshair to its centroid (scanner mm; the viewer
          // shows the nearest voxel centre of the 2.5 mm scan, rounded).
          const c = await page.$eval(
            "#lesions tbody tr:first-child td:last-child",
            (td) => td.textContent!.split(",").map(Number),
          );
          await page.click("#lesions tbody tr:first-child");
          await page.waitForFunction(
            `(() => { const m = document.getElementById("location").textContent.split(/[×=]/)
              .slice(0, 3).map(Number); const c = ${JSON.stringify(c)};
              return m.length === 3 && m.every((v, i) => Math.abs(v - c[i]) <= 2.6); })()`,
            { timeout: 60_000, polling: 200 },
          );
          for (const f of files) await page.click(`#downloads a[data-file="${f}"]`);
          const got = async (f: string) => {
            for (let t = 0; t < 100; t++) {
              try {
                const b = await Deno.readFile(join(downloads, f));
                if (b.length > 0) return b;
              } catch { /* not there yet */ }
              await new Promise((r) => setTimeout(r, 100));
            }
            throw new Error(`${f} was not downloaded`);
          };
          sameOutputs(`download ${name}`, {
            anomaly: await got(files[0]),
            mask: await got(files[1]),
            json: new TextDecoder().decode(await got(files[2])),
          }, await want(scan));
        }

        // The hook runs the same path and gives the same bytes.
        const b64 = (u: Uint8Array) => {
          let t = "";
          for (let i = 0; i < u.length; i += 0x8000) {
            t += String.fromCharCode(...u.subarray(i, i + 0x8000));
          }
          return btoa(t);
        };
        const hook = await page.evaluate(`(async () => {
          const d = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
          const e = (u) => { let t = ""; for (let i = 0; i < u.length; i += 32768)
            t += String.fromCharCode(...u.subarray(i, i + 32768)); return btoa(t); };
          const o = await window.neuradDetect(d(${
          JSON.stringify(b64(await Deno.readFile(modelPath)))
        }),
            d(${JSON.stringify(b64(await Deno.readFile(RAS_SCAN)))}), ${
          JSON.stringify(basename(RAS_SCAN))
        });
          return { anomaly: e(o.anomaly), mask: e(o.mask), json: o.json };
        })()`) as { anomaly: string; mask: string; json: string };
        const d = (t: string) => Uint8Array.from(atob(t), (c) => c.charCodeAt(0));
        sameOutputs(
          "neuradDetect",
          { anomaly: d(hook.anomaly), mask: d(hook.mask), json: hook.json },
          await want(RAS_SCAN),
        );
        const afterThree = await page.evaluate("window.neuradMemory()") as { liveBuffers: number };

        // Seven more scans after the others, one at a time: ten in all.
        for (let row = 5; row <= 11; row++) {
          await input("#scan-input", RAS_SCAN);
          await page.waitForFunction(
            `document.querySelector('#queue li:nth-child(${row})')?.dataset.state === 'done'`,
            { timeout: 300_000, polling: 500 },
          );
        }
        const afterTen = await page.evaluate("window.neuradMemory()") as { liveBuffers: number };
        deepStrictEqual(afterThree, afterTwo, "live GPU memory after 3 scans vs 2");
        deepStrictEqual(afterTen, afterTwo, "live GPU memory after 10 scans vs 2");
        ok(afterTwo.liveBuffers > 0, "the model's weights stay on the GPU");

        deepStrictEqual(s.problems, []);
        ok(
          s.requests.every((u) =>
            u === `file://${path}` || u.startsWith("blob:") || u.startsWith("data:")
          ),
          s.requests.map((u) => u.slice(0, 80)).join(", "),
        );
      } finally {
        await s.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "page: training steps in the browser lower the loss; neurad detect --model opens the export",
  ignore: CHROMIUM === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "neurad-page-train-" });
    try {
      const { path } = await buildWeb({ out: join(dir, "web", "index.html"), model: null });
      const s = await openPage(`file://${path}`);
      let model: Uint8Array, losses: number[];
      try {
        const { page } = s;
        await page.waitForFunction("document.body.dataset.ready === '1'");
        await page.click("#tab-btn-train");
        const b64 = (u: Uint8Array) => {
          let t = "";
          for (let i = 0; i < u.length; i += 0x8000) {
            t += String.fromCharCode(...u.subarray(i, i + 0x8000));
          }
          return btoa(t);
        };
        const scans = [];
        for (const p of [LAS_SCAN, RAS_SCAN]) {
          scans.push({ fileName: basename(p), b64: b64(await Deno.readFile(p)) });
        }
        const r = await page.evaluate(`(async () => {
          const d = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
          const scans = ${
          JSON.stringify(scans)
        }.map((s) => ({ fileName: s.fileName, bytes: d(s.b64) }));
          const o = await window.neuradTrain(scans, 4);
          let t = ""; for (let i = 0; i < o.model.length; i += 32768)
            t += String.fromCharCode(...o.model.subarray(i, i + 32768));
          return { losses: o.losses, model: btoa(t) };
        })()`) as { losses: number[]; model: string };
        losses = r.losses;
        model = Uint8Array.from(atob(r.model), (c) => c.charCodeAt(0));
        const points = await page.$eval("#loss-chart polyline", (p) => p.getAttribute("points")!);
        strictEqual(points.trim().split(/\s+/).length, 4, "one loss-curve point per step");
        ok(
          await page.$eval("#train-sample", (i) => (i as HTMLImageElement).src.startsWith("blob:")),
        );
        await page.click("#tab-btn-detect");
        await page.waitForFunction(
          "document.getElementById('model-status').innerText.startsWith('browser-demo.neurad: reddipalli22-vae')",
        );
        await page.screenshot({ path: join(SHOTS, "train.png") });
        deepStrictEqual(s.problems, []);
      } finally {
        await s.close();
      }
      strictEqual(losses.length, 4);
      ok(losses.every(Number.isFinite), losses.join());
      const first = losses[0], last = losses[3];
      ok(last < 0.9 * first, `loss ${first} → ${last}: ${losses.join(", ")}`);
      const file = join(dir, "browser-demo.neurad");
      await Deno.writeFile(file, model);
      const out = await cli("detect", "--model", file, "--out", join(dir, "cli"), RAS_SCAN);
      const json = JSON.parse(await Deno.readTextFile(join(dir, "cli", "web_ras_float32.json")));
      ok(typeof json.volumeScore === "number", out);
      await Deno.stat(join(dir, "cli", "web_ras_float32_anomaly.nii.gz"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
