// Temp folders for tests, all removed when the test process ends (the `unload` event fires after
// the last test of a `deno test` run, passed or failed), so no run leaves `neurad-*` in /tmp.
// The preprocessing cache of a test process (and the commands it starts, which inherit its
// environment) is one of them too, unless NEURAD_CACHE_DIR is set: tests never write to the
// user's cache folder (src/data/cache_dir.ts).

const made: string[] = [];

globalThis.addEventListener("unload", () => {
  for (const d of made) {
    try {
      Deno.removeSync(d, { recursive: true });
    } catch { /* already removed */ }
  }
});

/** A new empty folder under the system temp dir, removed at process exit. */
export async function tempDir(prefix = "neurad-test-"): Promise<string> {
  const d = await Deno.makeTempDir({ prefix });
  made.push(d);
  return d;
}

/** Synchronous {@link tempDir}. */
export function tempDirSync(prefix = "neurad-test-"): string {
  const d = Deno.makeTempDirSync({ prefix });
  made.push(d);
  return d;
}

if (!Deno.env.get("NEURAD_CACHE_DIR")) {
  Deno.env.set("NEURAD_CACHE_DIR", tempDirSync("neurad-cache-"));
}
