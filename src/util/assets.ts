/**
 * Files neurad ships (the Colin27 template): read from the repository, or from the copy embedded
 * in the single-file bundle (`deno task bundle` registers it before anything runs), so
 * `dist/neurad.js` works from any directory without the repository.
 * @module
 */

const ROOT = new URL("../../", import.meta.url);
const embedded = new Map<string, Uint8Array>();

/** Registers an embedded copy of the repository file `rel` (used by the bundle only). */
export function embedAsset(rel: string, bytes: Uint8Array): void {
  embedded.set(rel, bytes);
}

/** The bytes of the repository file `rel` (e.g. "data/colin27/colin27_t1_brain.nii.gz"). */
export async function readAsset(rel: string): Promise<Uint8Array> {
  const e = embedded.get(rel);
  if (e) return e;
  return await Deno.readFile(new URL(rel, ROOT));
}

export const COLIN27_ASSET = "data/colin27/colin27_t1_brain.nii.gz";
