// The layer base class (torch.nn.Module). A module registers what is assigned to its fields, as
// torch's __setattr__ does: `this.conv = new Conv2d(...)` makes a child module,
// `this.weight = parameter(t)` a parameter, `this.running_mean = buffer(t)` a buffer, each under
// the field's name and in the order of assignment, so dotted names follow the module tree as
// PyTorch's state-dict keys do (taming-transformers' "down.0.block.1.norm1.weight"). A module owns
// what is registered on it: replacing a registered field, or assigning null to it, disposes the
// old tensor or child. Fields named with # are never registered (non-owning references, state
// kept outside the state dict). Also: train()/eval() and requiresGrad_() over the whole tree,
// apply() for custom initialisation, state dicts (loadStateDict copies into the existing tensors,
// so optimisers built earlier keep updating them; strict by default), zeroGrad and dispose.
//
// Mechanism: the constructor returns a Proxy whose defineProperty trap sees every field write
// (an assignment ends in [[DefineOwnProperty]] on the receiver, and class fields are defined
// directly); reads are not trapped.

import { formatShape } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import { untrack } from "../core/scope.ts";
import { noGrad } from "../core/autograd.ts";
import { copy_ } from "../kernels/copy.ts";
import { zeroGradOf } from "../optim/zero_grad.ts";

export interface LoadStateDictOptions {
  /**
   * Require exactly the model's keys (default true): missing or unexpected keys throw, nothing
   * is loaded then. With false, the keys present are loaded and the missing and unexpected ones
   * are returned (torch's strict=False). Shapes and dtypes must match either way.
   */
  strict?: boolean;
  /**
   * Tolerate missing `num_batches_tracked` buffers (BatchNorm checkpoints written before torch
   * counted batches, which torch loads for the same reason): they keep the model's value and are
   * not reported. Every other key is still required.
   */
  allowMissingNumBatchesTracked?: boolean;
  /**
   * Replace the model's tensors by the given ones (taking ownership) instead of copying values
   * into them (torch's assign=True). Optimisers built earlier then no longer see the model's
   * parameters: use only before building one.
   */
  assign?: boolean;
}

/** What loadStateDict did not match (torch's _IncompatibleKeys); empty after a strict load. */
export interface IncompatibleKeys {
  /** The model's keys the state did not have. */
  missingKeys: string[];
  /** The state's keys the model does not have. */
  unexpectedKeys: string[];
}

const PARAMETERS = new WeakSet<Tensor>();
const BUFFERS = new WeakSet<Tensor>();

/**
 * Marks t as a parameter (torch's nn.Parameter) and sets its requiresGrad; assigned to a module
 * field, it is registered as that module's parameter. Returns t.
 */
export function parameter(t: Tensor, requiresGrad = true): Tensor {
  t.requiresGrad = requiresGrad;
  BUFFERS.delete(t);
  PARAMETERS.add(t);
  return t;
}

/**
 * Marks t as a buffer (non-trainable state in the state dict: running statistics, EMA state);
 * assigned to a module field, it is registered as that module's buffer. Returns t.
 */
export function buffer(t: Tensor): Tensor {
  PARAMETERS.delete(t);
  BUFFERS.add(t);
  return t;
}

/** A module's registered names, each map in registration order. */
interface Registry {
  params: Map<string, Tensor>;
  buffers: Map<string, Tensor>;
  children: Map<string, Module>;
}

const REGISTRY = Symbol("neurad.module.registry");

function registry(m: Module): Registry {
  return (m as unknown as { [REGISTRY]: Registry })[REGISTRY];
}

function listed(what: string, keys: string[]): string {
  const shown = keys.slice(0, 8).join(", ");
  return `${what} ${keys.length} key${keys.length > 1 ? "s" : ""} [${shown}${
    keys.length > 8 ? `, … ${keys.length - 8} more` : ""
  }]`;
}

function describe(v: unknown): string {
  if (v instanceof Tensor) return `a tensor ${formatShape(v.shape)}`;
  if (v instanceof Module) return `a ${v.constructor.name}`;
  return typeof v;
}

