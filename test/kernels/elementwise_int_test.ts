// The elementwise kernel over i32 and u32 elements (and its generators, which fill, arange and
// the integer counter are built on), against naive TypeScript loops with JavaScript's 32-bit
// integer semantics: wrapping arithmetic, arithmetic vs logical shifts, unsigned comparisons,
// truncating division, NumPy broadcasting on the strided path, integer scalars s0 / s1 and the
// element index i. Also the refusals: mixed dtypes, writing into an input.

import { deepStrictEqual, throws } from "node:assert";
import * as nd from "../../src/mod.ts";
import { mapElementwise } from "../../src/kernels/elementwise.ts";
import { incrementInt_ } from "../../src/kernels/increment.ts";
import { assertClose, setup } from "../helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** Deterministic 32-bit words (xorshift), spread over the whole range. */
function words(n: number, seed: number): Uint32Array {
  let s = seed >>> 0 || 1;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s;
  }
  return out;
}

/** The row-major index into a tensor of `shape` broadcast to `out` for output element e. */
function broadcastIndex(e: number, out: number[], shape: number[]): number {
  let idx = 0, stride = 1, r = e;
  const off = out.length - shape.length;
  const coords = new Array<number>(out.length);
  for (let d = out.length - 1; d >= 0; d--) {
    coords[d] = r % out[d];
    r = Math.floor(r / out[d]);
  }
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1) idx += coords[d + off] * stride;
    stride *= shape[d];
  }
  return idx;
}

const I32 = "a: i32, b: i32, c: i32";
const U32 = "a: u32, b: u32, c: u32";

Deno.test({
  ...opts,
  name: "i32 maps wrap, shift, divide and compare like 32-bit integers",
  async fn() {
    await setup();
    const n = 1000;
    const a = new Int32Array(words(n, 7).buffer);
    const b = new Int32Array(words(n, 11).buffer);
    // Divisors without zeros (WGSL defines x / 0 = x; JS has no such rule to compare with).
    const d = b.map((v) => (v % 1000) || 7);
    const cases: [string, (x: number, y: number, i: number) => number, Int32Array][] = [
      ["a * s0 + s1", (x) => (Math.imul(x, -3) + 2147483000) | 0, b],
      ["(a ^ b) >> 3u", (x, y) => (x ^ y) >> 3, b],
      ["a / b", (x, y) => Math.trunc(x / y) | 0, d],
      // GLSL (wgpu's GL backend) leaves % undefined for negative operands, where WGSL defines
      // the truncated remainder: there the remainder is checked on non-negative dividends.
      ["a % b", (x, y) => (x % y) | 0, d],
      ["select(b, a, a < b)", (x, y) => Math.min(x, y), b],
      ["a + i32(i)", (x, _, i) => (x + i) | 0, b],
      ["-a", (x) => -x | 0, b],
    ];
    const gl = nd.deviceInfo().backend === "gl";
    const positive = a.map((v) => v & 0x7fffffff), positiveD = d.map((v) => Math.abs(v) || 7);
    for (const [expr, ref, second0] of cases) {
      const glRem = gl && expr === "a % b";
      const first = glRem ? positive : a, second = glRem ? positiveD : second0;
      const ta = nd.Tensor.from(first), tb = nd.Tensor.from(second);
      const out = mapElementwise("int_map", [ta, tb], {
        params: I32,
        expr,
        s0: -3,
        s1: 2147483000,
      });
      deepStrictEqual(out.dtype, "i32");
      const want = Int32Array.from(first, (x, i) => ref(x, second[i], i));
      deepStrictEqual(await out.toArray(), want, expr);
      for (const t of [ta, tb, out]) t.dispose();
    }
  },
});

Deno.test({
  ...opts,
  name: "u32 maps compare unsigned, shift logically and wrap modulo 2^32",
  async fn() {
    await setup();
    const n = 777;
    const a = words(n, 3), b = words(n, 5);
    const d = b.map((v) => (v % 65536) || 3);
    const cases: [string, (x: number, y: number) => number, Uint32Array][] = [
      ["a * b + s0", (x, y) => (Math.imul(x, y) + 4000000000) >>> 0, b],
      ["max(a, b)", (x, y) => Math.max(x, y), b],
      ["a >> 4u", (x) => x >>> 4, b],
      ["a / b", (x, y) => Math.floor(x / y), d],
      ["select(0u, 1u, a > b)", (x, y) => (x > y ? 1 : 0), b],
      ["a - b", (x, y) => (x - y) >>> 0, b],
    ];
    const gl = nd.deviceInfo().backend === "gl";
    const positive = a.map((v) => v & 0x7fffffff), positiveD = d.map((v) => Math.abs(v) || 7);
    for (const [expr, ref, second0] of cases) {
      const glRem = gl && expr === "a % b";
      const first = glRem ? positive : a, second = glRem ? positiveD : second0;
      const ta = nd.Tensor.from(first), tb = nd.Tensor.from(second);
      const out = mapElementwise("uint_map", [ta, tb], { params: U32, expr, s0: 4000000000 });
      deepStrictEqual(out.dtype, "u32");
      deepStrictEqual(await out.toArray(), Uint32Array.from(a, (x, i) => ref(x, second[i])), expr);
      for (const t of [ta, tb, out]) t.dispose();
    }
  },
});

