// Strided copy of raw 32-bit words, the one primitive behind permute, expand, slice, cat and pad:
// for every multi-index idx over `shape` (<= 8 dims, row-major order of the linear id i),
//   OUT[outOffset + sum(idx * outStride)] = IN[inOffset + sum(idx * inStride)].
// Loop budget: one walk over at most 8 dims (9 loop passes), far below llvmpipe's 65,535.
// Params (STRIDED_COPY block in src/kernels/strided_copy.ts): n elements over ndim dims; the
// offsets; shape, inStride and outStride packed four to a vec4 (read as [d / 4][d % 4]).
// Bindings: 0 params, 1 IN (read), 2 OUT (read_write). Grid: ceil(n / 256) x 256, folded (x, y).

@group(0) @binding(1) var<storage, read> IN: array<u32>;
@group(0) @binding(2) var<storage, read_write> OUT: array<u32>;

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = linearIndex(wid, nwg, lid, 256u);
  if (i >= params.n) { return; }
  var src = params.inOffset;
  var dst = params.outOffset;
  var rem = i;
  for (var d = i32(params.ndim) - 1; d >= 0; d--) {
    let q = u32(d) / 4u;
    let r = u32(d) % 4u;
    let size = params.shape[q][r];
    let idx = rem % size;
    rem = rem / size;
    src += idx * params.inStride[q][r];
    dst += idx * params.outStride[q][r];
  }
  OUT[dst] = IN[src];
}
