/**
 * The ONNX file format's protobuf messages that an inference graph needs, written by hand (no
 * protobuf library): ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
 * ValueInfoProto/TypeProto. Field numbers are onnx/onnx.proto's (IR version 8, opset 17).
 * Protobuf wire format: each field is a varint tag (field << 3 | wire type) then a varint
 * (type 0) or a varint length and bytes (type 2, strings and nested messages).
 * @module
 */

/** ONNX TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

/** An attribute value, typed as ONNX stores it. */
export type OnnxAttr =
  | { int: number }
  | { float: number }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { string: string };

export interface OnnxNode {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name: string;
  attrs?: Readonly<Record<string, OnnxAttr>>;
}

export interface OnnxTensor {
  name: string;
  dims: readonly number[];
  f32?: Float32Array;
  i64?: readonly number[];
}

/** A graph input or output with its dims (a string is a symbolic dim, e.g. "N"). */
export interface OnnxValue {
  name: string;
  dims: readonly (number | string)[];
  /** Element type: float32 unless int64. */
  int64?: boolean;
}

export interface OnnxModel {
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValue[];
  outputs: readonly OnnxValue[];
  graphName: string;
  producerVersion: string;
  docString: string;
  /** Free-form metadata_props (key → value). */
  metadata: Readonly<Record<string, string>>;
}

/** A growable byte buffer with protobuf field writers. */
class Writer {
  #buf = new Uint8Array(256);
  #len = 0;

  #reserve(n: number) {
    if (this.#len + n <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < this.#len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  /** A non-negative integer below 2^53, or a negative one as 64-bit two's complement. */
  varint(v: number) {
    this.#reserve(10);
    if (v < 0) {
      let b = (1n << 64n) + BigInt(v);
      while (b >= 0x80n) {
        this.#buf[this.#len++] = Number(b & 0x7fn) | 0x80;
        b >>= 7n;
      }
      this.#buf[this.#len++] = Number(b);
      return;
    }
    while (v >= 0x80) {
      this.#buf[this.#len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#buf[this.#len++] = v;
  }

  int(field: number, v: number) {
    this.varint(field * 8);
    this.varint(v);
  }

  /** A 32-bit float (wire type 5). */
  float(field: number, v: number) {
    this.varint(field * 8 + 5);
    this.#reserve(4);
    new DataView(this.#buf.buffer).setFloat32(this.#len, v, true);
    this.#len += 4;
  }

  bytes(field: number, b: Uint8Array) {
    this.varint(field * 8 + 2);
    this.varint(b.length);
    this.#reserve(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
  }

  string(field: number, s: string) {
    this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, build: (w: Writer) => void) {
    const w = new Writer();
    build(w);
    this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }
}

function attribute(w: Writer, name: string, a: OnnxAttr) {
  w.string(1, name);
  // AttributeProto: f = 2, i = 3, s = 4, floats = 7, ints = 8, type = 20 (FLOAT 1, INT 2,
  // STRING 3, FLOATS 6, INTS 7).
  if ("int" in a) {
    w.int(3, a.int);
    w.int(20, 2);
  } else if ("float" in a) {
    w.float(2, a.float);
    w.int(20, 1);
  } else if ("string" in a) {
    w.string(4, a.string);
    w.int(20, 3);
  } else if ("ints" in a) {
    for (const v of a.ints) w.int(8, v);
    w.int(20, 7);
  } else {
    for (const v of a.floats) w.float(7, v);
    w.int(20, 6);
  }
}

function tensor(w: Writer, t: OnnxTensor) {
  // TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian values).
  for (const d of t.dims) w.int(1, d);
  if (t.f32) {
    w.int(2, ONNX_FLOAT);
    w.string(8, t.name);
    w.bytes(9, new Uint8Array(t.f32.buffer, t.f32.byteOffset, t.f32.byteLength));
  } else {
    w.int(2, ONNX_INT64);
    w.string(8, t.name);
    const raw = new BigInt64Array((t.i64 ?? []).map((v) => BigInt(v)));
    w.bytes(9, new Uint8Array(raw.buffer));
  }
}

function valueInfo(w: Writer, v: OnnxValue) {
  // ValueInfoProto: name = 1, type = 2; TypeProto.tensor_type = 1; Tensor: elem_type = 1,
  // shape = 2; TensorShapeProto.dim = 1; Dimension: dim_value = 1, dim_param = 2.
  w.string(1, v.name);
  w.message(2, (t) =>
    t.message(1, (tt) => {
      tt.int(1, v.int64 ? ONNX_INT64 : ONNX_FLOAT);
      tt.message(2, (s) => {
        for (const d of v.dims) {
          s.message(1, (dim) => typeof d === "number" ? dim.int(1, d) : dim.string(2, d));
        }
      });
    }));
}

/** The serialised ModelProto (IR version 8, default domain at opset 17). */
export function encodeOnnxModel(m: OnnxModel): Uint8Array {
  const w = new Writer();
  // ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, doc_string = 6,
  // graph = 7, opset_import = 8, metadata_props = 14.
  w.int(1, 8);
  w.string(2, "neurad");
  w.string(3, m.producerVersion);
  w.string(6, m.docString);
  w.message(7, (g) => {
    // GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12.
    for (const n of m.nodes) {
      g.message(1, (nw) => {
        // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
        for (const s of n.inputs) nw.string(1, s);
        for (const s of n.outputs) nw.string(2, s);
        nw.string(3, n.name);
        nw.string(4, n.op);
        for (const [name, a] of Object.entries(n.attrs ?? {})) {
          nw.message(5, (aw) => attribute(aw, name, a));
        }
      });
    }
    g.string(2, m.graphName);
    for (const t of m.initializers) g.message(5, (tw) => tensor(tw, t));
    for (const v of m.inputs) g.message(11, (vw) => valueInfo(vw, v));
    for (const v of m.outputs) g.message(12, (vw) => valueInfo(vw, v));
  });
  w.message(8, (o) => {
    // OperatorSetIdProto: domain = 1, version = 2.
    o.string(1, "");
    o.int(2, 17);
  });
  for (const [key, value] of Object.entries(m.metadata)) {
    // StringStringEntryProto: key = 1, value = 2.
    w.message(14, (e) => {
      e.string(1, key);
      e.string(2, value);
    });
  }
  return w.finish();
}
