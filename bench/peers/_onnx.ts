// A minimal ONNX model writer for the peer benches: just enough protobuf (ModelProto, GraphProto,
// NodeProto, AttributeProto, ValueInfoProto, TensorProto) to hand onnxruntime-web a graph of a
// few float ops as bytes, with no protobuf library. Field numbers from onnx/onnx.proto (opset 17).

type Bytes = number[];

function varint(out: Bytes, v: number) {
  // Non-negative integers up to 2^53 (dims, counts, enum values).
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}
const tag = (out: Bytes, field: number, wire: number) => varint(out, field * 8 + wire);
function int(out: Bytes, field: number, v: number) {
  tag(out, field, 0);
  if (v < 0) {
    // Two's complement over 64 bits, as protobuf writes a negative int64.
    const big = (1n << 64n) + BigInt(v);
    let b = big;
    while (b >= 0x80n) {
      out.push(Number(b & 0x7fn) | 0x80);
      b >>= 7n;
    }
    out.push(Number(b));
  } else varint(out, v);
}
function bytes(out: Bytes, field: number, b: ArrayLike<number>) {
  tag(out, field, 2);
  varint(out, b.length);
  for (let i = 0; i < b.length; i++) out.push(b[i]);
}
const str = (out: Bytes, field: number, s: string) =>
  bytes(out, field, new TextEncoder().encode(s));
const msg = (out: Bytes, field: number, build: (m: Bytes) => void) => {
  const m: Bytes = [];
  build(m);
  bytes(out, field, m);
};

export type Attr = number | number[];
export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, Attr>;
}
export interface OnnxGraph {
  nodes: OnnxNode[];
  /** Graph inputs (float32) with their shapes. */
  inputs: Record<string, number[]>;
  outputs: Record<string, number[]>;
  /** Constant float32 tensors (weights) and int64 tensors (shapes, axes). */
  initializers?: Record<string, { dims: number[]; f32?: Float32Array; i64?: number[] }>;
}

function valueInfo(m: Bytes, name: string, dims: number[]) {
  str(m, 1, name);
  msg(m, 2, (t) =>
    msg(t, 1, (tt) => {
      int(tt, 1, 1); // FLOAT
      msg(tt, 2, (s) => dims.forEach((d) => msg(s, 1, (dim) => int(dim, 1, d))));
    }));
}

/** The serialised ModelProto (ir_version 8, default opset 17). */
export function onnxModel(g: OnnxGraph): Uint8Array {
  const out: Bytes = [];
  int(out, 1, 8);
  msg(out, 7, (gr) => {
    g.nodes.forEach((n, i) =>
      msg(gr, 1, (m) => {
        n.inputs.forEach((s) => str(m, 1, s));
        n.outputs.forEach((s) => str(m, 2, s));
        str(m, 3, `n${i}`);
        str(m, 4, n.op);
        for (const [name, v] of Object.entries(n.attrs ?? {})) {
          msg(m, 5, (a) => {
            str(a, 1, name);
            if (Array.isArray(v)) {
              v.forEach((x) => int(a, 8, x));
              int(a, 20, 7); // INTS
            } else {
              int(a, 3, v);
              int(a, 20, 2); // INT
            }
          });
        }
      })
    );
    str(gr, 2, "g");
    for (const [name, t] of Object.entries(g.initializers ?? {})) {
      msg(gr, 5, (m) => {
        t.dims.forEach((d) => int(m, 1, d));
        int(m, 2, t.f32 ? 1 : 7); // FLOAT or INT64
        str(m, 8, name);
        if (t.f32) bytes(m, 9, new Uint8Array(t.f32.buffer, t.f32.byteOffset, t.f32.byteLength));
        else t.i64!.forEach((v) => int(m, 7, v));
      });
    }
    for (const [name, dims] of Object.entries(g.inputs)) {
      msg(gr, 11, (m) => valueInfo(m, name, dims));
    }
    for (const [name, dims] of Object.entries(g.outputs)) {
      msg(gr, 12, (m) => valueInfo(m, name, dims));
    }
  });
  msg(out, 8, (o) => {
    str(o, 1, "");
    int(o, 2, 17);
  });
  return new Uint8Array(out);
}
