/**
 * Where the preprocessed-volume cache (src/data/slice_cache.ts) lives: one folder per user, never
 * relative to the folder a command runs in, so every run, eval and demo on the machine shares it.
 * NEURAD_CACHE_DIR moves it; otherwise the platform's cache folder: $XDG_CACHE_HOME/neurad or
 * ~/.cache/neurad on Linux and other Unixes, ~/Library/Caches/neurad on macOS,
 * %LOCALAPPDATA%\neurad on Windows. A run's config names it `data.cacheDir`: "auto" (the presets'
 * default) is this folder, "" turns the cache off, any other path is used as given (relative to
 * the user's directory). The entries are keyed by the input files' hashes and the settings, so a
 * shared folder never mixes results.
 * @module
 */
import { isAbsolute, posix, resolve, win32 } from "node:path";

/** The config value meaning "the user's cache folder". */
export const AUTO_CACHE_DIR = "auto";

/** Where older configs put the cache (relative to the working folder); read as "auto". */
const LEGACY_DEFAULT = ".cache/neurad";

/** The user's neurad cache folder, or undefined when the environment names no home at all. */
export function userCacheDir(
  env: Record<string, string> = Deno.env.toObject(),
  os: typeof Deno.build.os = Deno.build.os,
): string | undefined {
  const from = env.INIT_CWD || Deno.cwd();
  if (env.NEURAD_CACHE_DIR) return resolve(from, env.NEURAD_CACHE_DIR);
  if (os === "windows") {
    const local = env.LOCALAPPDATA ||
      (env.USERPROFILE ? win32.join(env.USERPROFILE, "AppData", "Local") : "");
    return local ? win32.join(local, "neurad") : undefined;
  }
  const home = env.HOME;
  if (os === "darwin") return home ? posix.join(home, "Library", "Caches", "neurad") : undefined;
  const xdg = env.XDG_CACHE_HOME; // the XDG spec ignores a relative value
  if (xdg && isAbsolute(xdg)) return posix.join(xdg, "neurad");
  return home ? posix.join(home, ".cache", "neurad") : undefined;
}

/** The cache folder for a config's `data.cacheDir`, or undefined for no cache. */
export function preprocessCacheDir(configured: string): string | undefined {
  if (configured === "") return undefined;
  if (configured === AUTO_CACHE_DIR || configured === LEGACY_DEFAULT) return userCacheDir();
  return resolve(Deno.env.get("INIT_CWD") || Deno.cwd(), configured);
}
