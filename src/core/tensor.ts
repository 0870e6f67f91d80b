// The Tensor: a contiguous row-major (NCHW) array on a GPU buffer, f32 or i32/u32, with a
// reference-counted storage (views such as reshape share it), autograd fields and disposal.
// view() stays in the autograd graph (as torch); only detach() (and the internal alias()) cut it.
// Tensor implements the structural interfaces the graph (autograd.ts) and the autograd engine
// (backward.ts) work on, and this module names their Tensor-typed forms (BackwardFn, GradOptions).
//
// Ownership (the engine's one rule, stated here once):
// - Every op returns a new tensor handle that the caller owns and must dispose (directly, with
//   `using`, or through a scope: tidy, scope(), tidyAsync in scope.ts). An op never returns one
//   of its inputs: even an identity (dropout in eval, a same-shape reshape) returns a new handle,
//   a view sharing the storage, so disposing the result never disposes the input. The exception
//   is in-place ops (names ending in `_`: copy_, fill_, uniform_, ...), which return the tensor
//   they updated, as torch does; that handle is the caller's already.
// - dispose() frees this handle only: views share a reference-counted storage, freed when the
//   last handle on it goes. The graph keeps its own references on what backward needs, so an
//   intermediate may be disposed before backward(). A leaf's .grad is owned by the leaf.
// - Module.stateDict() returns the module's own tensors, not copies: read or save them, never
//   dispose them (the module does, in its dispose()). Module.loadStateDict(state) copies the
//   values into the module's tensors: the caller keeps, and disposes, what it passed (with
//   { assign: true } the module takes those tensors over instead, and the caller must not).
// - Optimisers, modules and .grad own what they hold; clipGradNorm_ and gradNorm return a new
//   one-element tensor (the norm) that the caller disposes.
// - NEURAD_DEBUG_LEAKS=1 reports every tensor garbage-collected without dispose() (leaks.ts).

import { pool, readBuffer, readBuffers, upload } from "./dispatch.ts";
import { formatShape, numel, type Shape } from "./shape.ts";
import { rt } from "./device.ts";
import { track, untrack } from "./scope.ts";
import { type BackwardFn as GraphBackwardFn, type Node, record } from "./autograd.ts";
import {
  backward as runBackward,
  type BackwardTensor,
  type GradOptions as GraphGradOptions,
} from "./backward.ts";
import { unwatch, watch } from "./leaks.ts";

/** A backward rule over Tensors (see record()). */
export type BackwardFn = GraphBackwardFn<Tensor>;
/** Options of grad() over Tensors. */
export type GradOptions = GraphGradOptions<Tensor>;

export type DType = "f32" | "i32" | "u32";
export type TypedArrayOf<D extends DType> = D extends "f32" ? Float32Array
  : D extends "i32" ? Int32Array
  : Uint32Array;

/** Host bytes viewed as the typed array of `dtype`. */
function typed(dtype: DType, bytes: ArrayBuffer): Float32Array | Int32Array | Uint32Array {
  return dtype === "f32"
    ? new Float32Array(bytes)
    : dtype === "i32"
    ? new Int32Array(bytes)
    : new Uint32Array(bytes);
}

/** A GPU buffer shared by a tensor and its views; freed to the pool when the last ref goes. */
export class Storage {
  refs = 1;
  constructor(readonly buffer: GPUBuffer, readonly bytes: number) {}
  retain(): this {
    this.refs++;
    return this;
  }
  release() {
    if (--this.refs === 0) pool().release(this.buffer);
    if (this.refs < 0) throw new Error("neurad: storage released twice");
  }
}

let nextId = 1;

export interface FromOptions {
  requiresGrad?: boolean;
  dtype?: DType;
}

export class Tensor implements BackwardTensor<Tensor>, Disposable {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Whether gradients flow to this tensor (leaf parameters, or results of ops on them). */
  requiresGrad = false;
  /** Accumulated gradient of a leaf after backward(); owned by the tensor. */
  grad: Tensor | null = null;
  /** The op that produced this tensor (null for leaves and under noGrad). */
  gradFn: Node<Tensor> | null = null;
  #storage: Storage | null;

  /** Internal: wraps a storage. Use Tensor.from / zeros / ops to create tensors. */
  constructor(storage: Storage, shape: Shape, dtype: DType = "f32", tracked = true) {
    this.#storage = storage;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    if (tracked) track(this);
    watch(this, this.id, this.shape, dtype);
  }

  /** Uploads host data (copied) as a new tensor; shape defaults to 1-d. */
  static from(
    data: ArrayLike<number> | Float32Array | Int32Array | Uint32Array,
    shape?: Shape,
    opts: FromOptions = {},
  ): Tensor {
    const dtype = opts.dtype ??
      (data instanceof Int32Array ? "i32" : data instanceof Uint32Array ? "u32" : "f32");
    const sh = shape ?? [data.length];
    if (numel(sh) !== data.length) {
      throw new Error(`neurad: Tensor.from got ${data.length} values for shape ${formatShape(sh)}`);
    }
    const arr = dtype === "f32"
      ? (data instanceof Float32Array ? data : Float32Array.from(data))
      : dtype === "i32"
      ? (data instanceof Int32Array ? data : Int32Array.from(data))
      : (data instanceof Uint32Array ? data : Uint32Array.from(data));
    const t = Tensor.empty(sh, dtype);
    if (arr.length) upload(t.buffer, arr);
    if (opts.requiresGrad) t.requiresGrad = true;
    return t;
  }

