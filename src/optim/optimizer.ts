// The optimiser base (torch.optim.Optimizer), generic over each optimiser's hyperparameters:
// parameter groups that override them, parameter names (from Module.namedParameters(), so state
// is saved and loaded by name), per-parameter state (named tensor slots and a step count,
// created on a parameter's first update), the state dict, zeroGrad({ setToNone }) and the
// step() loop. A subclass names its slots and updates one group's parameters (adam.ts, sgd.ts).

import { formatShape } from "../core/shape.ts";
import { noGrad } from "../core/autograd.ts";
import { untrack } from "../core/scope.ts";
import type { Tensor } from "../core/tensor.ts";
import { copy_ } from "../kernels/copy.ts";
import { zeros } from "../kernels/fill.ts";
import { zeroGradOf } from "./zero_grad.ts";

export type NamedParams = Iterable<[string, Tensor]>;
export type ParamsLike = Iterable<Tensor> | NamedParams;

/** What every optimiser's groups hold; each optimiser adds its own hyperparameters. */
export interface GroupHyper {
  lr: number;
}

/** One entry of the list form: its parameters plus the hyperparameters it overrides. */
export type ParamGroupSpec<H extends GroupHyper = GroupHyper> = Partial<H> & {
  params: ParamsLike;
  /** The group's key in saved state (default: its index). */
  name?: string;
};

export type ParamGroup<H extends GroupHyper = GroupHyper> = H & {
  name: string;
  params: Tensor[];
  /** Parameter names within the group (from namedParameters, else "0", "1", ...). */
  names: string[];
  /** The lr the group was built with; schedules scale this. */
  initialLr: number;
};

/** One parameter's state: its tensor slots (e.g. m and v) and its own update count. */
export interface ParamState {
  slots: Record<string, Tensor>;
  step: number;
}

/** A parameter about to be updated: its gradient and its state (step already advanced). */
export interface StepItem {
  param: Tensor;
  grad: Tensor;
  state: ParamState;
}

/** What stateDict() returns: the state tensors (the optimiser's own) and JSON metadata. */
export interface OptimizerStateDict<H extends GroupHyper = GroupHyper> {
  /** `<group>.<param name>.<slot>`; owned by the optimiser (do not dispose). */
  tensors: Map<string, Tensor>;
  /** Update counts by `<group>.<param name>`, each group's hyperparameters, step() calls. */
  meta: { steps: Record<string, number>; groups: (H & { name: string })[]; stepCount?: number };
}

function isGroupSpecList(p: unknown): p is ParamGroupSpec[] {
  return Array.isArray(p) && p.length > 0 && typeof p[0] === "object" && p[0] !== null &&
    "params" in p[0];
}

function named(params: ParamsLike): [string, Tensor][] {
  const out: [string, Tensor][] = [];
  let i = 0;
  for (const p of params as Iterable<Tensor | [string, Tensor]>) {
    out.push(Array.isArray(p) ? [p[0], p[1]] : [String(i), p]);
    i++;
  }
  return out;
}

/** Copies onto `dst` the `keys` that `src` defines. */
function assignKeys(dst: object, src: object, keys: readonly string[]) {
  const d = dst as Record<string, unknown>, s = src as Record<string, unknown>;
  for (const k of keys) if (s[k] !== undefined) d[k] = s[k];
}

function misfit(problems: string[]): Error {
  const more = problems.length > 8 ? `; … ${problems.length - 8} more` : "";
  return new Error(
    `neurad: optimiser state does not fit: ${problems.slice(0, 8).join("; ")}${more}`,
  );
}

export abstract class Optimizer<H extends GroupHyper = GroupHyper> {
  readonly paramGroups: ParamGroup<H>[] = [];
  readonly #hyperKeys: readonly string[];
  #state = new Map<Tensor, ParamState>();
  #steps = 0;

