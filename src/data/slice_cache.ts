/**
 * On-disk cache of preprocessed volumes, keyed by the sha256 of the input files and the resolved
 * preprocessing settings, so a second run skips straight to training. One binary file per
 * subject: a length-prefixed JSON header (dims, geometry) then the float32 image and the two
 * uint8 masks.
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic_write.ts";
import type { PreprocessedVolume } from "./preprocess/preprocess_volume.ts";
import { sha256Hex } from "./sha256.ts";

/** Bump when the pipeline's output changes for the same settings, to invalidate old entries. */
// 2: the default crop became [158, 190, 140] (RAS x, y, z; 95×79 slices), so caches made with
// the old [140, 190, 158] default (95×70 slices) are never reused.
const PIPELINE_VERSION = 2;

/** Cache key of one subject under given settings. */
export function cacheKey(
  hashes: { image: string; mask?: string },
  settings: unknown,
): Promise<string> {
  return sha256Hex(JSON.stringify({ v: PIPELINE_VERSION, hashes, settings }));
}

/** Reads a cached volume, or null when absent or unreadable (then it is recomputed). */
export async function readCached(dir: string, key: string): Promise<PreprocessedVolume | null> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(join(dir, `${key}.bin`));
  } catch {
    return null;
  }
  try {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const hlen = view.getUint32(0, true);
    const head = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + hlen)));
    const n = head.dims[0] * head.dims[1] * head.dims[2];
    let o = 4 + hlen;
    const image = new Float32Array(bytes.slice(o, o + 4 * n).buffer);
    o += 4 * n;
    const brainMask = bytes.slice(o, o + n);
    o += n;
    const lesionMask = head.hasLesion ? bytes.slice(o, o + n) : null;
    if (image.length !== n || brainMask.length !== n) return null;
    return {
      image: { data: image, dims: head.dims },
      brainMask,
      lesionMask,
      geometry: head.geometry,
    };
  } catch {
    return null;
  }
}

/** Writes a volume to the cache (atomically). */
export async function writeCached(dir: string, key: string, v: PreprocessedVolume): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const head = new TextEncoder().encode(
    JSON.stringify({ dims: v.image.dims, geometry: v.geometry, hasLesion: v.lesionMask !== null }),
  );
  const n = v.image.data.length;
  const out = new Uint8Array(4 + head.length + 4 * n + n + (v.lesionMask ? n : 0));
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  let o = 4 + head.length;
  out.set(new Uint8Array(v.image.data.buffer, v.image.data.byteOffset, 4 * n), o);
  o += 4 * n;
  out.set(v.brainMask, o);
  if (v.lesionMask) out.set(v.lesionMask, o + n);
  await writeFileAtomic(join(dir, `${key}.bin`), out);
}
