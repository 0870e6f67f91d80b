// Kernel parameter blocks (src/core/uniforms.ts): the offsets the writer uses are the ones WGSL
// gives the generated struct (checked on the adapter: a kernel copies every field's bits out),
// the WGSL text, the writer's conversions and refusals, and the compile-time checks of the
// values (a missing, misspelt or mistyped field does not type-check).

import { deepStrictEqual, ok, throws } from "node:assert";
import { dispatch, loopCost, readBuffer } from "../../src/core/dispatch.ts";
import { paramBlock } from "../../src/core/uniforms.ts";
import * as nd from "../../src/mod.ts";
import { setup } from "../helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

const MIXED = paramBlock("MixedParams", {
  a: "u32",
  b: "vec4<f32>",
  c: "i32",
  d: "array<vec4<u32>, 2>",
  e: "f32",
  f: "u32",
  g: "array<vec4<i32>, 1>",
  h: "u32",
});

const VALUES = {
  a: 4000000000,
  b: [1.5, -2, 3.25, 1e-3],
  c: -123456,
  d: [1, 2, 3, 4, 5, 6, 7],
  e: Math.PI,
  f: true,
  g: [-1, 2],
  h: 77,
} as const;

/** The bits of each value in declaration order, as the kernel below copies them out. */
function expectedWords(): Uint32Array {
  const f32 = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0];
  return Uint32Array.from([
    4000000000,
    ...VALUES.b.map(f32),
    -123456 >>> 0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    0,
    f32(Math.PI),
    1,
    0xffffffff,
    2,
    0,
    0,
    77,
  ]);
}

Deno.test("a block's offsets follow WGSL's layout (vec4 and arrays 16-aligned), size padded to 16", () => {
  deepStrictEqual(MIXED.offsets, { a: 0, b: 16, c: 32, d: 48, e: 80, f: 84, g: 96, h: 112 });
  deepStrictEqual(MIXED.size, 128);
  deepStrictEqual(paramBlock("One", { n: "u32" }).size, 16);
  deepStrictEqual(
    paramBlock("Five", { a: "u32", b: "u32", c: "u32", d: "u32", e: "f32" }).size,
    32,
  );
  ok(MIXED.wgsl.startsWith("struct MixedParams {\n  a: u32,\n  b: vec4<f32>,\n"), MIXED.wgsl);
  ok(MIXED.wgsl.includes("@group(0) @binding(0) var<uniform> params: MixedParams;"), MIXED.wgsl);
});

Deno.test("write() packs values at the offsets, converting like typed arrays", () => {
  const w = MIXED.write(VALUES);
  deepStrictEqual(w.length, 32);
  const f = new Float32Array(w.buffer), i = new Int32Array(w.buffer);
  deepStrictEqual(w[0], 4000000000);
  deepStrictEqual([...f.subarray(4, 8)], [1.5, -2, 3.25, Math.fround(1e-3)]);
  deepStrictEqual(i[8], -123456);
  deepStrictEqual([...w.subarray(12, 20)], [1, 2, 3, 4, 5, 6, 7, 0]);
  deepStrictEqual(f[20], Math.fround(Math.PI));
  deepStrictEqual(w[21], 1);
  deepStrictEqual([...i.subarray(24, 28)], [-1, 2, 0, 0]);
  deepStrictEqual(w[28], 77);
  // Padding words stay zero.
  deepStrictEqual(
    [w[1], w[2], w[3], w[9], w[10], w[11], w[22], w[23], w[29]],
    new Array(9).fill(0),
  );
});

Deno.test("write() refuses a missing value and a list longer than its field", () => {
  const { h: _, ...missing } = VALUES;
  // @ts-expect-error: h is required
  throws(() => MIXED.write(missing), /MixedParams\.h has no value/);
  throws(() => MIXED.write({ ...VALUES, d: new Array(9).fill(1) }), /holds 8 values, got 9/);
  throws(() => paramBlock("Bad", { "not-a-name": "u32" }), /not a WGSL name/);
  // @ts-expect-error: not a supported field type
  throws(() => paramBlock("Bad", { m: "mat4x4<f32>" }), /unsupported type/);
});

Deno.test("values are type-checked against the declaration", () => {
  const P = paramBlock("Checked", { n: "u32", scale: "f32", shape: "array<vec4<u32>, 2>" });
  P.write({ n: 1, scale: 0.5, shape: [2, 3] });
  P.write({ n: true, scale: 0.5, shape: [] }); // a u32 takes a boolean
  // @ts-expect-error: misspelt field
  throws(() => P.write({ n: 1, scael: 0.5, shape: [] }), /Checked\.scale has no value/);
  // @ts-expect-error: a boolean is no f32
  P.write({ n: 1, scale: true, shape: [] });
  // @ts-expect-error: a list is no scalar
  throws(() => P.write({ n: [1], scale: 0.5, shape: [] }), /Checked\.n takes one value/);
  // @ts-expect-error: a scalar is no list
  throws(() => P.write({ n: 1, scale: 0.5, shape: 4 }), /Checked\.shape takes a list/);
});

Deno.test({
  ...opts,
  name: "the adapter reads every field where the writer put it",
  async fn() {
    await setup();
    const spec = {
      name: "param_block_echo",
      params: MIXED,
      code: `
@group(0) @binding(1) var<storage, read_write> OUT: array<u32>;
@compute @workgroup_size(1)
fn main() {
  OUT[0] = params.a;
  let b = bitcast<vec4<u32>>(params.b);
  for (var j = 0u; j < 4u; j++) { OUT[1u + j] = b[j]; }
  OUT[5] = bitcast<u32>(params.c);
  for (var j = 0u; j < 8u; j++) { OUT[6u + j] = params.d[j / 4u][j % 4u]; }
  OUT[14] = bitcast<u32>(params.e);
  OUT[15] = params.f;
  let g = bitcast<vec4<u32>>(params.g[0]);
  for (var j = 0u; j < 4u; j++) { OUT[16u + j] = g[j]; }
  OUT[20] = params.h;
}`,
      inputs: 0,
      outputs: 1,
    };
    const out = nd.Tensor.empty([21], "u32");
    dispatch(spec, VALUES, [out.buffer], [1], loopCost(4) + loopCost(8) + loopCost(4));
    deepStrictEqual(new Uint32Array(await readBuffer(out.buffer, 21 * 4)), expectedWords());
    out.dispose();
  },
});
