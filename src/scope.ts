// Scopes that free intermediates (like tf.tidy): every tensor created inside `tidy(fn)` is
// disposed when fn returns, except the tensors fn returns (in arrays/objects too), which move
// to the enclosing scope.

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

function collect(value: unknown, out: Set<Disposable>, depth = 0) {
  if (!value || typeof value !== "object" || depth > 4) return;
  if (typeof (value as Disposable).dispose === "function" && "shape" in value) {
    out.add(value as unknown as Disposable);
    return;
  }
  const items = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  for (const v of items) collect(v, out, depth + 1);
}

/** Runs fn, then disposes every tensor it created except those it returns. */
export function tidy<T>(fn: () => T): T {
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
