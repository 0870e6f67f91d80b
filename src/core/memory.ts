// Memory accounting for leak tests and diagnostics: live tensors' buffers and bytes, pooled
// bytes, their high-water marks (peak memory of a training step), and emptying the pool.

import { pool } from "./dispatch.ts";

export interface MemoryStats {
  /** GPU buffers held by live tensors (and graph-saved views). */
  liveBuffers: number;
  /** Bytes of those buffers (by size class). */
  liveBytes: number;
  /** Bytes kept in the pool's free lists for reuse. */
  pooledBytes: number;
  /** Highest liveBytes since resetPeakMemory() (or start-up). */
  peakLiveBytes: number;
  /** Highest liveBytes + pooledBytes (all the pool's GPU buffers) since resetPeakMemory(). */
  peakHeldBytes: number;
}

export function memoryStats(): MemoryStats {
  const p = pool();
  return {
    liveBuffers: p.liveBuffers,
    liveBytes: p.liveBytes,
    pooledBytes: p.pooledBytes,
    peakLiveBytes: p.peakLiveBytes,
    peakHeldBytes: p.peakHeldBytes,
  };
}

/** Restarts memoryStats()'s peaks from the current live and held bytes. */
export function resetPeakMemory() {
  pool().resetPeaks();
}

/** Destroys the pool's free buffers (live tensors are untouched). */
export function emptyCache() {
  pool().emptyCache();
}
