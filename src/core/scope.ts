// Ownership scopes: who disposes a tensor nobody disposed by hand. Each tensor belongs to at most
// one open scope; closing a scope disposes what it still holds. Three ways to open one:
//   tidy(fn)          synchronous; every tensor made inside fn is disposed when fn returns,
//                     except those fn returns (in arrays, objects, Maps, Sets, at any nesting),
//                     which move to the enclosing scope (like tf.tidy).
//   using s = scope() synchronous block; the tensors made until the block ends belong to s and
//                     are disposed with it, except those handed on with s.keep(value).
//   tidyAsync(fn)     across awaits; the scope is an explicit object, see tidyAsync below.
// tidy() and scope() sit on one stack (the innermost takes new tensors), which only works while
// they open and close in order: the stack is global, so code that awaits between scope() and the
// end of its block lets any other async code push its own scope on top. A scope closed while one
// opened after it is still open throws (after disposing its tensors) rather than guessing.

/** What a scope holds: anything disposable (the engine puts tensors in scopes). */
export interface Releasable {
  dispose(): void;
}

/** The scope holding each tracked tensor (a tensor moves between scopes, never is in two). */
const owner = new WeakMap<Releasable, Scope>();
/** Scopes opened by tidy() and scope() (and Scope.run while it runs); innermost last. */
const stack: Scope[] = [];

function innermost(): Scope | null {
  return stack.length ? stack[stack.length - 1] : null;
}

/** Registers a new tensor with the innermost open scope (no-op outside any scope). */
export function track(t: Releasable) {
  innermost()?.add(t);
}

/** Removes a tensor from its scope: it will outlive it (parameters, grads, state). */
export function untrack(t: Releasable) {
  const s = owner.get(t);
  if (!s) return;
  s.delete(t);
}

function isTensorLike(v: object): v is Releasable {
  return typeof (v as Releasable).dispose === "function" && "shape" in v;
}

/** Every tensor reachable from value: arrays, plain objects, Maps and Sets at any nesting. */
function collect(value: unknown): Set<Releasable> {
  const out = new Set<Releasable>();
  const seen = new Set<object>();
  const todo: unknown[] = [value];
  while (todo.length) {
    const v = todo.pop();
    if (!v || typeof v !== "object" || seen.has(v)) continue;
    seen.add(v);
    if (isTensorLike(v)) {
      out.add(v);
      continue;
    }
    if (v instanceof Map) {
      for (const [k, x] of v) todo.push(k, x);
    } else if (Array.isArray(v) || v instanceof Set) {
      for (const x of v) todo.push(x);
    } else if (!ArrayBuffer.isView(v)) {
      for (const x of Object.values(v)) todo.push(x);
    }
  }
  return out;
}

/**
 * A set of tensors disposed together. Made by scope() (on the stack: it takes the tensors made
 * while it is innermost) or given to tidyAsync's function (off the stack: it takes only what
 * run() makes and what adopt() hands it). Disposing it disposes every tensor it still holds.
 */
export class Scope {
  #items = new Set<Releasable>();
  #open = true;
  readonly #parent: Scope | null;
  readonly #stacked: boolean;

  /** Internal: use scope() or tidyAsync(). */
  constructor(parent: Scope | null, stacked: boolean) {
    this.#parent = parent;
    this.#stacked = stacked;
    if (stacked) stack.push(this);
  }

  /** Whether the scope still holds (and will dispose) its tensors. */
  get isOpen(): boolean {
    return this.#open;
  }

  /** How many tensors the scope holds now. */
  get size(): number {
    return this.#items.size;
  }

