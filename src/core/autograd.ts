// Recording of the autograd graph: the Node (an op's backward rule, its inputs and the tensors
// it saved), grad mode (noGrad / enableGrad), and record(). Nodes hold their own references on
// saved tensors, so disposing an intermediate never breaks a pending backward; a node is freed
// (iteratively: a 20,000-node chain does not grow the stack) after backward without retainGraph
// or when nothing can reach it any more. The engine that runs backward rules is backward.ts.
// The graph works on GraphTensor, the structural interface below that Tensor implements: this
// module imports no op and not the tensor module, so tensor.ts, backward.ts and the ops all
// import it and nothing imports back.

/**
 * What the graph needs from a tensor (Tensor implements it, with T = Tensor): its shape, the
 * autograd fields, a same-storage alias outside the graph, and disposal.
 */
export interface GraphTensor<T extends GraphTensor<T>> {
  readonly shape: readonly number[];
  /** Whether gradients flow to this tensor. */
  requiresGrad: boolean;
  /** The node of the op that produced it (null for leaves). */
  gradFn: Node<T> | null;
  /** The same storage under `shape`, outside the graph; `tracked = false`: in no tidy scope. */
  alias(shape: readonly number[], tracked?: boolean): T;
  dispose(): void;
}

/**
 * A backward rule: given the output's gradient, the saved tensors and which inputs need a
 * gradient (torch's ctx.needs_input_grad), returns one gradient (or null) per input. Rules must
 * skip the inputs whose `needs` entry is false; the engine discards anything returned for them.
 * The public API (src/mod.ts) exports it specialised to Tensor.
 */
export type BackwardFn<T extends GraphTensor<T>> = (
  grad: T,
  saved: T[],
  needs: readonly boolean[],
) => (T | null | undefined)[];

let gradDisabled = 0;

export function isGradEnabled(): boolean {
  return gradDisabled === 0;
}

function refuseAsync(fn: () => unknown, name: string) {
  if (fn.constructor?.name === "AsyncFunction") {
    throw new Error(`neurad: ${name}() takes a synchronous function (an async one escapes it)`);
  }
}

function withMode<T>(fn: () => T, disabled: number, name: string): T {
  refuseAsync(fn, name);
  const prev = gradDisabled;
  gradDisabled = disabled;
  let out: T;
  try {
    out = fn();
  } finally {
    gradDisabled = prev;
  }
  if (out instanceof Promise) {
    throw new Error(`neurad: ${name}() takes a synchronous function (it returned a Promise)`);
  }
  return out;
}

/** Runs fn without recording the graph (inference, optimiser updates); fn must be synchronous. */
export function noGrad<T>(fn: () => T): T {
  return withMode(fn, gradDisabled + 1, "noGrad");
}

/** Runs fn with recording on, even inside noGrad (torch.enable_grad). */
export function enableGrad<T>(fn: () => T): T {
  return withMode(fn, 0, "enableGrad");
}

/** One recorded op: its backward rule, its inputs and the tensors it saved for backward. */
export class Node<T extends GraphTensor<T>> {
  refs = 1;
  freed = false;
  constructor(
    readonly name: string,
    readonly inputs: T[],
    readonly saved: T[],
    readonly backwardFn: BackwardFn<T>,
  ) {
    for (const t of inputs) if (t.gradFn) t.gradFn.refs++;
  }
  retainNode() {
    this.refs++;
  }
  unref() {
    if (--this.refs <= 0) freeNodes([this]);
  }
  /** Releases saved tensors and the references this node holds on its inputs' nodes. */
  free() {
    freeNodes([this]);
  }
}

/** Frees nodes and, iteratively, every input node that nothing else references any more. */
export function freeNodes<T extends GraphTensor<T>>(start: Iterable<Node<T>>) {
  const stack = [...start];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.freed) continue;
    node.freed = true;
    for (const s of node.saved) s.dispose();
    for (const t of node.inputs) {
      const child = t.gradFn;
      if (child && --child.refs <= 0) stack.push(child);
    }
  }
}

/**
 * Records `out = op(inputs)` if grad mode is on and an input requires grad. `save` lists the
 * tensors the backward needs (inputs or the output); the node keeps its own aliases of them.
 */
export function record<T extends GraphTensor<T>>(
  name: string,
  inputs: T[],
  out: T,
  save: T[],
  backwardFn: BackwardFn<T>,
): T {
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return out;
  const saved = save.map((t) => t.alias(t.shape, false));
  out.requiresGrad = true;
  out.gradFn = new Node(name, inputs, saved, backwardFn);
  return out;
}
