// The `.neurad` model file (src/export/model_file.ts, openModelBytes/exportModelFile in
// src/export/open_model.ts): a tiny trained run exported and reopened from bytes gives the very
// reconstructions openRun gives, with the run's thresholds and the checkpoint they were
// calibrated on; `neurad export` writes it; every corrupt file is one line naming it (wrong magic,
// newer version, truncated, trailing bytes, checksum, manifest, a config createModel refuses,
// weights with missing or unexpected keys).

import { dirname } from "node:path";
import { deepStrictEqual, notDeepStrictEqual, ok, rejects, strictEqual, throws } from "node:assert";
import { noGrad } from "../../src/core/autograd.ts";
import { UserError } from "../../src/core/errors.ts";
import { Tensor } from "../../src/core/tensor.ts";
import { type StoredThresholds } from "../../src/eval/stored_thresholds.ts";
import {
  decodeModelFile,
  encodeModelFile,
  MODEL_FILE_VERSION,
  type ModelFileParts,
} from "../../src/export/model_file.ts";
import { parseSafetensors, serializeSafetensors } from "../../src/io/safetensors.ts";
import { sha256 } from "../../src/io/sha256_sync.ts";
import { main } from "../../src/cli/main.ts";
import { exportModelFile, openModelBytes } from "../../src/export/open_model.ts";
import { type OpenedRun, openRun } from "../../src/train/open_run.ts";
import { presetConfig } from "../../src/train/presets.ts";
import { applyFlags, validateConfig } from "../../src/train/resolve_config.ts";
import { train } from "../../src/train/trainer.ts";
import { hostRandom, setup } from "../helpers.ts";
import { tempDir } from "../temp_dir.ts";
import { tinyTrainData } from "../train/_tiny_data.ts";

const THRESHOLDS = (dir: string, which: string): StoredThresholds => ({
  protocol: "reddipalli22",
  threshold: 0.125,
  thresholdScope: "pooled",
  volumeScore: {
    threshold: 0.07,
    rule: "quantile",
    fpr: 0.05,
    calibrationVolumes: 3,
    healthyMean: 0.06,
    healthyStd: 0.002,
    healthyMax: 0.071,
  },
  postprocess: {
    medianFilter: 9,
    erode: 5,
    residual: "absolute",
    median: "2d",
    erosionPlanes: "axial",
    faithful: false,
  },
  createdBy: "neurad eval",
  checkpoint: `${dir}/checkpoints/${which}.safetensors`,
});

let trained: Promise<string> | null = null;

/** A tiny VAE trained two steps, thresholds calibrated on last; best is step 1's checkpoint (so
 * best and last differ whichever step validated better). */
function trainedRun(): Promise<string> {
  trained ??= (async () => {
    await setup();
    const dir = await tempDir();
    const c = validateConfig(applyFlags(presetConfig("reddipalli22-vae"), {
      "model.options": '{"widthMultiplier":0.0625,"latentDim":32,"dropRate":0}',
      batchSize: "2",
      epochs: "2",
      lr: "0.003",
      logEvery: "1",
      saveEvery: "1",
      keepLast: "5",
      sampleEveryEpochs: "0",
    }));
    await train(c, { outDir: dir, data: tinyTrainData(2), quiet: true });
    await Deno.copyFile(
      `${dir}/checkpoints/step-0000001.safetensors`,
      `${dir}/checkpoints/best.safetensors`,
    );
    await Deno.writeTextFile(
      `${dir}/thresholds.json`,
      JSON.stringify(THRESHOLDS(dir, "last"), null, 2),
    );
    return dir;
  })();
  return trained;
}

async function reconstruction(run: OpenedRun, x: Float32Array): Promise<Float32Array> {
  const input = Tensor.from(x, [2, 1, 95, 79]);
  try {
    const y = noGrad(() => run.model.reconstruct(input));
    try {
      return (await y.toArray()) as Float32Array;
    } finally {
      y.dispose();
    }
  } finally {
    input.dispose();
  }
}

function close(run: OpenedRun) {
  run.model.dispose();
  run.discriminator?.dispose();
}

