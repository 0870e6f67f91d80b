// Elementwise map of up to three inputs with NumPy broadcasting,
// OUT[i] = op(A[ia], B[ib], C[ic], i), over f32, i32 or u32 elements; with no inputs, a
// generator OUT[i] = op(i) (fill, arange).
// Template: the wrapper (src/kernels/elementwise.ts) substitutes the capitalised names below:
// the element type of every input and of OUT; the declarations of A, B, C (bindings 1-3) for
// maps, none for generators; OUT's binding (4 for maps, 1 for generators); op()'s parameters and
// expression (its arguments are the inputs' elements then i, the output's linear index); its
// arguments in the contiguous and strided paths; and whether the map is contiguous.
// Loop budget: the strided path walks at most 8 dims (9 loop passes), far below llvmpipe's
// 65,535 per invocation.
// Params (ELEMENTWISE block in src/kernels/elementwise.ts): OUT is contiguous with `n` elements
// over `ndim` (<= 8) coalesced dims of sizes `shape`; each input is read through its own
// strides `strideA`, `strideB`, `strideC` (0 on broadcast dims), all packed four to a vec4.
// Scalars s0, s1 (of the element type) parametrise ops such as leakyRelu's slope, clamp's bounds
// or fill's start and step.
// Bindings: 0 params, 1 A, 2 B, 3 C (read), 4 OUT (read_write); generators: 0 params, 1 OUT.
// Grid: ceil(n / 256) workgroups of 256, folded into (x, y) beyond 65,535.

INPUT_BINDINGS
@group(0) @binding(OUT_BINDING) var<storage, read_write> OUT: array<ELEM_TYPE>;

const CONTIGUOUS: bool = CONTIGUOUS_FLAG;

// pow with PyTorch's (C's) results where WGSL's pow (exp2(e·log2(base))) is undefined or differs
// between adapters: x^0 = 1^e = 1 (NaN included); otherwise NaN in, NaN out; 0^e = 0 for e > 0
// and +Infinity for e < 0 (−0 keeps its sign for odd integral e); a negative base gives NaN
// unless e is integral, then ±|base|^e by e's parity.
fn powf(base: f32, e: f32) -> f32 {
  if (e == 0.0 || base == 1.0) { return 1.0; }
  if (isNan(base) || isNan(e)) { return nanF32(); }
  let odd = floor(e) == e && fract(e * 0.5) != 0.0;
  if (base == 0.0) {
    let r = select(0.0, infF32(), e < 0.0);
    return select(r, -r, odd && (bitcast<u32>(base) & 0x80000000u) != 0u);
  }
  if (base > 0.0) { return pow(base, e); }
  if (floor(e) != e) { return nanF32(); }
  let r = pow(-base, e);
  return select(r, -r, odd);
}

fn op(OP_PARAMS) -> ELEM_TYPE {
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
    OUT[i] = op(CONTIGUOUS_ARGS);
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
  OUT[i] = op(STRIDED_ARGS);
}
