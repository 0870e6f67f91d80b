/**
 * Atomic file writes: write to a temp file beside the target, then rename, so a crash or a
 * concurrent reader never sees a half-written NIfTI, manifest or cache entry.
 * @module
 */

let counter = 0;

/** Writes `bytes` to `path` atomically (temp file in the same directory + rename). */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}-${counter++}`;
  try {
    await Deno.writeFile(tmp, bytes);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/** Text variant of {@link writeFileAtomic}. */
export function writeTextFileAtomic(path: string, text: string): Promise<void> {
  return writeFileAtomic(path, new TextEncoder().encode(text));
}
