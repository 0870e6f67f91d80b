// The autograd engine: backward() (gradients accumulated into leaves' .grad) and grad() (like
// torch.autograd.grad: gradients of outputs with respect to given inputs, returned, nothing
// accumulated). Both run one sweep over the part of the graph between the outputs and the
// wanted tensors: a node is executed only if a wanted tensor lies below it, and each backward
// rule is told which inputs need a gradient (so a frozen network's weights, or the first conv's
// input, cost nothing). Leaf gradients accumulate in place into a buffer the leaf owns.
// Imports no op and not the tensor module: it works on BackwardTensor (below), which Tensor
// implements, and makes new tensors through the tensors it is given (newEmpty / newTensor).

import { formatShape, sameShape } from "./shape.ts";
import { freeNodes, type GraphTensor, type Node, noGrad } from "./autograd.ts";
import { tidy, untrack } from "./scope.ts";
import { addInPlace_, assign_, type DeviceArray } from "./inplace_update.ts";

/**
 * What the autograd engine needs from a tensor beyond the graph fields: its size, buffer and
 * storage's reference count (to accumulate in place only into an unshared buffer), the leaf's
 * .grad, and making new tensors of its kind.
 */
export interface BackwardTensor<T extends BackwardTensor<T>> extends GraphTensor<T>, DeviceArray {
  /** Accumulated gradient of a leaf; owned by the tensor. */
  grad: T | null;
  readonly isDisposed: boolean;
  /** The storage shared with views; `refs` counts the tensors on it. */
  readonly storage: { readonly refs: number };
  /** A new uninitialised tensor of this tensor's dtype (torch's new_empty). */
  newEmpty(shape: readonly number[]): T;
  /** A new tensor of this tensor's dtype holding a copy of `data` (torch's new_tensor). */
  newTensor(data: ArrayLike<number>, shape: readonly number[]): T;
}

/** g as a tensor owning its buffer alone (copied if its storage is shared). */
function owned<T extends BackwardTensor<T>>(g: T): T {
  if (g.storage.refs === 1) return g;
  const c = g.newEmpty(g.shape);
  assign_(c, g);
  g.dispose();
  return c;
}

/** prev + g, in place into prev when prev owns its buffer; consumes g (and prev if replaced). */
function combine<T extends BackwardTensor<T>>(prev: T | undefined | null, g: T): T {
  if (!prev) return g;
  if (prev.storage.refs === 1) {
    addInPlace_(prev, g);
    g.dispose();
    return prev;
  }
  const sum = g.newEmpty(prev.shape);
  assign_(sum, prev);
  addInPlace_(sum, g);
  prev.dispose();
  g.dispose();
  return sum;
}

/** Accumulates g into leaf.grad in place (the leaf's .grad keeps its buffer across steps). */
function accumulateLeaf<T extends BackwardTensor<T>>(leaf: T, g: T) {
  const prev = leaf.grad && !leaf.grad.isDisposed ? leaf.grad : null;
  leaf.grad = prev ? combine(prev, g) : owned(g);
  untrack(leaf.grad);
}

/** Nodes reachable from the roots, parents before children (iterative DFS). */
function topoSort<T extends BackwardTensor<T>>(roots: Node<T>[]): Node<T>[] {
  const order: Node<T>[] = [];
  const seen = new Set<Node<T>>(roots);
  const stack: [Node<T>, number][] = roots.map((r) => [r, 0]);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [node, i] = top;
    if (i < node.inputs.length) {
      top[1]++;
      const child = node.inputs[i].gradFn;
      if (child && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      order.push(node);
      stack.pop();
    }
  }
  return order.reverse();
}

interface Sweep<T extends BackwardTensor<T>> {
  roots: { t: T; g: T }[];
  /** Tensors whose gradient is wanted; null: every leaf that requires grad (backward()). */
  targets: Set<T> | null;
  sink: (t: T, g: T) => void;
  retainGraph: boolean;
}