  /** Internal: takes t from whichever scope held it. */
  add(t: Releasable) {
    if (!this.#open) return;
    const prev = owner.get(t);
    if (prev === this) return;
    if (prev) prev.#items.delete(t);
    this.#items.add(t);
    owner.set(t, this);
  }

  /** Internal: lets t go (it was disposed, or handed on). */
  delete(t: Releasable) {
    if (this.#items.delete(t)) owner.delete(t);
  }

  /** Takes every tensor reachable from value (from whichever scope held it); returns value. */
  adopt<T>(value: T): T {
    if (!this.#open) throw new Error("neurad: adopt() on a disposed scope");
    for (const t of collect(value)) this.add(t);
    return value;
  }

  /**
   * Hands the tensors of this scope reachable from value to the enclosing scope (the one that
   * was innermost when this one was made, if it is still open; else to no scope: the caller
   * owns them), so disposing this scope spares them; returns value.
   */
  keep<T>(value: T): T {
    const parent = this.#parent;
    const to = parent && parent.#open ? parent : null;
    for (const t of collect(value)) {
      if (owner.get(t) !== this) continue;
      if (to) to.add(t);
      else this.delete(t);
    }
    return value;
  }

  /**
   * Runs a synchronous fn with this scope innermost: the tensors made during it belong to this
   * scope (tidy() and scope() opened inside hand their kept tensors to it).
   */
  run<T>(fn: () => T): T {
    refuseAsync(fn, "Scope.run");
    if (!this.#open) throw new Error("neurad: run() on a disposed scope");
    stack.push(this);
    let out: T;
    try {
      out = fn();
    } finally {
      removeFromStack(this, "Scope.run");
    }
    if (out instanceof Promise) {
      throw new Error("neurad: Scope.run() takes a synchronous function (it returned a Promise)");
    }
    return out;
  }

  /** Disposes every tensor the scope still holds and closes it (idempotent). */
  dispose() {
    if (!this.#open) return;
    this.#open = false;
    let misordered = false;
    if (this.#stacked) misordered = !removeFromStack(this, null);
    const items = [...this.#items];
    this.#items.clear();
    for (const t of items) {
      owner.delete(t);
      t.dispose();
    }
    if (misordered) {
      throw new Error(
        "neurad: a scope was disposed while a scope opened after it was still open (scopes " +
          "interleaved across an await? use tidyAsync)",
      );
    }
  }

  [Symbol.dispose]() {
    this.dispose();
  }
}

/** Takes s off the stack; false if it was not on top (then it is removed where it is). */
function removeFromStack(s: Scope, what: string | null): boolean {
  if (innermost() === s) {
    stack.pop();
    return true;
  }
  const i = stack.lastIndexOf(s);
  if (i >= 0) stack.splice(i, 1);
  if (what) {
    throw new Error(`neurad: ${what}() ended with a scope opened inside it still open`);
  }
  return false;
}

function refuseAsync(fn: () => unknown, name: string) {
  if (fn.constructor?.name === "AsyncFunction") {
    throw new Error(`neurad: ${name}() takes a synchronous function`);
  }
}

/** Disposes s while an error is already on its way out: that error is the one worth seeing. */
function disposeAfterError(s: Scope) {
  try {
    s.dispose();
  } catch {
    // A misordered scope behind an error: the first error says what went wrong.
  }
}

/**
 * Opens a scope on the stack: the tensors made from now until it is disposed (by `using`, or
 * by calling dispose()) belong to it, except those handed on with keep().
 *
 * @example
 * ```ts
 * function step(x: Tensor): Tensor {
 *   using s = scope();
 *   const h = relu(matmul(x, w));
 *   return s.keep(sum(h)); // h is disposed when step returns; the sum is the caller's
 * }
 * ```
 */
export function scope(): Scope {
  return new Scope(innermost(), true);
}

/** Runs fn, then disposes every tensor it created except those it returns. */
export function tidy<T>(fn: () => T): T {
  refuseAsync(fn, "tidy");
  const s = scope();
  let result: T;
  try {
    result = fn();
  } catch (e) {
    disposeAfterError(s);
    throw e;
  }
  if (result instanceof Promise) {
    s.dispose();
    throw new Error("neurad: tidy() takes a synchronous function");
  }
  s.keep(result);
  s.dispose();
  return result;
}

/**
 * An ownership scope across awaits. fn gets its own Scope, which is never put on the global
 * stack: it owns exactly the tensors made inside `s.run(() => ...)` (synchronous calls) and
 * those passed to `s.adopt(...)`. Tensors made elsewhere in fn (between awaits, outside run)
 * belong to whatever scope is innermost then, as anywhere else. When fn settles, every tensor
 * the scope holds is disposed, except those reachable from fn's result, which go to the scope
 * that was innermost when tidyAsync was called if it is still open, else to the caller alone.
 * Concurrent tidyAsync calls therefore never take each other's tensors: each holds only what its
 * own run()/adopt() gave it, whatever the interleaving of their awaits.
 *
 * @example
 * ```ts
 * const loss = await tidyAsync(async (s) => {
 *   const y = s.run(() => model.forward(x));
 *   const values = await y.toArray(); // y stays valid across the await
 *   return s.run(() => mseLoss(y, target)); // returned: not disposed
 * });
 * ```
 */
export async function tidyAsync<T>(fn: (s: Scope) => Promise<T>): Promise<T> {
  const s = new Scope(innermost(), false);
  let result: T;
  try {
    result = await fn(s);
  } catch (e) {
    disposeAfterError(s);
    throw e;
  }
  s.keep(result);
  s.dispose();
  return result;
}

/** Keeps a tensor created inside a scope alive past every scope (returns it for chaining). */
export function keep<T extends Releasable>(t: T): T {
  untrack(t);
  return t;
}
