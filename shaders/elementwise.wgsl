// Elementwise map of up to three inputs with NumPy broadcasting: OUT[i] = op(A[ia], B[ib], C[ic]).
// Template: the wrapper (src/kernels/elementwise.ts) substitutes OP_PARAMS / OP_EXPR and
// CONTIGUOUS. Shapes: OUT is contiguous with `n` elements over `ndim` (<= 8) coalesced dims;
// each input is read through its own strides (0 on broadcast dims). Scalars s0, s1 parametrise
// ops such as leakyRelu's slope or clamp's bounds.
// Bindings: 0 params, 1 A, 2 B, 3 C (read), 4 OUT (read_write).
// Grid: ceil(n / 256) workgroups of 256, folded into (x, y) beyond 65,535.

struct Params {
  n: u32,
  ndim: u32,
  s0: f32,
  s1: f32,
  shape: array<vec4<u32>, 2>,
  strideA: array<vec4<u32>, 2>,
  strideB: array<vec4<u32>, 2>,
  strideC: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read> C: array<f32>;
@group(0) @binding(4) var<storage, read_write> OUT: array<f32>;

const CONTIGUOUS: bool = CONTIGUOUS_FLAG;

// pow with PyTorch's results for negative bases and integral exponents.
fn powf(base: f32, e: f32) -> f32 {
  if (base >= 0.0) {
    if (base == 0.0 && e == 0.0) { return 1.0; }
    return pow(base, e);
  }
  if (floor(e) != e) { return bitcast<f32>(0x7fc00000u); }
  let r = pow(-base, e);
  return select(r, -r, (i32(e) & 1) == 1);
}

fn op(OP_PARAMS) -> f32 {
  let s0 = params.s0;
  let s1 = params.s1;
  return OP_EXPR;
}

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = linearIndex(wid, nwg, lid, 256u);
  if (i >= params.n) { return; }
  if (CONTIGUOUS) {
    OUT[i] = op(A[i], B[i], C[i]);
    return;
  }
  var ia = 0u;
  var ib = 0u;
  var ic = 0u;
  var rem = i;
  for (var d = i32(params.ndim) - 1; d >= 0; d--) {
    let q = u32(d) / 4u;
    let r = u32(d) % 4u;
    let size = params.shape[q][r];
    let idx = rem % size;
    rem = rem / size;
    ia += idx * params.strideA[q][r];
    ib += idx * params.strideB[q][r];
    ic += idx * params.strideC[q][r];
  }
  OUT[i] = op(A[ia], B[ib], C[ic]);
}
