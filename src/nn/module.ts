// The layer base class (torch.nn.Module): named parameters and buffers, child modules with
// dotted names (taming-transformers' weight keys, e.g. "down.0.block.1.norm1.weight"),
// train()/eval(), state dicts for safetensors checkpoints, and dispose.

import type { Tensor } from "../tensor.ts";
import { untrack } from "../scope.ts";

export abstract class Module {
  training = true;
  #params = new Map<string, Tensor>();
  #buffers = new Map<string, Tensor>();
  #children = new Map<string, Module>();

  /** Registers (or replaces) a trainable parameter; it outlives tidy() scopes. */
  protected registerParameter(name: string, t: Tensor): Tensor {
    this.#params.get(name)?.dispose();
    untrack(t);
    t.requiresGrad = true;
    this.#params.set(name, t);
    return t;
  }

  /** Registers a non-trainable state tensor (e.g. running statistics, codebook EMA state). */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    this.#buffers.get(name)?.dispose();
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

  parameters(): Tensor[] {
    return [...this.namedParameters()].map(([, t]) => t);
  }

  /** Parameters and buffers by dotted name (what a checkpoint stores). */
  stateDict(): Map<string, Tensor> {
    return new Map([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /** Replaces tensors by name; shapes must match; `strict` requires every key. Takes ownership. */
  loadStateDict(state: Map<string, Tensor>, strict = true) {
    const owners = new Map<string, [Module, string, "p" | "b"]>();
    for (const [path, m] of this.namedModules()) {
      const pre = path ? path + "." : "";
      for (const n of m.#params.keys()) owners.set(pre + n, [m, n, "p"]);
      for (const n of m.#buffers.keys()) owners.set(pre + n, [m, n, "b"]);
    }
    if (strict) {
      const missing = [...owners.keys()].filter((k) => !state.has(k));
      const extra = [...state.keys()].filter((k) => !owners.has(k));
      if (missing.length || extra.length) {
        throw new Error(
          `neurad: state dict mismatch: missing [${missing.slice(0, 5).join(", ")}] unexpected [${
            extra.slice(0, 5).join(", ")
          }]`,
        );
      }
    }
    for (const [k, t] of state) {
      const o = owners.get(k);
      if (!o) continue;
      const [m, n, kind] = o;
      const old = m.tensor(n);
      if (old.shape.join() !== t.shape.join()) {
        throw new Error(
          `neurad: ${k} has shape [${t.shape}] in the checkpoint, [${old.shape}] in the model`,
        );
      }
      if (kind === "p") m.registerParameter(n, t);
      else m.registerBuffer(n, t);
    }
  }

  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
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
