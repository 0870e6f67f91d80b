// GPU buffer pool by size class, with live-buffer/live-byte counters for leak tests.
// Every tensor buffer is STORAGE | COPY_SRC | COPY_DST; freed buffers are kept for reuse
// up to a cap and destroyed beyond it (a dropped GPUBuffer is never reclaimed by Deno).

const USAGE = 0x80 /* STORAGE */ | 0x4 /* COPY_SRC */ | 0x8; /* COPY_DST */

/** Rounds up to 4 classes per power of two (at most 25 % waste), 256-byte aligned. */
export function sizeClass(bytes: number): number {
  const b = Math.max(256, Math.ceil(bytes / 256) * 256);
  const p = 2 ** Math.floor(Math.log2(b));
  const step = Math.max(256, p / 4);
  return Math.ceil(b / step) * step;
}

export class BufferPool {
  #free = new Map<number, GPUBuffer[]>();
  #sizes = new WeakMap<GPUBuffer, number>();
  /** Buffers handed out and not yet released. */
  liveBuffers = 0;
  /** Bytes (by size class) handed out and not yet released. */
  liveBytes = 0;
  /** Bytes sitting in the free lists. */
  pooledBytes = 0;
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
    if (buffer) this.pooledBytes -= size;
    else {
      buffer = this.device.createBuffer({ size, usage: USAGE });
      this.#sizes.set(buffer, size);
    }
    this.liveBuffers++;
    this.liveBytes += size;
    return buffer;
  }

  release(buffer: GPUBuffer) {
    const size = this.#sizes.get(buffer);
    if (size === undefined) throw new Error("neurad: released a buffer the pool does not own");
    this.liveBuffers--;
    this.liveBytes -= size;
    if (this.pooledBytes + size > this.maxPooledBytes) {
      this.#destroy(buffer);
      return;
    }
    let list = this.#free.get(size);
    if (!list) this.#free.set(size, list = []);
    list.push(buffer);
    this.pooledBytes += size;
  }

  /** Destroys every pooled (free) buffer. */
  emptyCache() {
    for (const list of this.#free.values()) for (const b of list) this.#destroy(b);
    this.#free.clear();
    this.pooledBytes = 0;
  }
}
