// Reverse-mode autodiff: the graph node, recording of ops, noGrad scopes, and backward() as a
// topological sort plus one reversed sweep. Nodes hold references on the tensors they save, so
// disposing an intermediate never breaks a pending backward; a node's saved tensors are freed
// after backward (unless retainGraph) or when nothing can reach the node any more.

import type { Tensor } from "./tensor.ts";
import { keep, tidy, untrack } from "./scope.ts";
// A module cycle (the ops record into this module), safe because neither side uses the other
// while loading.
import { add } from "./kernels/binary.ts";
import { onesLike } from "./kernels/fill.ts";

export type BackwardFn = (grad: Tensor, saved: Tensor[]) => (Tensor | null | undefined)[];

let gradDisabled = 0;

export function isGradEnabled(): boolean {
  return gradDisabled === 0;
}

/** Runs fn without recording the graph (inference, optimiser updates). */
export function noGrad<T>(fn: () => T): T {
  gradDisabled++;
  try {
    return fn();
  } finally {
    gradDisabled--;
  }
}

export class Node {
  refs = 1;
  freed = false;
  constructor(
    readonly name: string,
    readonly inputs: Tensor[],
    readonly saved: Tensor[],
    readonly backwardFn: BackwardFn,
  ) {
    for (const t of inputs) t.gradFn?.retainNode();
  }
  retainNode() {
    this.refs++;
  }
  unref() {
    if (--this.refs <= 0) this.free();
  }
  /** Releases saved tensors and the references this node holds on its inputs' nodes. */
  free() {
    if (this.freed) return;
    this.freed = true;
    for (const s of this.saved) s.dispose();
    for (const t of this.inputs) t.gradFn?.unref();
  }
}

/**
 * Records `out = op(inputs)` if grad mode is on and an input requires grad. `save` lists the
 * tensors the backward needs (inputs or the output); the node keeps its own views of them.
 */
export function record(
  name: string,
  inputs: Tensor[],
  out: Tensor,
  save: Tensor[],
  backwardFn: BackwardFn,
): Tensor {
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return out;
  const saved = save.map((t) => t.view(t.shape, false));
  out.requiresGrad = true;
  out.gradFn = new Node(name, inputs, saved, backwardFn);
  return out;
}

function topoSort(root: Node): Node[] {
  const order: Node[] = [];
  const seen = new Set<Node>();
  const stack: [Node, number][] = [[root, 0]];
  seen.add(root);
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

function accumulate(prev: Tensor | undefined | null, g: Tensor): Tensor {
  if (!prev) return g;
  const sum = add(prev, g);
  prev.dispose();
  g.dispose();
  return sum;
}

export function backward(root: Tensor, grad: Tensor | undefined, retainGraph: boolean) {
  if (!root.requiresGrad) {
    throw new Error("neurad: backward() on a tensor that does not require grad");
  }
  if (!grad && root.size !== 1) {
    throw new Error(
      `neurad: backward() without a gradient needs a scalar, got [${root.shape.join(", ")}]`,
    );
  }
  noGrad(() => {
    const g0 = grad ? grad.view(grad.shape, false) : keep(onesLike(root));
    if (!root.gradFn) {
      root.grad = accumulate(root.grad, g0);
      untrack(root.grad);
      return;
    }
    const nodes = topoSort(root.gradFn);
    const grads = new Map<Node, Tensor>([[root.gradFn, g0]]);
    for (const node of nodes) {
      if (node.freed) {
        throw new Error(`neurad: backward through ${node.name} a second time (use retainGraph)`);
      }
      const g = grads.get(node);
      grads.delete(node);
      if (!g) continue;
      const inGrads = tidy(() => node.backwardFn(g, node.saved));
      g.dispose();
      node.inputs.forEach((input, i) => {
        const gi = inGrads[i];
        if (!gi) return;
        if (!input.requiresGrad) return gi.dispose();
        if (input.gradFn) grads.set(input.gradFn, accumulate(grads.get(input.gradFn), gi));
        else {
          input.grad = accumulate(input.grad, gi);
          untrack(input.grad);
        }
      });
      // Any grads the op returned for inputs listed twice were consumed above; free unused ones.
      for (let i = node.inputs.length; i < inGrads.length; i++) inGrads[i]?.dispose();
    }
    for (const g of grads.values()) g.dispose();
    if (!retainGraph) { for (const node of nodes) node.free(); }
  });
}
