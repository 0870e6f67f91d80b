// The layer base class (torch.nn.Module): named parameters and buffers, child modules with
// dotted names (taming-transformers' weight keys, e.g. "down.0.block.1.norm1.weight"),
// train()/eval() and requiresGrad_() over the whole tree, apply() for custom initialisation,
// state dicts for safetensors checkpoints (loadStateDict copies into the existing tensors, so
// optimisers built earlier keep updating them; strict by default), zeroGrad and dispose.

import type { Tensor } from "../core/tensor.ts";
import { untrack } from "../core/scope.ts";
import { noGrad } from "../core/autograd.ts";
import { copy_ } from "../kernels/copy.ts";
import { zeroGradOf } from "../optim/zero_grad.ts";

export interface LoadStateDictOptions {
  /** Require exactly the model's keys (default true); shapes and dtypes must always match. */
  strict?: boolean;
  /**
   * Replace the model's tensors by the given ones (taking ownership) instead of copying values
   * into them (torch's assign=True). Optimisers built earlier then no longer see the model's
   * parameters: use only before building one.
   */
  assign?: boolean;
}

const shapeStr = (s: readonly number[]) => `[${s.join(", ")}]`;

function listed(what: string, keys: string[]): string {
  const shown = keys.slice(0, 8).join(", ");
  return `${what} ${keys.length} key${keys.length > 1 ? "s" : ""} [${shown}${
    keys.length > 8 ? `, … ${keys.length - 8} more` : ""
  }]`;
}

export abstract class Module {
  training = true;
  #params = new Map<string, Tensor>();
  #buffers = new Map<string, Tensor>();
  #children = new Map<string, Module>();

  /** Registers (or replaces) a trainable parameter; it outlives tidy() scopes. */
  protected registerParameter(name: string, t: Tensor): Tensor {
    const old = this.#params.get(name);
    if (old && old !== t) old.dispose();
    untrack(t);
    t.requiresGrad = true;
    this.#params.set(name, t);
    return t;
  }

  /** Registers a non-trainable state tensor (e.g. running statistics, codebook EMA state). */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    const old = this.#buffers.get(name);
    if (old && old !== t) old.dispose();
    untrack(t);
    this.#buffers.set(name, t);
    return t;
  }

  /** Registers a child module under `name` (use "0", "1", ... for lists). */
  protected registerModule<M extends Module>(name: string, m: M): M {
    this.#children.set(name, m);
    return m;
  }

  /** The tensor registered under `name` on this module (parameter or buffer). */
  protected tensor(name: string): Tensor {
    const t = this.#params.get(name) ?? this.#buffers.get(name);
    if (!t) throw new Error(`neurad: ${this.constructor.name} has no tensor '${name}'`);
    return t;
  }

  *namedParameters(prefix = ""): Generator<[string, Tensor]> {
    for (const [n, t] of this.#params) yield [prefix + n, t];
    for (const [n, c] of this.#children) yield* c.namedParameters(`${prefix}${n}.`);
  }

  *namedBuffers(prefix = ""): Generator<[string, Tensor]> {
    for (const [n, t] of this.#buffers) yield [prefix + n, t];
    for (const [n, c] of this.#children) yield* c.namedBuffers(`${prefix}${n}.`);
  }

  *namedModules(prefix = ""): Generator<[string, Module]> {
    yield [prefix.replace(/\.$/, ""), this];
    for (const [n, c] of this.#children) yield* c.namedModules(`${prefix}${n}.`);
  }

  /** Direct children by name (torch's named_children). */
  *namedChildren(): Generator<[string, Module]> {
    yield* this.#children;
  }

  children(): Module[] {
    return [...this.#children.values()];
  }

  modules(): Module[] {
    return [...this.namedModules()].map(([, m]) => m);
  }

  parameters(): Tensor[] {
    return [...this.namedParameters()].map(([, t]) => t);
  }

  buffers(): Tensor[] {
    return [...this.namedBuffers()].map(([, t]) => t);
  }

  /** Parameters and buffers by dotted name (what a checkpoint stores); the model's own tensors. */
  stateDict(): Map<string, Tensor> {
    return new Map([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Loads tensors by dotted name. By default copies their values into the existing tensors
   * (the caller keeps, and disposes, what it passed), so optimisers keep working. Strict by
   * default: missing, unexpected, wrong-shape and wrong-dtype keys are all listed in one error,
   * and nothing is loaded then. `opts` may be a boolean (strict), as before.
   */
  loadStateDict(state: Map<string, Tensor>, opts: boolean | LoadStateDictOptions = {}) {
    const o = typeof opts === "boolean" ? { strict: opts } : opts;
    const strict = o.strict ?? true;
    const owners = new Map<string, [Module, string, "p" | "b"]>();
    for (const [path, m] of this.namedModules()) {
      const pre = path ? path + "." : "";
      for (const n of m.#params.keys()) owners.set(pre + n, [m, n, "p"]);
      for (const n of m.#buffers.keys()) owners.set(pre + n, [m, n, "b"]);
    }
    const problems: string[] = [];
    if (strict) {
      const missing = [...owners.keys()].filter((k) => !state.has(k));
      const extra = [...state.keys()].filter((k) => !owners.has(k));
      if (missing.length) problems.push(listed("missing", missing));
      if (extra.length) problems.push(listed("unexpected", extra));
    }
    const wrong: string[] = [];
    for (const [k, t] of state) {
      const o = owners.get(k);
      if (!o) continue;
      const cur = o[0].tensor(o[1]);
      if (cur.shape.join() !== t.shape.join()) {
        wrong.push(`${k} ${shapeStr(t.shape)} vs model ${shapeStr(cur.shape)}`);
      } else if (cur.dtype !== t.dtype) wrong.push(`${k} ${t.dtype} vs model ${cur.dtype}`);
    }
    if (wrong.length) {
      problems.push(
        `wrong shape/dtype: ${wrong.slice(0, 8).join("; ")}${
          wrong.length > 8 ? `; … ${wrong.length - 8} more` : ""
        }`,
      );
    }
    if (problems.length) {
      throw new Error(
        `neurad: state dict does not fit ${this.constructor.name}: ${problems.join("; ")}`,
      );
    }
    noGrad(() => {
      for (const [k, t] of state) {
        const owner = owners.get(k);
        if (!owner) continue;
        const [m, n, kind] = owner;
        const cur = m.tensor(n);
        if (cur === t) continue;
        if (!o.assign) copy_(cur, t);
        else if (kind === "p") {
          const flag = cur.requiresGrad;
          m.registerParameter(n, t);
          t.requiresGrad = flag;
        } else m.registerBuffer(n, t);
      }
    });
  }

  /** Sets requiresGrad on every parameter (freeze with false); returns this. */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad_(flag);
    return this;
  }

  /** Calls fn on every submodule (children first) and then on this (torch's apply). */
  apply(fn: (m: Module) => void): this {
    for (const c of this.#children.values()) c.apply(fn);
    fn(this);
    return this;
  }

  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Frees (setToNone, the default) or zeroes in place every parameter's gradient. */
  zeroGrad(o: { setToNone?: boolean } = {}) {
    zeroGradOf(this.parameters(), o.setToNone ?? true);
  }

  /** Frees every parameter, gradient and buffer. */
  dispose() {
    for (const [, m] of this.namedModules()) {
      for (const t of m.#params.values()) t.dispose();
      for (const t of m.#buffers.values()) t.dispose();
      m.#params.clear();
      m.#buffers.clear();
    }
  }
}