Deno.test("exportModelFile → openModelBytes: the run's reconstructions, thresholds and checkpoint", async () => {
  const dir = await trainedRun();
  const bytes = await exportModelFile(dir);
  const parts = decodeModelFile(bytes, "tiny.neurad");
  strictEqual(parts.version, MODEL_FILE_VERSION);
  // Default: the checkpoint thresholds.json was calibrated on (last), as detect picks.
  strictEqual(parts.checkpoint, "last");
  deepStrictEqual(parts.thresholds, THRESHOLDS(dir, "last"));
  deepStrictEqual(parts.config, JSON.parse(await Deno.readTextFile(`${dir}/config.json`)));
  // Only weights travel: no optimiser state.
  const keys = [...parseSafetensors(parts.weights).tensors.keys()];
  ok(keys.length > 10 && keys.every((k) => k.startsWith("model.")), keys.join(","));

  const x = hostRandom(2 * 95 * 79, 7).map((v) => 0.5 + 0.5 * v);
  for (const which of ["last", "best"] as const) {
    const file = which === "last" ? bytes : await exportModelFile(dir, { checkpoint: which });
    strictEqual(decodeModelFile(file, "f.neurad").checkpoint, which);
    const fromFile = await openModelBytes(file, "tiny.neurad");
    const fromDir = await openRun(dir, { checkpoint: which });
    try {
      strictEqual(fromFile.model.training, false);
      deepStrictEqual(fromFile.thresholds, THRESHOLDS(dir, "last"));
      strictEqual(fromFile.checkpointPath, `tiny.neurad#checkpoints/${which}.safetensors`);
      deepStrictEqual([fromFile.step, fromFile.epoch], [fromDir.step, fromDir.epoch]);
      deepStrictEqual(await reconstruction(fromFile, x), await reconstruction(fromDir, x), which);
    } finally {
      close(fromFile);
      close(fromDir);
    }
  }
  // best and last differ, so the choice above was a real one.
  const best = await openRun(dir, { checkpoint: "best" });
  const last = await openRun(dir, { checkpoint: "last" });
  try {
    deepStrictEqual([best.step, last.step], [1, 2]);
    notDeepStrictEqual(await reconstruction(best, x), await reconstruction(last, x));
  } finally {
    close(best);
    close(last);
  }
});

Deno.test("neurad export --run RUN --out NAME.neurad writes a file that reopens", async () => {
  const dir = await trainedRun();
  const out = `${await tempDir()}/sub/tiny.neurad`;
  const log: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => log.push(a.join(" "));
  let code: number;
  try {
    code = await main(["export", "--run", dir, "--out", out, "--checkpoint", "best"]);
  } finally {
    console.log = orig;
  }
  strictEqual(code, 0, log.join("\n"));
  const bytes = await Deno.readFile(out);
  ok(log[0].startsWith(`wrote ${out} (`) && log[0].includes("best checkpoint"), log[0]);
  ok(log.some((l) => l.includes("calibrated on the last checkpoint")), log.join("\n"));
  const run = await openModelBytes(bytes, out);
  strictEqual(run.config.model.name, "reddipalli22-vae");
  close(run);
  // No temp file left beside it (atomic write).
  deepStrictEqual([...Deno.readDirSync(dirname(out))].map((e) => e.name), ["tiny.neurad"]);
});

/** The bytes of a file with `patch` applied to its body and the checksum recomputed. */
function resealed(bytes: Uint8Array, patch: (b: Uint8Array) => Uint8Array): Uint8Array {
  const body = patch(bytes.slice(0, bytes.length - 32));
  const out = new Uint8Array(body.length + 32);
  out.set(body);
  out.set(sha256(body), body.length);
  return out;
}

function oneLine(re: RegExp) {
  return (e: unknown) => {
    ok(e instanceof UserError, String(e));
    ok(!e.message.includes("\n") && re.test(e.message), e.message);
    return true;
  };
}

