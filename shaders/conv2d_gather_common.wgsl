// The interface the three conv gather kernels share (conv2d_direct, conv2d_implicit_gemm,
// conv2d_phased; src/kernels/conv_gather.ts prepends this to each): the bindings and the
// activation epilogue. Output (n, co, oy, ox) sums X[n, ci, iy, ix] ·
// Wt(co, ci, kh, kw) over ci, kh, kw with iy · inStride = oy · convStride − pad + kh (same for
// x); Wt is read through the signed strides wBase + co·wOut + ci·wIn + kh·wKh + kw·wKw.
// `blocks` is the kernel's own row count: output-channel blocks (direct), rows per phase
// (phased), unused (implicit GEMM); `xGroups` and `total` likewise count that kernel's lanes.
// Loop budget: every kernel loops over the input channels (and the K×K taps) in one
// invocation, and llvmpipe cuts an invocation short after 65,535 loop passes (silently); so the
// kernels sum only channels [ci0, ci1), and the wrapper splits Cin when needed and adds the
// partial outputs before the bias and activation.
// Params (CONV_GATHER block in src/kernels/conv_gather.ts): N, Cin, H, W (X), Cout, Ho, Wo (Y),
// K; convStride, inStride, pad; xGroups; wBase, wOut, wIn, wKh, wKw; blocks; hasBias; total;
// slope (leaky ReLU); ci0, ci1 (the input channels summed).
// Bindings: 0 params, 1 X, 2 Wt, 3 bias (read; only if hasBias), 4 Y (read_write).
// Epilogue: act(v) = ACT_EXPR (the wrapper substitutes it; params.slope for leaky ReLU).

@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> Wt: array<f32>;
@group(0) @binding(3) var<storage, read> Bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;

fn act(v: f32) -> f32 {
  return ACT_EXPR;
}
