// Kernel parameter blocks: each kernel's uniform struct is declared once, typed, in its wrapper
// (`paramBlock("MatmulParams", { M: "u32", ... })`), and both sides come from that one
// declaration: the WGSL (the struct and binding 0's `params` variable, which dispatch.ts puts
// in front of the kernel's shader, so no .wgsl file declares either) and the writer that packs
// values at the offsets WGSL gives the fields. A missing, extra or misspelt field is a compile
// error where the values are written (dispatch's `params` argument).
//
// Field types: the scalars u32, i32, f32 (4 bytes, 4-aligned), vec4<T> (16 bytes, 16-aligned)
// and array<vec4<T>, N> (16·N bytes, 16-aligned: uniform arrays need a 16-byte stride, so short
// lists such as a shape are packed four to a vec4 and read as `params.shape[d / 4u][d % 4u]`).
// A u32 field takes a number or a boolean (1 / 0); vectors and arrays take a list of numbers,
// zero-filled to their length. Numbers convert as the typed arrays do (u32 and i32 wrap modulo
// 2³², f32 rounds to nearest).

export type Scalar = "u32" | "i32" | "f32";
export type FieldType = Scalar | `vec4<${Scalar}>` | `array<vec4<${Scalar}>, ${number}>`;
export type Fields = Readonly<Record<string, FieldType>>;

/** The host value of a field of type T. */
export type FieldValue<T extends FieldType> = T extends "u32" ? number | boolean
  : T extends Scalar ? number
  : readonly number[];

/** The values of a block's fields, every field required. */
export type ParamValues<F extends Fields> = { readonly [K in keyof F]: FieldValue<F[K]> };

/** Word views of one buffer, in which blocks are written. */
export interface ParamWords {
  u32: Uint32Array;
  i32: Int32Array;
  f32: Float32Array;
}

export interface ParamBlock<F extends Fields = Fields> {
  /** The WGSL struct's name. */
  readonly name: string;
  readonly fields: F;
  /** The struct and `@group(0) @binding(0) var<uniform> params: <name>;`. */
  readonly wgsl: string;
  /** Bytes the block is bound with: the struct's size rounded up to 16 (at least 16). */
  readonly size: number;
  /** Each field's byte offset in the struct (WGSL's layout rules). */
  readonly offsets: { readonly [K in keyof F]: number };
  /** The values packed into a new zeroed buffer of `size` bytes. */
  write(values: ParamValues<F>): Uint32Array;
  /**
   * The values packed into `words` from word `at` on (the block's `size` bytes, which must be
   * zero there: vector and array fields are not zero-filled past the values given).
   */
  writeTo(words: ParamWords, at: number, values: ParamValues<F>): void;
}

interface Layout {
  key: string;
  /** Word offset in the block. */
  word: number;
  scalar: Scalar;
  /** 0 for a scalar; else the number of words of the vector or array. */
  length: number;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const VECTOR = /^vec4<(u32|i32|f32)>$/;
const ARRAY = /^array<vec4<(u32|i32|f32)>, ([1-9][0-9]*)>$/;

function layoutOf(key: string, type: string): { scalar: Scalar; length: number } {
  if (type === "u32" || type === "i32" || type === "f32") return { scalar: type, length: 0 };
  const v = VECTOR.exec(type);
  if (v) return { scalar: v[1] as Scalar, length: 4 };
  const a = ARRAY.exec(type);
  if (a) return { scalar: a[1] as Scalar, length: 4 * Number(a[2]) };
  throw new Error(`neurad: parameter field ${key} has unsupported type ${type}`);
}

/** Declares a kernel's parameter block: the WGSL struct `name` with `fields` in this order. */
export function paramBlock<const F extends Fields>(name: string, fields: F): ParamBlock<F> {
  if (!IDENT.test(name)) throw new Error(`neurad: parameter block name ${name} is not a WGSL name`);
  const layout: Layout[] = [];
  const offsets: Record<string, number> = {};
  const lines: string[] = [];
  let word = 0;
  for (const [key, type] of Object.entries(fields)) {
    if (!IDENT.test(key)) throw new Error(`neurad: parameter field ${key} is not a WGSL name`);
    const { scalar, length } = layoutOf(key, type);
    if (length) word = Math.ceil(word / 4) * 4; // vec4 and arrays of vec4: 16-byte aligned
    layout.push({ key, word, scalar, length });
    offsets[key] = 4 * word;
    lines.push(`  ${key}: ${type},`);
    word += length || 1;
  }
  const size = Math.max(16, Math.ceil(word / 4) * 16);
  const wgsl = `struct ${name} {\n${lines.join("\n")}\n}\n\n` +
    `@group(0) @binding(0) var<uniform> params: ${name};\n`;
  const writeTo = (words: ParamWords, at: number, values: ParamValues<F>) => {
    const v = values as Readonly<Record<string, number | boolean | readonly number[]>>;
    for (const f of layout) {
      const x = v[f.key];
      if (x === undefined) throw new Error(`neurad: ${name}.${f.key} has no value`);
      const view = words[f.scalar];
      if ((f.length === 0) !== (typeof x !== "object")) {
        throw new Error(`neurad: ${name}.${f.key} takes ${f.length ? "a list" : "one value"}`);
      }
      if (f.length === 0) {
        view[at + f.word] = typeof x === "boolean" ? (x ? 1 : 0) : x as number;
        continue;
      }
      const list = x as readonly number[];
      if (list.length > f.length) {
        throw new Error(`neurad: ${name}.${f.key} holds ${f.length} values, got ${list.length}`);
      }
      for (let j = 0; j < list.length; j++) view[at + f.word + j] = list[j];
    }
  };
  return {
    name,
    fields,
    wgsl,
    size,
    offsets: offsets as { readonly [K in keyof F]: number },
    write(values) {
      const u32 = new Uint32Array(size / 4);
      writeTo(
        { u32, i32: new Int32Array(u32.buffer), f32: new Float32Array(u32.buffer) },
        0,
        values,
      );
      return u32;
    },
    writeTo,
  };
}
