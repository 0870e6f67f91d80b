// Byte-for-byte comparison of two checkpoints (every tensor: weights, optimiser moments), the
// check behind every exact-resume test.

import { deepStrictEqual, ok } from "node:assert";
import { readCheckpoint } from "../../src/train/checkpoint_file.ts";

/** Asserts that checkpoints `a` and `b` hold the same tensors, bit for bit, and RNG state. */
export async function assertSameCheckpoint(a: string, b: string): Promise<void> {
  const x = await readCheckpoint(a), y = await readCheckpoint(b);
  deepStrictEqual(x.meta.step, y.meta.step, "step");
  deepStrictEqual([...y.tensors.keys()], [...x.tensors.keys()]);
  for (const [k, h] of x.tensors) {
    const p = new Uint8Array(h.data.buffer, h.data.byteOffset, h.data.byteLength);
    const g = y.tensors.get(k)!.data;
    const q = new Uint8Array(g.buffer, g.byteOffset, g.byteLength);
    ok(p.length === q.length && p.every((v, i) => v === q[i]), `${k} differs after resume`);
  }
  deepStrictEqual(y.meta.rng, x.meta.rng);
}
