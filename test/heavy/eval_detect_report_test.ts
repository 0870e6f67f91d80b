// The user's pipeline after training, end to end on a tiny demo cohort (6 healthy, 3 tumour
// subjects from the embedded Colin27 brain): a 2-step `demo` run, `neurad eval` (eval.json,
// per_subject.csv, RUN/thresholds.json, report.html), the report opened in headless Chromium (no
// console errors, no network requests, a screenshot), and `neurad detect` on an LAS int16 scan
// with scl_slope (outputs on the input's own stored grid and affine) and on input that is not a
// brain (flagged in the JSON, not crashed on, not scored), also with a thresholds.json in the format
// that named only the post-processing mode and carried the healthy maximum as volume threshold.
// The cohort's 6 healthy subjects are too few for 3 healthy validation and test subjects: the
// split keeps 70/10/20 and eval says its thresholds rest on one healthy validation subject.

import { deepStrictEqual, ok as assert } from "node:assert";
import { generateDemoCohort } from "../../src/data/demo/demo_cohort.ts";
import { encodeNifti } from "../../src/data/nifti/write_nifti.ts";
import { readNifti } from "../../src/data/nifti/read_nifti.ts";
import type { Volume } from "../../src/data/nifti/volume.ts";
import type { EvalResult } from "../../src/report/eval_result.ts";
import { runEval } from "../../src/eval/run_eval.ts";
import { resolveConfig } from "../../src/train/resolve_config.ts";
import { train } from "../../src/train/trainer.ts";
import { gzipSync } from "fflate";
import { setup } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";
import { runNeurad } from "../cli/_run.ts";

// Debian's chromium (.ci/run installs it), or the Chrome preinstalled on GitHub's runners.
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((
  p,
) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
});

/** An LAS copy of a RAS volume (x flipped in data and affine), int16 with scl_slope 0.5. */
function lasInt16Bytes(v: Volume): Uint8Array {
  const [X, Y, Z] = v.dims;
  const data = new Float32Array(v.data.length);
  for (let z = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++) {
        data[(X - 1 - x) + X * (y + Y * z)] = 2 * v.data[x + X * (y + Y * z)];
      }
    }
  }
  const A = v.affine.map((r) => [...r]);
  for (let r = 0; r < 3; r++) {
    A[r][3] += A[r][0] * (X - 1);
    A[r][0] = -A[r][0];
  }
  const bytes = encodeNifti({ data, dims: [X, Y, Z], pixdim: v.pixdim, affine: A }, {
    datatype: "int16",
  });
  // Store raw values at twice the intensity with scl_slope 0.5: readers must apply the scaling.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setFloat32(112, 0.5, true);
  view.setFloat32(116, 0, true);
  return bytes;
}

