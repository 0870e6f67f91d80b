// TF.js 4.22 WebGPU as a conv peer (_conv_peers.ts): its native NHWC kernels Conv2D,
// Conv2DBackpropInput and Conv2DBackpropFilter (what its conv2d gradient calls), without bias;
// fwd+bwd runs the three. Waits by reading back one element of the last output (TF.js batches
// its commands, so onSubmittedWorkDone alone returns early). TF.js is a devDependency.

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-webgpu";
import {
  type Engine,
  HWIO_TO_OIHW,
  NCHW_TO_NHWC,
  NHWC_TO_NCHW,
  OIHW_TO_HWIO,
  type PassRunner,
  permute4,
} from "./_conv_peers.ts";

type Out = tf.Tensor[];

export function tfjsEngine(): Engine {
  let held: tf.Tensor[] = [];
  return {
    name: "TF.js",
    async init() {
      if (!(await tf.setBackend("webgpu"))) throw new Error("TF.js found no WebGPU adapter");
      await tf.ready();
    },
    async prepare({ shape: { N, C, H, W, k, s, p, Co, Ho, Wo }, x, w, g }) {
      if (tf.getBackend() !== "webgpu") {
        await tf.setBackend("webgpu");
        await tf.ready();
      }
      const tx = tf.tensor4d(permute4(x, [N, C, H, W], NCHW_TO_NHWC), [N, H, W, C]);
      const tw = tf.tensor4d(permute4(w, [Co, C, k, k], OIHW_TO_HWIO), [k, k, C, Co]);
      const tg = tf.tensor4d(permute4(g, [N, Co, Ho, Wo], NCHW_TO_NHWC), [N, Ho, Wo, Co]);
      held = [tx, tw, tg];
      const pad = [[0, 0], [p, p], [p, p], [0, 0]] as [
        [0, 0],
        [number, number],
        [number, number],
        [0, 0],
      ];
      const conv = { strides: [s, s] as [number, number], pad, dataFormat: "NHWC" as const };
      const fwd = () => tf.conv2d(tx, tw, s, pad);
      const dx = () =>
        tf.engine().runKernel("Conv2DBackpropInput", { dy: tg, filter: tw }, {
          ...conv,
          inputShape: [N, H, W, C],
        }) as tf.Tensor;
      const dw = () =>
        tf.engine().runKernel("Conv2DBackpropFilter", { x: tx, dy: tg }, {
          ...conv,
          filterShape: [k, k, C, Co],
        }) as tf.Tensor;
      const toNchw = async (t: tf.Tensor) =>
        permute4(await t.data() as Float32Array, t.shape, NHWC_TO_NCHW);
      const toOihw = async (t: tf.Tensor) =>
        permute4(await t.data() as Float32Array, t.shape, HWIO_TO_OIHW);
      const runner = (
        f: () => Out,
        read: ((t: tf.Tensor) => Promise<Float32Array>)[],
      ): PassRunner<Out> => ({
        run: f,
        async wait(r) {
          const last = r[r.length - 1];
          const one = tf.slice(last, [0, 0, 0, 0], [1, 1, 1, 1]);
          await one.data();
          one.dispose();
        },
        read: (r) => Promise.all(r.map((t, i) => read[i](t))),
        free: (r) => r.forEach((t) => t.dispose()),
      });
      return {
        "forward": [runner(() => [fwd()], [toNchw])],
        "input grad": [runner(() => [dx()], [toNchw])],
        "weight grad": [runner(() => [dw()], [toOihw])],
        "fwd+bwd": [runner(() => [fwd(), dx(), dw()], [toNchw, toNchw, toOihw])],
      };
    },
    release() {
      held.forEach((t) => t.dispose());
      held = [];
    },
  };
}
