// The browser page's figures for BENCHMARKS.md: its size without and with the embedded demo model,
// and seconds per volume in headless Chromium (WebGPU on SwiftShader, this machine's CPU) beside
// `neurad detect --model` on Deno's WebGPU (Mesa llvmpipe) for the same model and scan. The page
// runs the scan twice through window.neuradDetect (the first run includes compiling every shader);
// the CLI is timed as a whole command, and its detect step alone from a second scan in the same
// command. `--screenshot FILE` saves the page with the result shown (docs/web.md's picture).
//
//   deno run -A bench/web_page_bench.ts [--run runs/demo] [--scan FILE] [--screenshot FILE]

import { basename, join } from "node:path";
import { exportModelFile } from "../src/export/open_model.ts";
import { buildWeb } from "../tools/build_web.ts";
import { openPage } from "../test/web/_browser.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const arg = (n: string, d?: string) => {
  const i = Deno.args.indexOf(n);
  return i >= 0 ? Deno.args[i + 1] : d;
};
const run = arg("--run", join(ROOT, "runs/demo"))!;
const scan = arg(
  "--scan",
  join(ROOT, "data/demo/brats/DEMO_TUMOUR_001/DEMO_TUMOUR_001_t1.nii.gz"),
)!;
const shot = arg("--screenshot");

const dir = await Deno.makeTempDir({ prefix: "neurad-web-bench-" });
try {
  const model = await exportModelFile(run);
  const modelPath = join(dir, "demo.neurad");
  await Deno.writeFile(modelPath, model);
  const bare = await buildWeb({ out: join(dir, "bare", "index.html"), model: null });
  const full = await buildWeb({ out: join(dir, "full", "index.html"), model });
  const mib = (n: number) => (n / 2 ** 20).toFixed(2);
  console.log(
    `page without model: ${mib(bare.bytes)} MiB (page script ${mib(bare.pageBytes)}, ` +
      `worker ${mib(bare.workerBytes)})`,
  );
  console.log(`page with the demo model: ${mib(full.bytes)} MiB (model ${mib(full.modelBytes)})`);

  // CLI: one command for the scan (wall time), then one for two copies (the second's share is
  // the per-volume time once the process, device and shaders are up).
  const cli = async (...scans: string[]) => {
    const t = performance.now();
    const o = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        join(ROOT, "src/cli/main.ts"),
        "detect",
        "--model",
        modelPath,
        "--out",
        join(dir, `cli-${scans.length}`),
        ...scans,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!o.success) throw new Error(new TextDecoder().decode(o.stderr));
    return (performance.now() - t) / 1000;
  };
  const copy = join(dir, "copy_" + basename(scan));
  await Deno.copyFile(scan, copy);
  const one = await cli(scan);
  const two = await cli(scan, copy);
  console.log(
    `neurad detect --model (Deno, llvmpipe): ${one.toFixed(1)} s for one scan as a ` +
      `command; the second scan of a command ${(two - one).toFixed(1)} s`,
  );

  const s = await openPage(`file://${full.path}`, { width: 1400, height: 950 });
  try {
    await s.page.waitForFunction("document.body.dataset.ready === '1'", { timeout: 120_000 });
    await s.page.waitForFunction(
      "document.getElementById('model-status').innerText.startsWith('demo.neurad: ')",
      { timeout: 120_000 },
    );
    const b64 = (u: Uint8Array) => {
      let t = "";
      for (let i = 0; i < u.length; i += 0x8000) {
        t += String.fromCharCode(...u.subarray(i, i + 0x8000));
      }
      return btoa(t);
    };
    const times = await s.page.evaluate(`(async () => {
      const d = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
      const m = d(${JSON.stringify(b64(model))}), v = d(${
      JSON.stringify(b64(await Deno.readFile(scan)))
    });
      const out = [];
      for (let i = 0; i < 2; i++) {
        const t = performance.now();
        await window.neuradDetect(m, v, ${JSON.stringify(basename(scan))});
        out.push((performance.now() - t) / 1000);
      }
      return out;
    })()`) as number[];
    console.log(
      `page in Chromium (SwiftShader WebGPU): first scan ${times[0].toFixed(1)} s ` +
        `(with shader compiles), second ${times[1].toFixed(1)} s`,
    );
    if (shot) {
      await s.page.click("#queue li:nth-child(1)");
      await s.page.waitForFunction("document.querySelectorAll('#downloads a').length === 3", {
        timeout: 120_000,
      });
      await s.page.waitForFunction("document.body.dataset.shown !== undefined", {
        timeout: 120_000,
      });
      await s.page.evaluate(
        "document.querySelector('#lesions tbody tr') && document.querySelector('#lesions tbody tr').click()",
      );
      await new Promise((r) => setTimeout(r, 3000));
      await s.page.screenshot({ path: shot });
      console.log(`screenshot: ${shot}`);
    }
    if (s.problems.length) console.log("problems:", s.problems);
  } finally {
    await s.close();
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
