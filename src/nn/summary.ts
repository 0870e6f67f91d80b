// summary(model, inputShape) (torchsummary-style): one shape-recording forward pass under noGrad
// in eval mode, with every module's forward (and GroupNorm's fused forwardSilu) wrapped on the
// instance for the pass. Rows: each leaf module, or module with parameters of its own, in the
// order first called, with its output shape and own parameter count; modules never called are
// listed as "not applied" and left out of the total. Then `parameters: N` (those the forward pass
// uses) and, where the study counted differently (`studyParameterCount()`, or registered but
// unapplied weights), `as counted by the study: M`.

import { formatShape } from "../core/shape.ts";
import { noGrad } from "../core/autograd.ts";
import { rand } from "../kernels/random.ts";
import { tidy } from "../core/scope.ts";
import { Tensor } from "../core/tensor.ts";
import type { Module } from "./module.ts";

export interface SummaryRow {
  layer: string;
  type: string;
  /** Output shape of its first call; null when it has no call of its own. */
  outputShape: number[] | null;
  /** False for weights that are registered (and counted by the study) but never used. */
  applied: boolean;
  parameters: number;
}

export interface SummaryReport {
  rows: SummaryRow[];
  /** Parameters the forward pass uses. */
  parameters: number;
  /** Every registered parameter. */
  registered: number;
  /** The study's count, when it differs from `parameters`. */
  studyParameters: number | null;
  text: string;
}

const HOOKED = ["forward", "forwardSilu"] as const;

/** The first tensor in a forward's result (a tensor, or an object such as { recon, ... }). */
function firstTensor(v: unknown): Tensor | null {
  if (v instanceof Tensor) return v;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o.recon instanceof Tensor) return o.recon;
    for (const x of Object.values(o)) if (x instanceof Tensor) return x;
  }
  return null;
}

const fmt = (n: number) => n.toLocaleString("en-US");

/** Runs the model once on a random [1, ...inputShape] batch (or a 4-d shape) and reports. */
export function summary(model: Module, inputShape: readonly number[]): SummaryReport {
  const shape = inputShape.length === 3 ? [1, ...inputShape] : [...inputShape];
  const seen = new Map<Module, number[]>();
  const order: Module[] = [];
  const patched: [Record<string, unknown>, string][] = [];
  for (const m of model.modules()) {
    const rec = m as unknown as Record<string, unknown>;
    for (const name of HOOKED) {
      const orig = rec[name];
      if (typeof orig !== "function") continue;
      rec[name] = (...args: unknown[]) => {
        const out = (orig as (...a: unknown[]) => unknown).apply(m, args);
        if (!seen.has(m)) {
          seen.set(m, [...(firstTensor(out)?.shape ?? [])]);
          order.push(m);
        }
        return out;
      };
      patched.push([rec, name]);
    }
  }
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() =>
      tidy(() => void (model as unknown as { forward(x: Tensor): unknown }).forward(rand(shape)))
    );
  } finally {
    for (const [rec, name] of patched) delete rec[name];
    model.train(wasTraining);
  }

  const own = (m: Module) => {
    let n = 0;
    for (const [k, t] of m.namedParameters()) if (!k.includes(".")) n += t.size;
    return n;
  };
  const names = new Map<Module, string>();
  for (const [path, m] of model.namedModules()) names.set(m, path || "(model)");
  const listed = (m: Module) => m !== model && (m.children().length === 0 || own(m) > 0);
  const rows: SummaryRow[] = [];
  const row = (m: Module, applied: boolean) =>
    rows.push({
      layer: names.get(m)!,
      type: m.constructor.name,
      outputShape: seen.get(m) ?? null,
      applied,
      parameters: own(m),
    });
  for (const m of order) if (listed(m)) row(m, true);
  // Modules with weights that were never called: read by their parent (e.g. a codebook read by
  // its quantiser) when they have no forward of their own, else registered and never applied.
  for (const m of model.modules()) {
    if (m === model || seen.has(m) || own(m) === 0) continue;
    row(m, typeof (m as unknown as Record<string, unknown>).forward !== "function");
  }
  const used = rows.reduce((a, r) => a + (r.applied ? r.parameters : 0), 0) + own(model);
  const registered = model.parameters().reduce((a, p) => a + p.size, 0);
  const declared = (model as unknown as { studyParameterCount?: () => number })
    .studyParameterCount?.();
  const study = declared ?? registered;
  const studyParameters = study !== used ? study : null;

  const head = ["layer", "type", "output shape", "parameters"];
  const cells = rows.map((r) => [
    r.layer,
    r.type,
    r.outputShape ? formatShape(r.outputShape) : r.applied ? "(read by parent)" : "not applied",
    fmt(r.parameters),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c.map((s, i) => (i === 3 ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join("  ").trimEnd();
  const text = [
    `${model.constructor.name} on ${formatShape(shape)}`,
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...cells.map(line),
    `parameters: ${fmt(used)}`,
    ...(studyParameters !== null ? [`as counted by the study: ${fmt(studyParameters)}`] : []),
  ].join("\n");
  return { rows, parameters: used, registered, studyParameters, text };
}