Deno.test("eval, report and detect on a tiny demo run", async (t) => {
  await setup();
  const root = await tempDir();
  const data = `${root}/data`, runDir = `${root}/run`;
  await generateDemoCohort({ outDir: data, healthy: 6, tumour: 3, stroke: 0, quiet: true });
  const config = await resolveConfig({
    preset: "demo",
    dataDir: data,
    extra: { "train.steps": "2", "model.options.widthMultiplier": "0.125" },
  });
  await train(config, { outDir: runDir, quiet: true });

  let result: EvalResult;
  await t.step("eval writes eval.json, per_subject.csv, thresholds.json, report.html", async () => {
    const warnings: string[] = [];
    const ev = await runEval({
      runDir,
      bootstrap: 20,
      quiet: true,
      write: (l) => warnings.push(l),
    });
    result = JSON.parse(await Deno.readTextFile(`${ev.outDir}/eval.json`));
    assert(
      warnings.some((w) => /^warning: 1 healthy validation subject calibrates/.test(w)),
      warnings.join(""),
    );
    // The checkpoint and threshold scope are recorded; every ranking has its baseline.
    deepStrictEqual(result.checkpointDetail!.requested, "best");
    deepStrictEqual(result.thresholdScope, "pooled");
    assert(result.rankings.every((r) => r.baseline && r.baseline.auroc >= 0), "baselines");
    deepStrictEqual(result.protocol, "reddipalli22");
    deepStrictEqual(result.preset, "demo");
    const levels = result.rankings.filter((r) => r.dataset === "brats").map((r) => r.level);
    deepStrictEqual(levels.sort(), ["pixel", "sample", "slice"]);
    for (const r of result.rankings) {
      assert(r.auroc >= 0 && r.auroc <= 1 && r.auprc >= 0 && r.auprc <= 1, JSON.stringify(r));
      assert(r.positives > 0 && r.negatives > 0);
      deepStrictEqual(r.roc.fpr.length, r.roc.tpr.length);
    }
    // Test split: 1 healthy + 2 tumour subjects, each scored once.
    const subjects = new Set(result.perSubject.map((r) => r.subject));
    deepStrictEqual(subjects.size, 3);
    deepStrictEqual(result.perSubject.filter((r) => r.label === 1).length, 2);
    const csv = (await Deno.readTextFile(`${ev.outDir}/per_subject.csv`)).trim().split("\n");
    deepStrictEqual(csv.length, 1 + result.perSubject.length);
    assert(result.dice.length >= 2, "DICE for median 9×9 and 5×5");
    for (const d of result.dice) {
      assert(d.diceT >= 0 && d.diceT <= 1);
      assert(d.oracle && d.oracle.diceT >= d.diceT - 1e-9, "the oracle is the test-set optimum");
    }
    deepStrictEqual(result.fprThresholds.map((f) => f.fpr).sort(), [0.01, 0.05, 0.1]);
    assert(result.panels.length >= 1);
    assert(result.panels[0].images.input.startsWith("data:image/png;base64,"));
    const th = JSON.parse(await Deno.readTextFile(`${runDir}/thresholds.json`));
    assert(th.threshold > 0 && th.volumeScore.threshold > 0, JSON.stringify(th));
    deepStrictEqual(
      [th.volumeScore.rule, th.volumeScore.fpr, th.volumeScore.calibrationVolumes],
      ["quantile", 0.05, 1],
    );
    // detect's component rule, calibrated the same way at the pooled pixel threshold, and the
    // validation scans' voxel size (the demo cohort is 1 mm).
    const cv = th.componentVolume;
    deepStrictEqual(
      [cv.rule, cv.fpr, cv.calibrationVolumes, cv.pixelThreshold],
      ["quantile", 0.05, 1, th.threshold],
    );
    assert(cv.thresholdMm3 >= 0 && cv.combinedFalsePositives <= 1, JSON.stringify(cv));
    deepStrictEqual(th.dataSpacing.median, [1, 1, 1]);
    deepStrictEqual(th.postprocess, {
      medianFilter: 9,
      erode: 5,
      residual: "absolute",
      median: "2d",
      erosionPlanes: "axial",
      faithful: false,
    });
    const html = await Deno.readTextFile(ev.reportPath!);
    assert((html.match(/<svg/g) ?? []).length >= 4, "charts are inline SVG");
    assert(!/(src|href)\s*=\s*"https?:/.test(html), "no external resources");
  });

  await t.step(
    "eval --faithful: the study code's post-processing, stated in settings",
    async () => {
      const ev = await runEval({
        runDir,
        outDir: `${root}/faithful`,
        bootstrap: 20,
        faithful: true,
        quiet: true,
        report: false,
      });
      const f = ev.result;
      assert(String(f.settings.evaluationMode).startsWith("faithful"), JSON.stringify(f.settings));
      // The study's choices: its final weights and per-dataset thresholds.
      deepStrictEqual([f.checkpoint, f.checkpointDetail!.requested], ["last", "last"]);
      deepStrictEqual(f.thresholdScope, "per-dataset");
      assert(f.dice.every((d) => d.minComponentSize === 8));
      assert(/3D/.test(String(f.settings.medianFilter)));
      assert(/sagittal/.test(String(f.settings.brainMaskErosion)));
      deepStrictEqual(
        f.dice.map((d) => d.filter),
        result.dice.map((d) => `${d.filter}×${d.filter.at(-1)}`),
      );
      // Dilated lesion masks: more positive voxels than the corrected evaluation counted.
      const pos = (r: EvalResult) => r.rankings.find((x) => x.level === "pixel")!.positives;
      assert(pos(f) > pos(result), `${pos(f)} vs ${pos(result)} lesion voxels`);
      // Corrected evaluation afterwards rewrites thresholds.json for detect (faithful: flagged).
      const th = JSON.parse(await Deno.readTextFile(`${runDir}/thresholds.json`));
      deepStrictEqual(th.postprocess.faithful, true);
      deepStrictEqual([th.postprocess.median, th.postprocess.erosionPlanes], ["3d", "sagittal"]);
      await runEval({ runDir, bootstrap: 20, quiet: true, report: false });
    },
  );

  await t.step({
    name: "the report opens offline in headless Chromium without errors",
    fn: async () => {
      if (!CHROMIUM) {
        throw new Error("no Chromium: install it (apt-get install -y chromium) to run this test");
      }
      const { default: puppeteer } = await import("puppeteer-core");
      const browser = await puppeteer.launch({
        executablePath: CHROMIUM,
        headless: true,
        pipe: true,
        args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
      });
      try {
        const page = await browser.newPage();
        const problems: string[] = [], requests: string[] = [];
        page.on("console", (m) => {
          if (m.type() === "error") problems.push(`console: ${m.text()}`);
        });
        page.on("pageerror", (e) => problems.push(`page: ${e}`));
        await page.setRequestInterception(true);
        const url = `file://${runDir}/eval/report.html`;
        page.on("request", (req) => {
          const u = req.url();
          if (u === url || u.startsWith("data:") || u.startsWith("blob:")) {
            req.continue();
          } else {
            requests.push(u);
            req.abort();
          }
        });
        await page.setViewport({ width: 1200, height: 900 });
        await page.goto(url, { waitUntil: "load" });
        const svgs = await page.$$eval("svg", (els) => els.length);
        const imgs = await page.$$eval(
          "img",
          (els) => els.filter((e) => (e as HTMLImageElement).naturalWidth > 0).length,
        );
        deepStrictEqual(problems, []);
        deepStrictEqual(requests, []);
        assert(svgs >= 4, `${svgs} charts rendered`);
        assert(imgs >= 6, `${imgs} panel images decoded`);
        await page.screenshot({ path: `${root}/report.png`, fullPage: true });
        assert((await Deno.stat(`${root}/report.png`)).size > 10_000);
      } finally {
        await browser.close();
      }
    },
  });

  await t.step("detect: LAS int16 scan with scaling keeps its grid and affine", async () => {
    const tumour = (JSON.parse(await Deno.readTextFile(`${data}/cohort.json`)).subjects as {
      kind: string;
      image: string;
    }[]).filter((s) => s.kind === "tumour").pop()!;
    const ras = await readNifti(`${data}/${tumour.image}`);
    const scan = `${root}/las_t1.nii.gz`;
    await Deno.writeFile(scan, gzipSync(lasInt16Bytes(ras)));
    const notBrain = `${root}/flat2d.nii`;
    await Deno.writeFile(
      notBrain,
      encodeNifti({
        data: new Float32Array(64 * 64).fill(3),
        dims: [64, 64, 1],
        pixdim: [1, 1, 1],
        affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
      }),
    );
    // Not skull-stripped: the background filled with tissue-like intensity.
    const noSkull = `${root}/noskull.nii.gz`;
    await Deno.writeFile(
      noSkull,
      gzipSync(encodeNifti({ ...ras, data: ras.data.map((v) => (v === 0 ? 60 : v)) })),
    );
    const out = `${root}/detect`;
    const r = await runNeurad(["detect", "--run", runDir, "--out", out, scan, notBrain, noSkull]);
    deepStrictEqual(r.code, 0, r.stderr);
    assert(/las_t1\.nii\.gz: (anomalous|healthy)/.test(r.stdout), r.stdout);
    assert(/flat2d\.nii: not scored/.test(r.stdout), r.stdout);
    assert(/warning: not scored: a 2D image/.test(r.stdout), r.stdout);

    const input = await readNifti(scan, { canonical: false });
    for (const [name, type] of [["anomaly", "float32"], ["mask", "uint8"]]) {
      const v = await readNifti(`${out}/las_t1_${name}.nii.gz`, { canonical: false });
      deepStrictEqual(v.dims.slice(0, 3), input.dims.slice(0, 3), name);
      deepStrictEqual(v.affine, input.affine, name);
      deepStrictEqual(v.datatype, type, name);
    }
    const json = JSON.parse(await Deno.readTextFile(`${out}/las_t1.json`));
    assert(json.volumeScore > 0 && json.threshold > 0, JSON.stringify(json));
    // The verdict's volume threshold and its calibration: 1 healthy volume, flagged as too few.
    deepStrictEqual(
      [
        json.volumeThreshold.rule,
        json.volumeThreshold.fpr,
        json.volumeThreshold.calibrationVolumes,
      ],
      ["healthy-fpr-quantile", 0.05, 1],
    );
    assert(json.warnings.some((w: string) => /calibrated on 1 healthy validation/.test(w)));
    assert(/volume threshold [0-9.]+: the 95 % quantile/.test(r.stdout), r.stdout);
    assert(["anomalous", "healthy"].includes(json.verdict));
    // The verdict's basis: the score and the largest component against their thresholds.
    deepStrictEqual(json.verdictBasis.volumeScore.value, json.volumeScore);
    deepStrictEqual(
      json.verdictBasis.largestComponent.volumeMm3,
      json.lesions[0]?.volumeMm3 ?? 0,
    );
    deepStrictEqual(
      [json.spacing.action, json.spacing.trainingSource],
      ["as is", "validation scans"],
    );
    for (const l of json.lesions) {
      assert(l.volumeMm3 > 0 && l.centroidWorld.length === 3 && l.centroidWorld.every(isFinite));
    }
    // The anomaly map is zero outside the (LAS-stored) brain: it is on the scan's grid, not
    // mirrored. Every non-zero voxel of the map lies inside the scan's non-zero voxels.
    const map = await readNifti(`${out}/las_t1_anomaly.nii.gz`, { canonical: false });
    let inside = 0, outside = 0;
    for (let i = 0; i < map.data.length; i++) {
      if (map.data[i] > 0) input.data[i] !== 0 ? inside++ : outside++;
    }
    assert(inside > 0 && outside <= 0.01 * inside, `inside ${inside}, outside ${outside}`);
    const png = await Deno.readFile(`${out}/las_t1_overlay.png`);
    deepStrictEqual([...png.subarray(1, 4)], [80, 78, 71]); // "PNG"
    const ns = JSON.parse(await Deno.readTextFile(`${out}/noskull.json`));
    deepStrictEqual(ns.verdict, "unreliable");
    assert(ns.warnings.some((w: string) => /not skull-stripped/.test(w)), ns.warnings.join("; "));
    assert(/noskull\.nii\.gz: unreliable/.test(r.stdout), r.stdout);
    const flat = JSON.parse(await Deno.readTextFile(`${out}/flat2d.json`));
    deepStrictEqual(flat.verdict, "not scored");
    deepStrictEqual(flat.volumeScore, null);
    // A thresholds.json written before the explicit options (mode only) scores the same map.
    const thPath = `${runDir}/thresholds.json`, th = JSON.parse(await Deno.readTextFile(thPath));
    delete th.postprocess.median;
    delete th.postprocess.erosionPlanes;
    for (const k of ["rule", "fpr", "calibrationVolumes"]) delete th.volumeScore[k];
    await Deno.writeTextFile(thPath, JSON.stringify(th));
    const old = await runNeurad(["detect", "--run", runDir, "--out", `${out}_old`, scan]);
    deepStrictEqual(old.code, 0, old.stderr);
    const oldMap = await readNifti(`${out}_old/las_t1_anomaly.nii.gz`, { canonical: false });
    deepStrictEqual(oldMap.data, map.data);
    const oldJson = JSON.parse(await Deno.readTextFile(`${out}_old/las_t1.json`));
    deepStrictEqual(oldJson.volumeThreshold.rule, "healthy-maximum");
    deepStrictEqual(oldJson.volumeThreshold.calibrationVolumes, null);
    assert(oldJson.warnings.some((w: string) => /older neurad eval/.test(w)), oldJson.warnings);
  });
});