/** Frees what `name` holds in r (if anything) unless it is `keep`, and forgets it. */
function release(r: Registry, name: string, keep?: unknown) {
  const p = r.params.get(name) ?? r.buffers.get(name);
  if (p !== undefined && p !== keep) p.dispose();
  const c = r.children.get(name);
  if (c !== undefined && c !== keep) c.dispose();
  r.params.delete(name);
  r.buffers.delete(name);
  r.children.delete(name);
}

/** In `map`, `name` → v: the old value is freed unless it is v; a new name goes last. */
function place<T extends { dispose(): void }>(
  r: Registry,
  map: Map<string, T>,
  name: string,
  v: T,
) {
  const old = map.get(name);
  if (old === v) return;
  for (const other of [r.params, r.buffers, r.children] as Map<string, unknown>[]) {
    if (other !== map && other.has(name)) release(r, name, v);
  }
  old?.dispose();
  map.set(name, v);
}

/** The registration rule of a field write `owner.name = v` (torch's Module.__setattr__). */
function onFieldWrite(owner: object, r: Registry, name: string, v: unknown) {
  if (v instanceof Module) {
    if (registry(v) === r) throw new Error(`neurad: ${name}: a module cannot be its own child`);
    place(r, r.children, name, v);
  } else if (v instanceof Tensor && (PARAMETERS.has(v) || BUFFERS.has(v) || r.buffers.has(name))) {
    untrack(v);
    place(r, PARAMETERS.has(v) ? r.params : r.buffers, name, v);
  } else if (v === null || v === undefined) {
    release(r, name);
  } else if (r.params.has(name) || r.children.has(name)) {
    const what = r.params.has(name) ? "parameter (assign parameter(t) or null)" : "child module";
    throw new Error(
      `neurad: ${owner.constructor.name}.${name} is a ${what}; cannot assign ${describe(v)}`,
    );
  }
}

function makeHandler(r: Registry): ProxyHandler<Module> {
  return {
    defineProperty(target, key, desc) {
      if (typeof key === "string") {
        if ("value" in desc) onFieldWrite(target, r, key, desc.value);
        else if (r.params.has(key) || r.buffers.has(key) || r.children.has(key)) {
          throw new Error(`neurad: ${target.constructor.name}.${key} is registered: no accessor`);
        }
      }
      return Reflect.defineProperty(target, key, desc);
    },
    deleteProperty(target, key) {
      if (typeof key === "string") release(r, key);
      return Reflect.deleteProperty(target, key);
    },
  };
}

