// Binary (and ternary `where`) elementwise ops with NumPy broadcasting, forward and gradients
// side by side: `f` over (a, b); `da`/`db` over (a, b, g). Gradients of broadcast operands are
// summed back to their shapes by reduce.ts's sumToShape. Comparisons return f32 0/1 masks.

import { record } from "../core/autograd.ts";
import type { Tensor } from "../core/tensor.ts";
import { mapElementwise } from "./elementwise.ts";
import { sumToShape } from "./reduce_core.ts";
import { addScalar, mulScalar, powScalar } from "./unary.ts";

interface BinaryDef {
  f: string;
  da?: string;
  db?: string;
}

const OPS = {
  add: { f: "a + b", da: "g", db: "g" },
  sub: { f: "a - b", da: "g", db: "-g" },
  mul: { f: "a * b", da: "g * b", db: "g * a" },
  div: { f: "a / b", da: "g / b", db: "-g * a / (b * b)" },
  pow: {
    f: "powf(a, b)",
    da: "select(g * b * powf(a, b - 1.0), 0.0, b == 0.0)",
    db: "select(g * powf(a, b) * log(a), 0.0, a == 0.0 && b >= 0.0)",
  },
  // Ties share the gradient equally, as torch.maximum / minimum.
  maximum: {
    f: "nanMax(a, b)",
    da: "select(select(0.0, 0.5 * g, a == b), g, a > b)",
    db: "select(select(0.0, 0.5 * g, a == b), g, b > a)",
  },
  minimum: {
    f: "nanMin(a, b)",
    da: "select(select(0.0, 0.5 * g, a == b), g, a < b)",
    db: "select(select(0.0, 0.5 * g, a == b), g, b < a)",
  },
  // Elementwise BCE with logits a and targets b: max(a,0) - a b + log(1 + exp(-|a|)).
  bceWithLogits: {
    f: "max(a, 0.0) - a * b + log(1.0 + exp(-abs(a)))",
    da: "g * (sigm(a) - b)",
    db: "-g * a",
  },
  eq: { f: "select(0.0, 1.0, a == b)" },
  ne: { f: "select(0.0, 1.0, a != b)" },
  gt: { f: "select(0.0, 1.0, a > b)" },
  ge: { f: "select(0.0, 1.0, a >= b)" },
  lt: { f: "select(0.0, 1.0, a < b)" },
  le: { f: "select(0.0, 1.0, a <= b)" },
} satisfies Record<string, BinaryDef>;

const FWD = "a: f32, b: f32, c: f32";
const BWD = "a: f32, b: f32, g: f32";

function gradOf(
  name: string,
  expr: string,
  a: Tensor,
  b: Tensor,
  g: Tensor,
  shape: readonly number[],
): Tensor {
  if (expr === "g") return sumToShape(g, shape);
  const full = mapElementwise(`${name}_backward`, [a, b, g], { params: BWD, expr, shape: g.shape });
  const out = sumToShape(full, shape);
  full.dispose();
  return out;
}

function binary(name: keyof typeof OPS, a: Tensor, b: Tensor): Tensor {
  const def: BinaryDef = OPS[name];
  const y = mapElementwise(name, [a, b], { params: FWD, expr: def.f });
  if (!def.da || !def.db) return y;
  const { da, db } = def;
  // add and sub need neither operand for their gradients: save nothing (no buffers kept alive).
  if (da === "g" && (db === "g" || db === "-g")) {
    return record(name, [a, b], y, [], (g, _, needs) => [
      needs[0] ? sumToShape(g, a.shape) : null,
      needs[1] ? (db === "g" ? sumToShape(g, b.shape) : negSumToShape(g, b.shape)) : null,
    ]);
  }
  return record(name, [a, b], y, [a, b], (g, [sa, sb], needs) => [
    needs[0] ? gradOf(name, da, sa, sb, g, a.shape) : null,
    needs[1] ? gradOf(name, db, sa, sb, g, b.shape) : null,
  ]);
}

function negSumToShape(g: Tensor, shape: readonly number[]): Tensor {
  const s = sumToShape(g, shape);
  const out = mulScalar(s, -1);
  s.dispose();
  return out;
}

type Operand = Tensor | number;

export function add(a: Tensor, b: Operand): Tensor {
  return typeof b === "number" ? addScalar(a, b) : binary("add", a, b);
}

export function sub(a: Tensor, b: Operand): Tensor {
  return typeof b === "number" ? addScalar(a, -b) : binary("sub", a, b);
}

export function mul(a: Tensor, b: Operand): Tensor {
  return typeof b === "number" ? mulScalar(a, b) : binary("mul", a, b);
}

export function div(a: Tensor, b: Operand): Tensor {
  return typeof b === "number" ? mulScalar(a, 1 / b) : binary("div", a, b);
}

/** torch.pow with a tensor or scalar exponent. */
export function pow(a: Tensor, b: Operand): Tensor {
  return typeof b === "number" ? powScalar(a, b) : binary("pow", a, b);
}

export const maximum = (a: Tensor, b: Tensor) => binary("maximum", a, b);
export const minimum = (a: Tensor, b: Tensor) => binary("minimum", a, b);
/** Elementwise binary cross-entropy with logits (no reduction); see losses.ts. */
export const bceWithLogitsElementwise = (x: Tensor, t: Tensor) => binary("bceWithLogits", x, t);
export const eq = (a: Tensor, b: Tensor) => binary("eq", a, b);
export const ne = (a: Tensor, b: Tensor) => binary("ne", a, b);
export const gt = (a: Tensor, b: Tensor) => binary("gt", a, b);
export const ge = (a: Tensor, b: Tensor) => binary("ge", a, b);
export const lt = (a: Tensor, b: Tensor) => binary("lt", a, b);
export const le = (a: Tensor, b: Tensor) => binary("le", a, b);

/** torch.where(condition, a, b): condition is a 0/1 (f32) mask; all three broadcast. */
export function where(condition: Tensor, a: Tensor, b: Tensor): Tensor {
  const y = mapElementwise("where", [condition, a, b], {
    params: FWD,
    expr: "select(c, b, a != 0.0)",
  });
  return record("where", [condition, a, b], y, [condition], (g, [c], needs) => {
    const pick = (expr: string, shape: readonly number[]) => {
      const full = mapElementwise("where_backward", [c, g], { params: FWD, expr, shape: g.shape });
      const out = sumToShape(full, shape);
      full.dispose();
      return out;
    };
    return [
      null,
      needs[1] ? pick("select(0.0, b, a != 0.0)", a.shape) : null,
      needs[2] ? pick("select(b, 0.0, a != 0.0)", b.shape) : null,
    ];
  });
}
