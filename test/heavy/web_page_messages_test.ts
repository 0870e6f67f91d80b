// The page (tools/build_web.ts → index.html) in headless Chromium, the fast checks that need no
// scan to be scored: it loads from file:// with no request beyond its own file and no console or
// page error, its worker opens the GPU, it says how to make the demo model when none is built in,
// a model exported from a run opens, and bad input gets one line naming the file while the page
// goes on: a truncated and a corrupted model file (the opened model stays), a scan that is not
// gzip, a truncated NIfTI. Without WebGPU the page says which browser settings turn it on. The
// comparison of the page's outputs with `neurad detect` is test/heavy/web_page_test.ts.

import { deepStrictEqual, ok } from "node:assert";
import { join } from "node:path";
import { buildWeb } from "../../tools/build_web.ts";
import { exportModelFile } from "../../src/export/open_model.ts";
import { CHROMIUM, openPage } from "../web/_browser.ts";
import { makeTinyRun } from "../web/_tiny_model.ts";

const text = (page: import("puppeteer-core").Page, sel: string) =>
  page.$eval(sel, (e) => (e as HTMLElement).innerText);

Deno.test({
  name: "page: offline from file://, GPU in its worker, one line per bad model or scan file",
  ignore: CHROMIUM === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "neurad-page-" });
    try {
      const { path } = await buildWeb({ out: join(dir, "web", "index.html"), model: null });
      await makeTinyRun(join(dir, "run"));
      const model = await exportModelFile(join(dir, "run"));
      const files = {
        "tiny.neurad": model,
        "half.neurad": model.slice(0, model.length >> 1),
        "flipped.neurad": model.map((b, i) => (i === model.length >> 1 ? b ^ 0xff : b)),
        "broken.nii.gz": new TextEncoder().encode("not a scan at all, just some text\n"),
        "short.nii": new Uint8Array(200).fill(7),
      };
      for (const [n, b] of Object.entries(files)) await Deno.writeFile(join(dir, n), b);
      const s = await openPage(`file://${path}`);
      try {
        const { page } = s;
        await page.waitForFunction("document.body.dataset.ready === '1'");
        await page.waitForFunction(
          "document.getElementById('adapter').innerText.startsWith('GPU')",
        );
        ok((await text(page, "#model-note")).includes("npx deno task demo"));
        ok(await page.$eval("#gpu-error", (e) => (e as HTMLElement).hidden));

        const upload = async (input: string, ...names: string[]) => {
          const h = await page.$(input);
          await (h as import("puppeteer-core").ElementHandle<HTMLInputElement>).uploadFile(
            ...names.map((n) => join(dir, n)),
          );
        };
        const status = () => text(page, "#model-status");
        await upload("#model-input", "tiny.neurad");
        await page.waitForFunction(
          "document.getElementById('model-status').innerText.startsWith('tiny.neurad: reddipalli22-vae')",
        );
        ok((await status()).includes("thresholds from neurad eval"), await status());

        await upload("#scan-input", "broken.nii.gz", "short.nii");
        await page.waitForFunction(
          "document.querySelectorAll('#queue li[data-state=failed]').length === 2",
          { timeout: 60_000 },
        );
        const rows = await page.$$eval(
          "#queue li",
          (ls) => ls.map((l) => (l.querySelector(".status") as HTMLElement).innerText),
        );
        deepStrictEqual(rows.length, 2);
        ok(/^broken\.nii\.gz: /.test(rows[0]) && !rows[0].includes("\n"), rows[0]);
        ok(/^short\.nii: /.test(rows[1]) && !rows[1].includes("\n"), rows[1]);
        ok(/gzip|NIfTI|header|truncated|too short/i.test(rows[0] + rows[1]), rows.join(" | "));

        for (const [name, want] of [["half.neurad", /truncated/], ["flipped.neurad", /checksum/]]) {
          await upload("#model-input", name as string);
          await page.waitForFunction(
            `document.getElementById('model-status').dataset.error === '1' && ` +
              `document.getElementById('model-status').innerText.startsWith('${name}')`,
          );
          const line = await status();
          ok((want as RegExp).test(line) && !line.includes("\n"), line);
          ok(line.endsWith("(still using tiny.neurad)"), line);
        }
        deepStrictEqual(s.problems, []);
        ok(
          s.requests.every((u) =>
            u === `file://${path}` || u.startsWith("blob:") || u.startsWith("data:")
          ),
          s.requests.map((u) => u.slice(0, 80)).join(),
        );
      } finally {
        await s.close();
      }

      // No WebGPU (Chromium without --enable-unsafe-webgpu): one line naming the settings.
      const off = await openPage(`file://${path}`, { extraArgs: ["--no-sandbox"] });
      try {
        await off.page.waitForFunction("!document.getElementById('gpu-error').hidden");
        const msg = await text(off.page, "#gpu-error");
        ok(msg.includes("chrome://flags/#enable-unsafe-webgpu") && !msg.includes("\n"), msg);
        ok(msg.includes("dom.webgpu.enabled") && msg.includes("Safari"), msg);
        deepStrictEqual(off.problems, []);
      } finally {
        await off.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