/** Defines own field `name` = v on m (through the registration rule, past prototype accessors). */
function setField(m: Module, name: string, v: unknown) {
  Object.defineProperty(m, name, {
    value: v,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

export abstract class Module {
  training = true;

  constructor() {
    const r: Registry = { params: new Map(), buffers: new Map(), children: new Map() };
    Object.defineProperty(this, REGISTRY, { value: r });
    // The subclass's fields and constructor body run on (and `this` is) the proxy.
    return new Proxy(this, makeHandler(r));
  }

  /**
   * Registers (or replaces) parameter `name` and sets the field of that name (torch's
   * register_parameter): for names made at run time; a fixed name is a field assignment,
   * `this.weight = parameter(t)`. It outlives tidy() scopes.
   */
  protected registerParameter(name: string, t: Tensor): Tensor {
    setField(this, name, parameter(t));
    return t;
  }

  /** Registers (or replaces) buffer `name` and sets the field of that name (register_buffer). */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    setField(this, name, buffer(t));
    return t;
  }

  /**
   * Registers child `name` and sets the field of that name (torch's add_module): for names made
   * at run time ("0", "1", ... of list containers, a configurable container name).
   */
  protected registerModule<M extends Module>(name: string, m: M): M {
    setField(this, name, m);
    return m;
  }

  *namedParameters(prefix = ""): Generator<[string, Tensor]> {
    const r = registry(this);
    for (const [n, t] of r.params) yield [prefix + n, t];
    for (const [n, c] of r.children) yield* c.namedParameters(`${prefix}${n}.`);
  }

  *namedBuffers(prefix = ""): Generator<[string, Tensor]> {
    const r = registry(this);
    for (const [n, t] of r.buffers) yield [prefix + n, t];
    for (const [n, c] of r.children) yield* c.namedBuffers(`${prefix}${n}.`);
  }

  *namedModules(prefix = ""): Generator<[string, Module]> {
    yield [prefix.replace(/\.$/, ""), this];
    for (const [n, c] of registry(this).children) yield* c.namedModules(`${prefix}${n}.`);
  }

  /** Direct children by name (torch's named_children). */
  *namedChildren(): Generator<[string, Module]> {
    yield* registry(this).children;
  }

  children(): Module[] {
    return [...registry(this).children.values()];
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
   * and nothing is loaded then. Non-strict loads what matches and returns the missing and
   * unexpected keys. `opts` may be a boolean (strict).
   */
  loadStateDict(
    state: Map<string, Tensor>,
    opts: boolean | LoadStateDictOptions = {},
  ): IncompatibleKeys {
    const o = typeof opts === "boolean" ? { strict: opts } : opts;
    const strict = o.strict ?? true;
    // Every key's owner, in stateDict() order (all parameters, then all buffers).
    const owners = new Map<string, [Module, string, "p" | "b"]>();
    const modules = [...this.namedModules()];
    for (const kind of ["p", "b"] as const) {
      for (const [path, m] of modules) {
        const pre = path ? path + "." : "";
        const names = kind === "p" ? registry(m).params.keys() : registry(m).buffers.keys();
        for (const n of names) owners.set(pre + n, [m, n, kind]);
      }
    }
    const current = ([m, n, kind]: [Module, string, "p" | "b"]) =>
      (kind === "p" ? registry(m).params : registry(m).buffers).get(n)!;
    const tolerated = ([k, [, n, kind]]: [string, [Module, string, "p" | "b"]]) =>
      o.allowMissingNumBatchesTracked === true && kind === "b" && n === "num_batches_tracked" &&
      !state.has(k);
    const missingKeys = [...owners].filter(([k]) => !state.has(k)).filter((e) => !tolerated(e))
      .map(([k]) => k);
    const unexpectedKeys = [...state.keys()].filter((k) => !owners.has(k));
    const problems: string[] = [];
    if (strict) {
      if (missingKeys.length) problems.push(listed("missing", missingKeys));
      if (unexpectedKeys.length) problems.push(listed("unexpected", unexpectedKeys));
    }
    const wrong: string[] = [];
    for (const [k, t] of state) {
      const owner = owners.get(k);
      if (!owner) continue;
      const cur = current(owner);
      if (cur.shape.join() !== t.shape.join()) {
        wrong.push(`${k} ${formatShape(t.shape)} vs model ${formatShape(cur.shape)}`);
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
        const cur = current(owner);
        if (cur === t) continue;
        const [m, n, kind] = owner;
        if (!o.assign) copy_(cur, t);
        else setField(m, n, kind === "p" ? parameter(t, cur.requiresGrad) : buffer(t));
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Sets requiresGrad on every parameter (freeze with false); returns this. */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad_(flag);
    return this;
  }

  /** Calls fn on every submodule (children first) and then on this (torch's apply). */
  apply(fn: (m: Module) => void): this {
    for (const c of registry(this).children.values()) c.apply(fn);
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

  /**
   * Frees every parameter, gradient and buffer of the tree; they are unregistered. Each child's
   * own dispose() runs, so a module that holds state outside its registry frees it too.
   */
  dispose() {
    const r = registry(this);
    for (const c of r.children.values()) c.dispose();
    for (const t of r.params.values()) t.dispose();
    for (const t of r.buffers.values()) t.dispose();
    r.params.clear();
    r.buffers.clear();
  }
}
