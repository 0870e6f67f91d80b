// Memory accounting for leak tests and diagnostics: live tensors' buffers and bytes, pooled
// bytes, and emptying the pool.

import { pool } from "./dispatch.ts";

export interface MemoryStats {
  /** GPU buffers held by live tensors (and graph-saved views). */
  liveBuffers: number;
  /** Bytes of those buffers (by size class). */
  liveBytes: number;
  /** Bytes kept in the pool's free lists for reuse. */
  pooledBytes: number;
}

export function memoryStats(): MemoryStats {
  const p = pool();
  return { liveBuffers: p.liveBuffers, liveBytes: p.liveBytes, pooledBytes: p.pooledBytes };
}

/** Destroys the pool's free buffers (live tensors are untouched). */
export function emptyCache() {
  pool().emptyCache();
}