Deno.test({
  ...opts,
  name: "integer maps broadcast 1-3 inputs through strides (the non-contiguous path)",
  async fn() {
    await setup();
    const shapes: [number[], number[], number[]] = [[3, 1, 5], [4, 1], [1, 4, 5]];
    const out = [3, 4, 5];
    const [a, b, c] = shapes.map((s, k) =>
      new Int32Array(words(s.reduce((x, y) => x * y, 1), 20 + k).buffer)
    );
    const [ta, tb, tc] = [a, b, c].map((v, k) => nd.Tensor.from(v, shapes[k]));
    const three = mapElementwise("int_where", [ta, tb, tc], {
      params: I32,
      expr: "select(c, b - s0, (a & 1) == 0)",
      s0: 5,
    });
    const two = mapElementwise("int_sub", [ta, tb], { params: I32, expr: "a - b" });
    const one = mapElementwise("int_abs", [ta], { params: I32, expr: "abs(a)", shape: out });
    deepStrictEqual(three.shape, out);
    const at = (v: Int32Array, k: number, e: number) => v[broadcastIndex(e, out, shapes[k])];
    const n = 60;
    deepStrictEqual(
      await three.toArray(),
      Int32Array.from(
        { length: n },
        (_, e) => (at(a, 0, e) & 1) === 0 ? (at(b, 1, e) - 5) | 0 : at(c, 2, e),
      ),
    );
    deepStrictEqual(
      await two.toArray(),
      Int32Array.from({ length: n }, (_, e) => (at(a, 0, e) - at(b, 1, e)) | 0),
    );
    deepStrictEqual(
      await one.toArray(),
      Int32Array.from({ length: n }, (_, e) => Math.abs(at(a, 0, e)) | 0),
    );
    for (const t of [ta, tb, tc, three, two, one]) t.dispose();
  },
});

Deno.test({
  ...opts,
  name: "full, arange and fill_ generate every dtype like a loop",
  async fn() {
    await setup();
    const loop = <T extends Int32Array | Uint32Array | Float32Array>(
      make: (n: number) => T,
      n: number,
      f: (i: number) => number,
    ) => {
      const out = make(n);
      for (let i = 0; i < n; i++) out[i] = f(i);
      return out;
    };
    const ai = nd.arange(5, -300, -7, { dtype: "i32" });
    deepStrictEqual(await ai.toArray(), loop((n) => new Int32Array(n), 44, (i) => 5 - 7 * i));
    const au = nd.arange(4294967000, 4294967295, 13, { dtype: "u32" });
    deepStrictEqual(
      await au.toArray(),
      loop((n) => new Uint32Array(n), 23, (i) => 4294967000 + 13 * i),
    );
    const fu = nd.full([3, 70], -1, { dtype: "u32" });
    deepStrictEqual(await fu.toArray(), new Uint32Array(210).fill(4294967295));
    const fi = nd.full([2, 3], -123456789, { dtype: "i32" });
    deepStrictEqual(await fi.toArray(), new Int32Array(6).fill(-123456789));
    const af = nd.arange(-2.5, 40, 0.75);
    assertClose(await af.toArray(), loop((n) => new Float32Array(n), 57, (i) => -2.5 + 0.75 * i), {
      atol: 1e-5,
    });
    const z = nd.ones([1000], { dtype: "i32" });
    nd.fill_(z, 42);
    deepStrictEqual(await z.toArray(), new Int32Array(1000).fill(42));
    // A generator over the index with integer scalars.
    const g = mapElementwise("iota", [], {
      params: "",
      expr: "i * s0 + s1",
      dtype: "u32",
      shape: [7, 9],
      s0: 3,
      s1: 4294967290,
    });
    deepStrictEqual(g.shape, [7, 9]);
    deepStrictEqual(
      await g.toArray(),
      loop((n) => new Uint32Array(n), 63, (i) => (3 * i + 4294967290) >>> 0),
    );
    for (const t of [ai, au, fu, fi, af, z, g]) t.dispose();
  },
});

Deno.test({
  ...opts,
  name: "incrementInt_ adds in place on the GPU, wrapping like i32",
  async fn() {
    await setup();
    const start = Int32Array.from({ length: 300 }, (_, i) => 2147483600 + i - 150);
    const t = nd.Tensor.from(start);
    incrementInt_(t);
    incrementInt_(t, 100);
    incrementInt_(t, -7);
    deepStrictEqual(await t.toArray(), start.map((v) => (v + 94) | 0));
    const f = nd.zeros([2]);
    throws(() => incrementInt_(f), /needs an i32 tensor/);
    for (const x of [t, f]) x.dispose();
  },
});

Deno.test({
  ...opts,
  name: "mapElementwise refuses mixed dtypes and writing into an input",
  async fn() {
    await setup();
    const i = nd.Tensor.from(new Int32Array([1, 2])), f = nd.Tensor.from([1, 2]);
    throws(() => mapElementwise("mixed", [i, f], { params: I32, expr: "a" }), /one dtype/);
    throws(
      () => mapElementwise("alias", [i], { params: I32, expr: "a", out: i }),
      /into one of its inputs/,
    );
    throws(() => mapElementwise("shapeless", [], { params: "", expr: "0" }), /needs a shape/);
    for (const t of [i, f]) t.dispose();
  },
});
