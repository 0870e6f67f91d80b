/**
 * The one atomic writer: write to a uniquely named temp file beside the target, then rename, so a
 * crash or a concurrent reader never sees a half-written checkpoint, NIfTI, manifest or cache
 * entry. On any failure the temp file is removed and the target is left as it was.
 * @module
 */

let counter = 0;

/** A temp name beside `path`, unique across processes, calls and concurrent writers. */
export function tempNameBeside(path: string): string {
  const rand = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
  return `${path}.tmp-${Deno.pid}-${counter++}-${rand}`;
}

/** Writes `bytes` to `path` atomically (temp file in the same directory + rename). */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = tempNameBeside(path);
  try {
    await Deno.writeFile(tmp, bytes, { createNew: true });
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
