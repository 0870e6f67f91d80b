// Scopes that free intermediates (like tf.tidy): every tensor created inside `tidy(fn)` is
// disposed when fn returns, except the tensors fn returns (in arrays, objects, Maps, Sets, at any
// nesting), which move to the enclosing scope.

export interface Disposable {
  dispose(): void;
}

const stack: Set<Disposable>[] = [];

/** Registers a new tensor with the innermost open scope (no-op outside any scope). */
export function track(t: Disposable) {
  stack[stack.length - 1]?.add(t);
}

/** Removes a tensor from every open scope: it will outlive them (parameters, grads, state). */
export function untrack(t: Disposable) {
  for (const s of stack) s.delete(t);
}

function isTensorLike(v: object): v is Disposable {
  return typeof (v as Disposable).dispose === "function" && "shape" in v;
}

/** Every tensor reachable from value: arrays, plain objects, Maps and Sets at any nesting. */
function collect(value: unknown, out: Set<Disposable>) {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (!v || typeof v !== "object" || seen.has(v)) continue;
    seen.add(v);
    if (isTensorLike(v)) {
      out.add(v);
      continue;
    }
    if (v instanceof Map) {
      for (const [k, x] of v) stack.push(k, x);
    } else if (Array.isArray(v) || v instanceof Set) {
      for (const x of v) stack.push(x);
    } else if (!ArrayBuffer.isView(v)) {
      for (const x of Object.values(v)) stack.push(x);
    }
  }
}

/** Runs fn, then disposes every tensor it created except those it returns. */
export function tidy<T>(fn: () => T): T {
  if (fn.constructor?.name === "AsyncFunction") {
    throw new Error("neurad: tidy() takes a synchronous function");
  }
  const scope = new Set<Disposable>();
  stack.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    stack.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  stack.pop();
  if (result instanceof Promise) throw new Error("neurad: tidy() takes a synchronous function");
  const keep = new Set<Disposable>();
  collect(result, keep);
  for (const t of scope) {
    if (keep.has(t)) track(t);
    else t.dispose();
  }
  return result;
}

/** Keeps a tensor created inside tidy() alive past it (returns it for chaining). */
export function keep<T extends Disposable>(t: T): T {
  untrack(t);
  return t;
}