  constructor(params: ParamsLike | ParamGroupSpec<H>[], defaults: H) {
    this.#hyperKeys = Object.keys(defaults);
    const specs: ParamGroupSpec<H>[] = isGroupSpecList(params)
      ? params as ParamGroupSpec<H>[]
      : [{ params } as ParamGroupSpec<H>];
    const seen = new Set<Tensor>();
    specs.forEach((spec, gi) => {
      const pairs = named(spec.params);
      for (const [n, t] of pairs) {
        if (seen.has(t)) throw new Error(`neurad: parameter ${n} appears in two groups`);
        seen.add(t);
      }
      const hyper = { ...defaults };
      assignKeys(hyper, spec, this.#hyperKeys);
      this.validateGroup(hyper);
      this.paramGroups.push({
        ...hyper,
        name: spec.name ?? String(gi),
        params: pairs.map(([, t]) => t),
        names: pairs.map(([n]) => n),
        initialLr: hyper.lr,
      });
    });
    const keys = new Set<string>();
    for (const g of this.paramGroups) {
      for (const n of g.names) {
        const k = `${g.name}.${n}`;
        if (keys.has(k)) throw new Error(`neurad: optimiser parameter name ${k} repeats`);
        keys.add(k);
      }
    }
  }

  /** The state tensor slots a parameter of group `g` keeps (created zero on its first update). */
  protected abstract slotsOf(g: ParamGroup<H>): readonly string[];

  /** Updates the parameters of one group that have gradients, in place (no readback). */
  protected abstract updateGroup(g: ParamGroup<H>, items: StepItem[], gradScale: number): void;

  /** Throws on hyperparameters the optimiser cannot use (called for every group). */
  protected validateGroup(_h: H): void {}

  /** Every parameter of every group. */
  get params(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** The first group's learning rate; setting it sets every group's (and their initial lr). */
  get lr(): number {
    return this.paramGroups[0]?.lr ?? 0;
  }
  set lr(v: number) {
    for (const g of this.paramGroups) g.lr = g.initialLr = v;
  }

  /** Number of step() calls. */
  get stepCount(): number {
    return this.#steps;
  }

  /** Frees every parameter's gradient (setToNone, the default) or zeroes it in place. */
  zeroGrad(o: { setToNone?: boolean } = {}) {
    zeroGradOf(this.params, o.setToNone ?? true);
  }

  /**
   * One update of every parameter that has a gradient (no readback); `gradScale` multiplies
   * every gradient first (1 normally).
   */
  step(gradScale = 1) {
    this.#steps++;
    for (const g of this.paramGroups) {
      const items: StepItem[] = [];
      for (const p of g.params) {
        if (!p.grad) continue;
        const state = this.#stateOf(p, g);
        state.step++;
        items.push({ param: p, grad: p.grad, state });
      }
      this.updateGroup(g, items, gradScale);
    }
  }

  /** The state of `p`, its slots created (zero, outliving any tidy scope) on first use. */
  #stateOf(p: Tensor, g: ParamGroup<H>): ParamState {
    let s = this.#state.get(p);
    if (!s) {
      s = { slots: {}, step: 0 };
      for (const k of this.slotsOf(g)) {
        const t = zeros(p.shape);
        untrack(t);
        s.slots[k] = t;
      }
      this.#state.set(p, s);
    }
    return s;
  }

  stateDict(): OptimizerStateDict<H> {
    const tensors = new Map<string, Tensor>();
    const steps: Record<string, number> = {};
    for (const g of this.paramGroups) {
      g.params.forEach((p, i) => {
        const s = this.#state.get(p);
        if (!s) return;
        const key = `${g.name}.${g.names[i]}`;
        for (const [k, t] of Object.entries(s.slots)) tensors.set(`${key}.${k}`, t);
        steps[key] = s.step;
      });
    }
    const groups = this.paramGroups.map((g) => {
      const h = { name: g.name } as H & { name: string };
      assignKeys(h, g, this.#hyperKeys);
      return h;
    });
    return { tensors, meta: { steps, groups, stepCount: this.#steps } };
  }

  /**
   * Copies saved state into this optimiser's by name (the caller keeps what it passed). Every
   * saved key must name a slot of a parameter of this optimiser with the same shape, and a
   * parameter's slots come together; hyperparameters in `meta.groups` are restored when given.
   */
  loadStateDict(
    sd: { tensors: Map<string, Tensor>; meta: Partial<OptimizerStateDict<H>["meta"]> },
  ) {
    const found = this.#matchSaved(sd.tensors);
    noGrad(() => {
      for (const [p, { g, key, slots }] of found) {
        const s = this.#stateOf(p, g);
        for (const [k, t] of Object.entries(slots)) copy_(s.slots[k], t);
        s.step = sd.meta.steps?.[key] ?? s.step;
      }
    });
    for (const saved of sd.meta.groups ?? []) {
      const g = this.paramGroups.find((x) => x.name === saved.name);
      if (!g) continue;
      assignKeys(g, saved, this.#hyperKeys);
    }
    if (sd.meta.stepCount !== undefined) this.#steps = sd.meta.stepCount;
  }

  /** Saved tensors by the parameter they belong to; throws one message listing every misfit. */
  #matchSaved(tensors: Map<string, Tensor>) {
    type Found = { g: ParamGroup<H>; key: string; slots: Record<string, Tensor> };
    const byKey = new Map<string, [Tensor, ParamGroup<H>]>();
    for (const g of this.paramGroups) {
      g.params.forEach((p, i) => byKey.set(`${g.name}.${g.names[i]}`, [p, g]));
    }
    const problems: string[] = [];
    const found = new Map<Tensor, Found>();
    for (const [k, t] of tensors) {
      const dot = k.lastIndexOf(".");
      const [key, slot] = [k.slice(0, dot), k.slice(dot + 1)];
      const hit = dot > 0 ? byKey.get(key) : undefined;
      if (!hit || !this.slotsOf(hit[1]).includes(slot)) {
        problems.push(`unexpected ${k}`);
        continue;
      }
      const [p, g] = hit;
      if (p.shape.join() !== t.shape.join()) {
        problems.push(`${k} ${formatShape(t.shape)} vs parameter ${formatShape(p.shape)}`);
        continue;
      }
      const f = found.get(p) ?? found.set(p, { g, key, slots: {} }).get(p)!;
      f.slots[slot] = t;
    }
    for (const { g, key, slots } of found.values()) {
      for (const slot of this.slotsOf(g)) {
        if (!slots[slot]) problems.push(`${key}.${Object.keys(slots)[0]} without its ${slot}`);
      }
    }
    if (problems.length) throw misfit(problems);
    return found;
  }

  /** Frees every state tensor. */
  dispose() {
    for (const s of this.#state.values()) for (const t of Object.values(s.slots)) t.dispose();
    this.#state.clear();
  }
}