function sweep<T extends BackwardTensor<T>>({ roots, targets, sink, retainGraph }: Sweep<T>) {
  // backward() skips disposed leaves: a .grad set on one would never be freed.
  const wantedLeaf = (t: T) => t.requiresGrad && (targets ? targets.has(t) : !t.isDisposed);
  const targetOf = new Map<Node<T>, T>();
  if (targets) { for (const t of targets) if (t.gradFn) targetOf.set(t.gradFn, t); }
  const grads = new Map<Node<T>, T>();
  const rootNodes: Node<T>[] = [];
  for (const { t, g } of roots) {
    if (!t.gradFn) {
      if (wantedLeaf(t)) sink(t, g);
      else g.dispose();
      continue;
    }
    if (!grads.has(t.gradFn)) rootNodes.push(t.gradFn);
    grads.set(t.gradFn, combine(grads.get(t.gradFn), g));
  }
  const nodes = topoSort(rootNodes);
  // Which nodes lead to a wanted tensor, children before parents.
  const useful = new Set<Node<T>>();
  const needsOf = new Map<Node<T>, boolean[]>();
  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k];
    const needs = node.inputs.map((inp) =>
      inp.requiresGrad && (inp.gradFn ? useful.has(inp.gradFn) : wantedLeaf(inp))
    );
    needsOf.set(node, needs);
    if (targetOf.has(node) || needs.some(Boolean)) useful.add(node);
  }
  const executed: Node<T>[] = [];
  for (const node of nodes) {
    const g = grads.get(node);
    grads.delete(node);
    if (!g) continue;
    if (!useful.has(node)) {
      g.dispose();
      continue;
    }
    if (node.freed) {
      g.dispose();
      throw new Error(`neurad: backward through ${node.name} a second time (use retainGraph)`);
    }
    const target = targetOf.get(node);
    const needs = needsOf.get(node)!;
    if (target) sink(target, needs.some(Boolean) ? g.alias(g.shape) : g);
    if (!needs.some(Boolean)) continue;
    executed.push(node);
    const inGrads = tidy(() => node.backwardFn(g, node.saved, needs));
    // A rule may return one tensor object for several inputs, or the incoming gradient itself:
    // each input gets a tensor of its own (an alias where needed).
    const seenGrad = new Set<T>([g]);
    const own = inGrads.map((gi, i) => {
      if (!gi || !needs[i]) return null;
      if (!seenGrad.has(gi)) {
        seenGrad.add(gi);
        return gi;
      }
      return gi.alias(gi.shape);
    });
    for (const gi of inGrads) if (gi && gi !== g && !own.includes(gi)) gi.dispose();
    g.dispose();
    node.inputs.forEach((input, i) => {
      const gi = own[i];
      if (!gi) return;
      if (!sameShape(gi.shape, input.shape)) {
        throw new Error(
          `neurad: ${node.name}'s backward gave a ${formatShape(gi.shape)} gradient for a ` +
            `${formatShape(input.shape)} input`,
        );
      }
      if (input.gradFn) grads.set(input.gradFn, combine(grads.get(input.gradFn), gi));
      else sink(input, gi);
    });
  }
  for (const g of grads.values()) g.dispose();
  if (!retainGraph) freeNodes(executed);
}

function seedFor<T extends BackwardTensor<T>>(t: T, grad: T | null | undefined, what: string): T {
  if (grad) {
    if (!sameShape(grad.shape, t.shape)) {
      throw new Error(
        `neurad: ${what}: gradient of shape ${formatShape(grad.shape)} for a tensor of shape ` +
          formatShape(t.shape),
      );
    }
    return grad.alias(grad.shape, false);
  }
  if (t.size !== 1) {
    throw new Error(
      `neurad: ${what} without a gradient needs a scalar, got ${formatShape(t.shape)}`,
    );
  }
  const one = t.newTensor([1], t.shape);
  untrack(one);
  return one;
}

/** Reverse-mode autodiff from `root` into the .grad of every leaf that requires grad. */
export function backward<T extends BackwardTensor<T>>(
  root: T,
  grad: T | undefined,
  retainGraph: boolean,
) {
  if (!root.requiresGrad) {
    throw new Error("neurad: backward() on a tensor that does not require grad");
  }
  const g0 = seedFor(root, grad, "backward()");
  noGrad(() =>
    sweep({ roots: [{ t: root, g: g0 }], targets: null, sink: accumulateLeaf, retainGraph })
  );
}

/** Options of grad(); the public API (src/mod.ts) exports it specialised to Tensor. */
export interface GradOptions<T extends BackwardTensor<T>> {
  /** d(something)/d(output) for each output (default 1 for scalar outputs). */
  gradOutputs?: (T | null | undefined)[];
  /** Keep the traversed part of the graph for another backward()/grad() (default false). */
  retainGraph?: boolean;
  /** Give zeros for inputs the outputs do not depend on instead of throwing (default false). */
  allowUnused?: boolean;
}

/**
 * torch.autograd.grad: the gradients of the outputs (summed) with respect to each input (a leaf
 * or an intermediate tensor), computed over only the part of the graph between them; no
 * tensor's .grad changes. Returns new tensors, one per input, in the current tidy scope.
 */
export function grad<T extends BackwardTensor<T>>(
  outputs: T | T[],
  inputs: T | T[],
  opts: GradOptions<T> = {},
): T[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  for (const t of ins) {
    if (!t.requiresGrad) throw new Error("neurad: grad() input does not require grad");
  }
  if (opts.gradOutputs && opts.gradOutputs.length !== outs.length) {
    throw new Error(
      `neurad: grad() got ${opts.gradOutputs.length} gradOutputs for ${outs.length} outputs`,
    );
  }
  const results = new Map<T, T>();
  const roots: { t: T; g: T }[] = [];
  outs.forEach((t, i) => {
    if (!t.requiresGrad) {
      throw new Error(`neurad: grad() output ${i} does not require grad (no graph to it)`);
    }
    roots.push({ t, g: seedFor(t, opts.gradOutputs?.[i], "grad()") });
  });
  noGrad(() =>
    sweep({
      roots,
      targets: new Set(ins),
      sink: (t, g) => {
        const prev = results.get(t);
        results.set(t, prev ? combine(prev, g) : owned(g));
      },
      retainGraph: opts.retainGraph ?? false,
    })
  );
  const missing = ins.findIndex((t) => !results.has(t));
  if (missing >= 0 && !opts.allowUnused) {
    for (const r of results.values()) r.dispose();
    throw new Error(
      `neurad: grad() input ${missing} is not reached from the outputs (pass allowUnused)`,
    );
  }
  const given = new Set<T>();
  return ins.map((t) => {
    const g = results.get(t);
    if (!g) return t.newTensor(new Float32Array(t.size), t.shape);
    if (!given.has(t)) {
      given.add(t);
      return g;
    }
    const copy = g.newEmpty(g.shape); // an input listed twice gets its own tensor
    assign_(copy, g);
    return copy;
  });
}
