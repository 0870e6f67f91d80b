// `neurad demo`: the engine's end-to-end smoke run on real data. Prints the adapter, loads the
// embedded Colin27 T1 (data/colin27), takes its axial slices at 4 mm and trains a dense
// autoencoder on them with Adam, showing the loss falling (read back every 25 steps only).

import type { CommandSpec } from "../command.ts";
import * as nd from "../../mod.ts";
import { readNifti } from "../../data/nifti/read_nifti.ts";
import { ProgressBar } from "../../util/progress.ts";
import { COLIN27_ASSET, readAsset } from "../../util/assets.ts";

const FACTOR = 4; // 1 mm -> 4 mm in-plane, so a slice is a 1k-pixel vector

function axialSlices(data: Float32Array, [X, Y, Z]: number[]) {
  const w = Math.floor(X / FACTOR), h = Math.floor(Y / FACTOR);
  const slices: Float32Array[] = [];
  let maxV = 0;
  for (const v of data) maxV = Math.max(maxV, v);
  for (let z = 0; z < Z; z += 2) {
    const s = new Float32Array(w * h);
    let brain = 0;
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < w; i++) {
        let acc = 0;
        for (let dj = 0; dj < FACTOR; dj++) {
          for (let di = 0; di < FACTOR; di++) {
            acc += data[(i * FACTOR + di) + X * ((j * FACTOR + dj) + Y * z)];
          }
        }
        s[j * w + i] = acc / (FACTOR * FACTOR * maxV);
        if (acc > 0) brain++;
      }
    }
    if (brain > 0.1 * w * h) slices.push(s);
  }
  return { slices, pixels: w * h };
}

export const demoCommand: CommandSpec = {
  name: "demo",
  summary: "train a small dense autoencoder on the embedded Colin27 brain (engine smoke run)",
  description: "Prints the adapter, then the loss going down: a real training run exercising " +
    "every part of the engine. Exit code 1 if the loss does not fall.",
  flags: {
    steps: {
      type: "integer",
      min: 1,
      max: 1_000_000,
      default: 300,
      metavar: "N",
      help: "optimisation steps",
    },
    seed: {
      type: "integer",
      min: 0,
      max: 2 ** 31 - 1,
      default: 0,
      metavar: "S",
      help: "random seed",
    },
  },
  async run({ flags }) {
    const steps = flags.steps as number, seed = flags.seed as number;
    await nd.getDevice();
    const info = nd.deviceInfo();
    console.log(`adapter: ${info.description} (${info.backend})`);
    const vol = await readNifti(await readAsset(COLIN27_ASSET), {
      canonical: true,
      name: COLIN27_ASSET,
    });
    const { slices, pixels } = axialSlices(vol.data, vol.dims);
    console.log(
      `data: ${slices.length} axial slices of Colin27 at ${FACTOR} mm (${pixels} pixels each)`,
    );

    nd.manualSeed(seed);
    const all = new Float32Array(slices.length * pixels);
    slices.forEach((s, i) => all.set(s, i * pixels));
    const x = nd.Tensor.from(all, [slices.length, pixels]);
    const dims = [pixels, 256, 32, 256, pixels];
    const params: nd.Tensor[] = [];
    for (let i = 0; i + 1 < dims.length; i++) {
      const bound = 1 / Math.sqrt(dims[i]);
      params.push(
        nd.uniform_(nd.Tensor.empty([dims[i], dims[i + 1]]), -bound, bound),
        nd.zeros([dims[i + 1]]),
      );
    }
    for (const p of params) p.requiresGrad = true;
    const forward = (input: nd.Tensor) => {
      let h = input;
      for (let i = 0; i < params.length; i += 2) {
        h = nd.add(nd.matmul(h, params[i]), params[i + 1]);
        if (i + 2 < params.length) h = nd.silu(h);
      }
      return nd.sigmoid(h);
    };
    const opt = new nd.Adam(params, { lr: 2e-3 });
    const bar = new ProgressBar("train", steps, { interval: 2000 });
    let first = NaN, last = NaN;
    const t0 = performance.now();
    for (let step = 1; step <= steps; step++) {
      const loss = nd.tidy(() => nd.mseLoss(forward(x), x));
      loss.backward();
      opt.step();
      opt.zeroGrad();
      if (step === 1 || step % 25 === 0 || step === steps) {
        last = await loss.item(); // the only readback: every 25 steps
        if (step === 1) first = last;
        bar.update(step, `loss ${last.toExponential(3)}`);
      }
      loss.dispose();
    }
    const sec = (performance.now() - t0) / 1000;
    console.log(
      `loss ${first.toExponential(3)} -> ${last.toExponential(3)} in ${steps} steps (${
        (steps / sec).toFixed(1)
      } steps/s)`,
    );
    if (!(last < first)) throw new Error("the loss did not go down");
    opt.dispose();
    for (const p of [x, ...params]) p.dispose();
    console.log(`live GPU buffers after cleanup: ${nd.memoryStats().liveBuffers}`);
  },
};
