// What the jax-js versions of the first study's VAE (reddipalli22-vae, input 1×95×79) share: the
// geometry, the host-side layout changes of neurad's weights into the layouts the jax-js network
// takes (Linear weights transposed to [in, out]; transposed-conv weights [Cin, Cout, k, k]
// flipped and transposed into the [Cout, Cin, k, k] kernel of the equivalent conv), and the
// transposed conv written as a conv of the dilated input (jax-js 0.1.25's lhsDilation gives wrong
// rows here, see convT). Used by vae_jax_peers_bench.ts (forward) and
// vae_train_jax_peers_bench.ts (training step).

// deno-lint-ignore no-explicit-any
type Jax = any;
// deno-lint-ignore no-explicit-any
type Arr = any;

export const H = 95, W = 79;
/** The bottleneck grid after three stride-2 convs. */
export const GRID = [12, 10] as const;
/** Paddings of the decoder's three transposed convs (k5 s2). */
export const PADS = [2, 1, 1] as const;
export const KERNEL = 5;

/** A neurad Linear weight [out, in] as [in, out] (x · W without a transpose in the graph). */
export function transposeDense(data: Float32Array, [o, i]: readonly number[]): Float32Array {
  const t = new Float32Array(o * i);
  for (let r = 0; r < o; r++) for (let c = 0; c < i; c++) t[c * o + r] = data[r * i + c];
  return t;
}

/**
 * A transposed-conv weight [Cin, Cout, k, k] as the kernel [Cout, Cin, k, k] of the equivalent conv
 * (spatially flipped, the channel axes swapped). A permutation, so it maps gradients the same way.
 */
export function flipTransposeKernel(
  data: Float32Array,
  [ci, co, k]: readonly number[],
): Float32Array {
  const t = new Float32Array(data.length);
  for (let a = 0; a < ci; a++) {
    for (let b = 0; b < co; b++) {
      for (let y = 0; y < k; y++) {
        for (let x = 0; x < k; x++) {
          t[((b * ci + a) * k + (k - 1 - y)) * k + (k - 1 - x)] =
            data[((a * co + b) * k + y) * k + x];
        }
      }
    }
  }
  return t;
}

/**
 * Transposed conv k5 s2: the input dilated by 2 (zeros stacked in and reshaped, the trailing zero
 * row and column sliced off), then a plain conv with padding q = k − 1 − p and the flipped,
 * transposed kernel `w` (consumed, like `x`). jax-js 0.1.25's own routes to it, lhsDilation and
 * lax.convTranspose, return wrong values on every 5th output row for the last layer (47×39 →
 * 95×79) here, so the dilation is written out, as a JAX user would work around it (measured:
 * faster than jax-js's own lhsDilation path, which the forward bench also times, for comparison
 * only).
 */
export function convT(jax: Jax, x: Arr, w: Arr, q: number): Arr {
  const { numpy: np, lax } = jax;
  const [n, c, h, wd] = x.shape;
  const cols = np.stack([x, np.zeros([n, c, h, wd])], 4).reshape([n, c, h, 2 * wd])
    .slice([], [], [], [0, 2 * wd - 1]);
  const rows = np.stack([cols, np.zeros([n, c, h, 2 * wd - 1])], 3)
    .reshape([n, c, 2 * h, 2 * wd - 1]).slice([], [], [0, 2 * h - 1], []);
  return lax.convGeneralDilated(rows, w, [1, 1], [[q, q], [q, q]]);
}

/** LeakyReLU(0.01) as max(y, 0.01·y) (consumes y). */
export function leakyRelu(jax: Jax, y: Arr): Arr {
  return jax.numpy.maximum(y.ref, y.mul(0.01));
}