Deno.test("decodeModelFile: wrong magic, newer version, truncated, trailing bytes, checksum, manifest", async () => {
  const dir = await trainedRun();
  const good = await exportModelFile(dir);
  const cases: [string, Uint8Array, RegExp][] = [
    ["empty", new Uint8Array(0), /^m\.neurad: not a neurad model file/],
    ["nifti", new TextEncoder().encode("\x5c\x01\x00\x00 a NIfTI header"), /not a neurad model/],
    ["safetensors", parseSafetensorsBytes(good), /^m\.neurad: not a neurad model file/],
    [
      "newer",
      withU32(good, 8, MODEL_FILE_VERSION + 1),
      /format version 2, this neurad reads up to 1/,
    ],
    ["version 0", withU32(good, 8, 0), /not a neurad model file \(format version 0\)/],
    ["header cut", good.slice(0, 20), /^m\.neurad: truncated model file \(header incomplete\)$/],
    [
      "half",
      good.slice(0, good.length >> 1),
      /^m\.neurad: truncated model file \(\d+ of \d+ bytes\)$/,
    ],
    ["no checksum", good.slice(0, good.length - 32), /truncated model file/],
    [
      "trailing",
      concat(good, new Uint8Array(5)),
      /corrupt model file \(5 bytes after the checksum\)/,
    ],
    ["flipped weight byte", flip(good, good.length - 100), /checksum mismatch/],
    ["flipped manifest byte", flip(good, 30), /checksum mismatch/],
    [
      "manifest not JSON",
      resealed(good, (b) => {
        b[24] = 0x21; // '{' → '!'
        return b;
      }),
      /corrupt model file \(manifest is not valid JSON\)/,
    ],
    [
      "no config",
      reencode(good, (p) => ({ ...p, config: {} as ModelFileParts["config"] })),
      /no run config/,
    ],
    [
      "checkpoint name",
      reencode(good, (p) => ({ ...p, checkpoint: "step-7" as "best" })),
      /checkpoint 'step-7', expected best or last/,
    ],
  ];
  for (const [name, bytes, re] of cases) {
    throws(() => decodeModelFile(bytes, "m.neurad"), oneLine(re), name);
    await rejects(openModelBytes(bytes, "m.neurad"), oneLine(re), name);
  }
});

Deno.test("openModelBytes: a config createModel refuses, weights with missing or unexpected keys", async () => {
  const dir = await trainedRun();
  const good = await exportModelFile(dir);
  const withWeights = (edit: (m: Map<string, unknown>) => void) =>
    reencode(good, (p) => {
      const t = parseSafetensors(p.weights);
      edit(t.tensors as Map<string, unknown>);
      return { ...p, weights: serializeSafetensors(t.tensors, t.metadata) };
    });
  const cases: [string, Uint8Array, RegExp][] = [
    [
      "width",
      reencode(good, (p) => {
        const c = structuredClone(p.config);
        c.model.options = { ...c.model.options, widthMultiplier: 7 };
        return { ...p, config: c };
      }),
      /^m\.neurad: run config: reddipalli22-vae: .*widthMultiplier/,
    ],
    [
      "unknown model",
      reencode(good, (p) => {
        const c = structuredClone(p.config);
        c.model.name = "nobody-vae";
        return { ...p, config: c };
      }),
      /^m\.neurad: checkpoint of model 'reddipalli22-vae', but the run config says 'nobody-vae'/,
    ],
    [
      "missing",
      withWeights((m) => m.delete("model.fc_dec_btn.weight")),
      /^m\.neurad: weights do not fit the model of its run config \(.*missing.*fc_dec_btn\.weight/,
    ],
    [
      "unexpected",
      withWeights((m) =>
        m.set("model.extra.weight", { dtype: "F32", shape: [1], data: new Float32Array(1) })
      ),
      /^m\.neurad: weights do not fit the model of its run config \(.*unexpected.*extra\.weight/,
    ],
    [
      "weights not safetensors",
      reencode(good, (p) => ({ ...p, weights: new Uint8Array(4) })),
      /^m\.neurad: corrupt model file \(weights: /,
    ],
  ];
  for (const [name, bytes, re] of cases) {
    await rejects(openModelBytes(bytes, "m.neurad"), oneLine(re), name);
  }
});

function reencode(bytes: Uint8Array, edit: (p: ModelFileParts) => ModelFileParts): Uint8Array {
  return encodeModelFile(edit(decodeModelFile(bytes, "x")));
}

function withU32(bytes: Uint8Array, at: number, v: number): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(at, v, true);
  return out;
}

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const out = bytes.slice();
  out[at] ^= 0x10;
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The weights blob alone: a safetensors file handed in place of a model file. */
function parseSafetensorsBytes(bytes: Uint8Array): Uint8Array {
  return decodeModelFile(bytes, "x").weights;
}
