// @jax-js/jax 0.1.25 on WebGPU as a conv peer (_conv_peers.ts), installed by the bench into a
// temporary folder (_install.ts). Every pass is jit-compiled as a JAX user writes it: forward
// lax.convGeneralDilated; gradients through grad() of Σ conv(x, w) · g (its autodiff emits the
// transposed convolutions). jit(grad) of the input gradient returns wrong borders on padded
// convs in 0.1.25 (eager grad is right), so the input gradient offers, in order: jit grad; the
// transposed conv written by hand under jit (g dilated by the stride, the kernel flipped and
// transposed); eager grad. The first that agrees with neurad is timed. fwd+bwd likewise: jit grad
// of both with the forward as aux, or jit forward + jit grad(w) + the hand-written dx. Waits with
// blockUntilReady (a zero-byte readback after submitting).

import type { Engine, PassRunner } from "./_conv_peers.ts";
import { packageUrl, peerPackages } from "./_install.ts";

export const JAX_VERSION = "0.1.25";

// deno-lint-ignore no-explicit-any
type Jax = any;
// deno-lint-ignore no-explicit-any
type Arr = any;

let jaxModule: Jax | null = null;

export async function loadJax(): Promise<Jax> {
  if (jaxModule) return jaxModule;
  const nm = await peerPackages({ "@jax-js/jax": JAX_VERSION });
  const jax = await import(packageUrl(nm, "@jax-js/jax/dist/index.js"));
  await jax.init("webgpu");
  jax.defaultDevice("webgpu");
  jaxModule = jax;
  return jax;
}

export function jaxEngine(): Engine {
  let held: Arr[] = [];
  return {
    name: "jax-js",
    init: async () => void await loadJax(),
    async prepare({ shape: { N, C, H, W, k, s, p, Co, Ho, Wo }, x: hx, w: hw, g: hg }) {
      const jax = await loadJax();
      const { numpy: np, lax, jit, grad } = jax;
      const x = np.array(hx, { shape: [N, C, H, W] });
      const w = np.array(hw, { shape: [Co, C, k, k] });
      const g = np.array(hg, { shape: [N, Co, Ho, Wo] });
      held = [x, w, g];
      const pads = [[p, p], [p, p]];
      const conv = (a: Arr, b: Arr) => lax.convGeneralDilated(a, b, [s, s], pads);
      const loss = (a: Arr, b: Arr, c: Arr) => conv(a, b).mul(c).sum();
      // dx as a transposed conv: g dilated by s, padded k−1−p (plus what makes it H × W).
      const lo = k - 1 - p, hiH = H - ((Ho - 1) * s + 1 + 2 * lo - k + 1) + lo;
      const hiW = W - ((Wo - 1) * s + 1 + 2 * lo - k + 1) + lo;
      const dxByHand = (c: Arr, b: Arr) =>
        lax.convGeneralDilated(c, np.flip(b, [2, 3]).transpose([1, 0, 2, 3]), [1, 1], [
          [lo, hiH],
          [lo, hiW],
        ], { lhsDilation: [s, s] });
      const fwd = jit(conv);
      const dxJit = jit(grad(loss, { argnums: 0 }));
      const dxHand = jit(dxByHand);
      const dxEager = grad(loss, { argnums: 0 });
      const dw = jit(grad(loss, { argnums: 1 }));
      const both = jit(grad((a: Arr, b: Arr, c: Arr) => {
        const y = conv(a, b);
        return [y.ref.mul(c).sum(), y];
      }, { argnums: [0, 1], hasAux: true }));
      const runner = (path: string, f: () => Arr[]): PassRunner<Arr[]> => ({
        path,
        run: f,
        wait: async (r) => {
          await Promise.all(r.map((a: Arr) => a.blockUntilReady()));
        },
        read: (r) => Promise.all(r.map(async (a: Arr) => await a.ref.data() as Float32Array)),
        free: (r) => r.forEach((a: Arr) => a.dispose()),
      });
      return {
        "forward": [runner("jit", () => [fwd(x.ref, w.ref)])],
        "input grad": [
          runner("jit grad", () => [dxJit(x.ref, w.ref, g.ref)]),
          runner("jit transposed conv by hand", () => [dxHand(g.ref, w.ref)]),
          runner("eager grad", () => [dxEager(x.ref, w.ref, g.ref)]),
        ],
        "weight grad": [runner("jit grad", () => [dw(x.ref, w.ref, g.ref)])],
        "fwd+bwd": [
          runner("jit grad", () => {
            const [[gx, gw], y] = both(x.ref, w.ref, g.ref);
            return [y, gx, gw];
          }),
          runner("jit conv, jit grad(w), jit dx by hand", () => [
            fwd(x.ref, w.ref),
            dxHand(g.ref, w.ref),
            dw(x.ref, w.ref, g.ref),
          ]),
        ],
      };
    },
    release() {
      held.forEach((a) => a.dispose());
      held = [];
    },
  };
}
