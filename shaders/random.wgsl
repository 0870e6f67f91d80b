// Counter-based random numbers: Threefry-2x32 with 20 rounds (Salmon et al. 2011, as in JAX),
// keyed by the seed, counter (element index, call offset). Integer-only, so the bits are the
// same on every adapter; uniform values are exact (24-bit mantissa); normal values use
// Box-Muller (log, cos, sqrt: within an ulp or two across adapters).
// OUT[i] = low + (high - low) * u  (DIST 0)   or   mean + std * z  (DIST 1)
// Loop budget: Threefry's 5 × 4 rounds, 31 loop passes per invocation at most.
// Params (RANDOM block in src/kernels/random.ts): n; key0, key1 (the seed); offset (the call's
// counter); a, b (low and high, or mean and std).
// Bindings: 0 params, 1 OUT (read_write). Grid: ceil(n / 256) workgroups of 256, folded (x, y).

@group(0) @binding(1) var<storage, read_write> OUT: array<f32>;

const DIST: u32 = DIST_ID;

fn rotl(x: u32, r: u32) -> u32 {
  return (x << r) | (x >> (32u - r));
}

fn threefry2x32(k0: u32, k1: u32, c0: u32, c1: u32) -> vec2<u32> {
  let rot = array<u32, 8>(13u, 15u, 26u, 6u, 17u, 29u, 16u, 24u);
  let k2 = k0 ^ k1 ^ 0x1BD11BDAu;
  let ks = array<u32, 3>(k0, k1, k2);
  var x0 = c0 + k0;
  var x1 = c1 + k1;
  for (var i = 0u; i < 5u; i++) {
    for (var j = 0u; j < 4u; j++) {
      x0 += x1;
      x1 = rotl(x1, rot[(i % 2u) * 4u + j]);
      x1 ^= x0;
    }
    x0 += ks[(i + 1u) % 3u];
    x1 += ks[(i + 2u) % 3u] + i + 1u;
  }
  return vec2<u32>(x0, x1);
}

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = linearIndex(wid, nwg, lid, 256u);
  if (i >= params.n) { return; }
  let bits = threefry2x32(params.key0, params.key1, i, params.offset);
  let scale = 1.0 / 16777216.0;
  if (DIST == 0u) {
    let u = f32(bits.x >> 8u) * scale;
    OUT[i] = params.a + (params.b - params.a) * u;
  } else {
    let u1 = (f32(bits.x >> 8u) + 1.0) * scale;
    let u2 = f32(bits.y >> 8u) * scale;
    let z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    OUT[i] = params.a + params.b * z;
  }
}
