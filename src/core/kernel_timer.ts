// GPU-side kernel timing through `timestamp-query`: each timed dispatch gets a compute pass of
// its own with begin/end timestamps in a query set; at every submit the written queries are
// resolved and copied into a mappable buffer, read back only when timing stops, and summed per
// kernel name. Splitting passes costs a little; the timestamps measure the GPU itself, not the
// host's recording or Deno's ~12 ms sync polling, which dominate wall-clock benches of small
// kernels. Used through src/core/dispatch.ts (startKernelTiming / stopKernelTiming).

/** Total GPU time per kernel name. */
export interface KernelTime {
  name: string;
  count: number;
  ms: number;
}

const QUERIES = 4096; // two per dispatch: 2,048 dispatches between submits at most

export class KernelTimer {
  readonly querySet: GPUQuerySet;
  #names: string[] = [];
  #pending: Promise<{ names: string[]; ns: BigInt64Array | null }>[] = [];

  constructor(private device: GPUDevice) {
    if (!device.features.has("timestamp-query")) {
      throw new Error(
        "neurad: this adapter has no 'timestamp-query' feature: kernels cannot be timed",
      );
    }
    this.querySet = device.createQuerySet({ type: "timestamp", count: QUERIES });
  }

  /** Whether another dispatch fits before the next submit. */
  hasRoom(): boolean {
    return 2 * (this.#names.length + 1) <= QUERIES;
  }

  /** The first of two query indices for a dispatch of `name`, or null when the set is full. */
  reserve(name: string): number | null {
    if (2 * (this.#names.length + 1) > QUERIES) return null;
    this.#names.push(name);
    return 2 * (this.#names.length - 1);
  }

  /** Records the resolve of this submit's queries; call before finishing its encoder. */
  resolve(encoder: GPUCommandEncoder): (() => void) | null {
    const n = 2 * this.#names.length;
    if (!n) return null;
    const names = this.#names;
    this.#names = [];
    const resolved = this.device.createBuffer({
      size: n * 8,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    const read = this.device.createBuffer({
      size: n * 8,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    encoder.resolveQuerySet(this.querySet, 0, n, resolved, 0);
    encoder.copyBufferToBuffer(resolved, 0, read, 0, n * 8);
    // After the submit: map when the GPU is done (awaited only when timing stops).
    return () => {
      this.#pending.push(
        read.mapAsync(GPUMapMode.READ).then(
          () => {
            const ns = new BigInt64Array(read.getMappedRange().slice(0));
            read.destroy();
            resolved.destroy();
            return { names, ns };
          },
          () => ({ names, ns: null }),
        ),
      );
    };
  }

  /** Per-kernel totals, longest first (everything resolved so far). */
  async results(): Promise<KernelTime[]> {
    const byName = new Map<string, KernelTime>();
    for (const { names, ns } of await Promise.all(this.#pending)) {
      if (!ns) continue;
      names.forEach((name, i) => {
        const d = Number(ns[2 * i + 1] - ns[2 * i]);
        const t = byName.get(name) ?? { name, count: 0, ms: 0 };
        t.count++;
        t.ms += Math.max(0, d) / 1e6;
        byName.set(name, t);
      });
    }
    this.#pending = [];
    return [...byName.values()].sort((a, b) => b.ms - a.ms);
  }

  destroy() {
    this.querySet.destroy();
  }
}