  /** A new uninitialised tensor of this tensor's dtype (torch's new_empty). */
  newEmpty(shape: Shape): Tensor {
    return Tensor.empty(shape, this.dtype);
  }

  /** A new tensor of this tensor's dtype holding a copy of `data` (torch's new_tensor). */
  newTensor(data: ArrayLike<number>, shape: Shape): Tensor {
    return Tensor.from(data, shape, { dtype: this.dtype });
  }

  /** An uninitialised tensor (its buffer may hold stale data). */
  static empty(shape: Shape, dtype: DType = "f32"): Tensor {
    if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new Error(`neurad: invalid tensor shape ${formatShape(shape)}`);
    }
    const bytes = Math.max(4, numel(shape) * 4);
    const max = rt().device.limits.maxStorageBufferBindingSize;
    if (bytes > max) {
      throw new Error(
        `neurad: tensor ${formatShape(shape)} needs ${
          (bytes / 2 ** 20).toFixed(0)
        } MiB, over this adapter's ` +
          `${(max / 2 ** 20).toFixed(0)} MiB storage-binding limit: use smaller batches`,
      );
    }
    return new Tensor(new Storage(pool().acquire(bytes), bytes), shape, dtype);
  }

  get size(): number {
    return numel(this.shape);
  }

  get ndim(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.#storage === null;
  }

  /** The storage; throws if disposed. */
  get storage(): Storage {
    if (!this.#storage) {
      throw new Error(`neurad: tensor ${formatShape(this.shape)} used after dispose()`);
    }
    return this.#storage;
  }

  get buffer(): GPUBuffer {
    return this.storage.buffer;
  }

  /** Reads the values back (flushes pending GPU work). */
  async toArray(): Promise<TypedArrayOf<this["dtype"]>> {
    return typed(this.dtype, await readBuffer(this.buffer, this.size * 4)) as TypedArrayOf<
      this["dtype"]
    >;
  }

  /**
   * Reads many tensors back in one GPU round trip (one flush, one wait): use it for
   * checkpoints and state dicts instead of awaiting `toArray()` per tensor.
   */
  static async toArrays(
    ts: readonly Tensor[],
  ): Promise<(Float32Array | Int32Array | Uint32Array)[]> {
    const bytes = await readBuffers(ts.map((t) => ({ buffer: t.buffer, bytes: t.size * 4 })));
    return bytes.map((b, i) => typed(ts[i].dtype, b));
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) {
      throw new Error(`neurad: item() needs one element, tensor has ${this.size}`);
    }
    return (await this.toArray())[0];
  }

  /**
   * A tensor sharing this storage with another shape (no copy; same element count). It stays in
   * the autograd graph: gradients flow back through it (torch's view / reshape).
   */
  view(shape: Shape): Tensor {
    const out = this.alias(shape);
    const from = this.shape;
    return record("view", [this], out, [], (g) => [g.alias(from)]);
  }

  /**
   * Internal: the same storage under another shape, outside the graph (no gradFn, no
   * requiresGrad). `tracked = false` keeps it out of tidy() scopes (graph-saved tensors).
   */
  alias(shape: Shape, tracked = true): Tensor {
    if (numel(shape) !== this.size) {
      throw new Error(`neurad: cannot view ${formatShape(this.shape)} as ${formatShape(shape)}`);
    }
    return new Tensor(this.storage.retain(), shape, this.dtype, tracked);
  }

  /** Same data, cut from the graph (shares storage). */
  detach(): Tensor {
    return this.alias(this.shape);
  }

  /** A leaf: made by the user (or under noGrad), not by a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Sets whether gradients flow to this leaf (torch's requires_grad_); returns this. */
  requiresGrad_(flag = true): this {
    if (!this.isLeaf && !flag) {
      throw new Error("neurad: requiresGrad_(false) on a non-leaf tensor (use detach())");
    }
    if (flag && this.dtype !== "f32") {
      throw new Error(`neurad: only f32 tensors can require grad, not ${this.dtype}`);
    }
    this.requiresGrad = flag;
    return this;
  }

  /**
   * Reverse-mode autodiff from this tensor into every leaf's .grad (accumulated in place);
   * `grad` defaults to 1 for a scalar and must have this tensor's shape.
   */
  backward(grad?: Tensor, opts: { retainGraph?: boolean } = {}) {
    runBackward(this, grad, opts.retainGraph ?? false);
  }

  /** Frees the GPU memory now (idempotent). Saved copies held by the graph stay valid. */
  dispose() {
    if (!this.#storage) return;
    this.#storage.release();
    this.#storage = null;
    untrack(this);
    unwatch(this, this.id);
    // The node stays linked: downstream nodes still route gradients through it.
    this.gradFn?.unref();
    this.grad?.dispose();
    this.grad = null;
  }

  /** `using t = ...` disposes t when the block ends. */
  [Symbol.dispose]() {
    this.dispose();
  }

  toString(): string {
    return `Tensor(${this.dtype}, ${formatShape(this.shape)}${
      this.requiresGrad ? ", requiresGrad" : ""
    })`;
  }
}
