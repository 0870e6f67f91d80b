// GPU buffer pool by size class, with live-buffer/live-byte counters for leak tests.
// Every tensor buffer is STORAGE | COPY_SRC | COPY_DST; freed buffers are kept for reuse
// up to a cap and destroyed beyond it (a dropped GPUBuffer is never reclaimed by Deno).
// A size class hands out its oldest free buffer (a min-heap on creation order), not the last
// released: which buffer an allocation gets then depends only on which buffers are free, not on
// the order they were freed in, so a training step that repeats the same allocations gets the
// same buffers every step and dispatch.ts's bind-group cache hits (with LIFO free lists the
// release order permuted the buffers from step to step: 78 % of a small VQGAN step's ~2,900
// dispatches created a new bind group).

const USAGE = 0x80 /* STORAGE */ | 0x4 /* COPY_SRC */ | 0x8; /* COPY_DST */

/** Rounds up to 4 classes per power of two (at most 25 % waste), 256-byte aligned. */
export function sizeClass(bytes: number): number {
  const b = Math.max(256, Math.ceil(bytes / 256) * 256);
  const p = 2 ** Math.floor(Math.log2(b));
  const step = Math.max(256, p / 4);
  return Math.ceil(b / step) * step;
}

/** A min-heap of buffers by creation serial. */
class OldestFirst {
  #heap: { serial: number; buffer: GPUBuffer }[] = [];

  get length(): number {
    return this.#heap.length;
  }

  push(serial: number, buffer: GPUBuffer) {
    const h = this.#heap;
    h.push({ serial, buffer });
    let i = h.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (h[up].serial <= h[i].serial) break;
      [h[up], h[i]] = [h[i], h[up]];
      i = up;
    }
  }

  pop(): GPUBuffer | undefined {
    const h = this.#heap;
    if (!h.length) return undefined;
    const top = h[0].buffer;
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && h[l].serial < h[m].serial) m = l;
        if (r < h.length && h[r].serial < h[m].serial) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }

  *[Symbol.iterator](): Generator<GPUBuffer> {
    for (const e of this.#heap) yield e.buffer;
  }
}

export class BufferPool {
  #free = new Map<number, OldestFirst>();
  #sizes = new WeakMap<GPUBuffer, number>();
  #serials = new WeakMap<GPUBuffer, number>();
  /** Buffers in the free lists (a second release would hand one buffer to two tensors). */
  #isFree = new WeakSet<GPUBuffer>();
  #nextSerial = 0;
  /** Buffers handed out and not yet released. */
  liveBuffers = 0;
  /** Bytes (by size class) handed out and not yet released. */
  liveBytes = 0;
  /** Bytes sitting in the free lists. */
  pooledBytes = 0;
  /** High-water marks since the last resetPeaks(): of liveBytes, and of liveBytes + pooledBytes. */
  peakLiveBytes = 0;
  peakHeldBytes = 0;
  /** Free-list bytes kept before released buffers are destroyed instead. */
  maxPooledBytes = 1 << 30;

  /** `onDestroy` runs just before the pool destroys a buffer (dispatch.ts evicts bind groups). */
  constructor(
    private device: GPUDevice,
    private onDestroy: (buffer: GPUBuffer) => void = () => {},
  ) {}

  #destroy(buffer: GPUBuffer) {
    this.onDestroy(buffer);
    buffer.destroy();
  }

  /**
   * A buffer of at least `bytes`. Reusing a buffer that recorded commands still read is safe:
   * later commands run after them, and uploads go through ordered staging copies (dispatch.ts).
   */
  acquire(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    let buffer = this.#free.get(size)?.pop();
    if (buffer) {
      this.pooledBytes -= size;
      this.#isFree.delete(buffer);
    } else {
      buffer = this.device.createBuffer({ size, usage: USAGE });
      this.#sizes.set(buffer, size);
      this.#serials.set(buffer, this.#nextSerial++);
    }
    this.liveBuffers++;
    this.liveBytes += size;
    // Both sums rise only here (release and emptyCache lower them), so this sees every peak.
    this.peakLiveBytes = Math.max(this.peakLiveBytes, this.liveBytes);
    this.peakHeldBytes = Math.max(this.peakHeldBytes, this.liveBytes + this.pooledBytes);
    return buffer;
  }

  /** Starts the high-water marks again from the current live and held bytes. */
  resetPeaks() {
    this.peakLiveBytes = this.liveBytes;
    this.peakHeldBytes = this.liveBytes + this.pooledBytes;
  }

  release(buffer: GPUBuffer) {
    const size = this.#sizes.get(buffer);
    if (size === undefined) throw new Error("neurad: released a buffer the pool does not own");
    if (this.#isFree.has(buffer)) throw new Error("neurad: buffer released twice");
    this.liveBuffers--;
    this.liveBytes -= size;
    if (this.pooledBytes + size > this.maxPooledBytes) {
      this.#sizes.delete(buffer); // gone: releasing it again is an error
      this.#destroy(buffer);
      return;
    }
    let list = this.#free.get(size);
    if (!list) this.#free.set(size, list = new OldestFirst());
    list.push(this.#serials.get(buffer)!, buffer);
    this.#isFree.add(buffer);
    this.pooledBytes += size;
  }

  /** Destroys every pooled (free) buffer. */
  emptyCache() {
    for (const list of this.#free.values()) for (const b of list) this.#destroy(b);
    this.#free.clear();
    this.pooledBytes = 0;
  }
}
