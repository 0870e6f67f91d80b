/**
 * The engine's one door to its host. Everything the engine needs from outside WebGPU (environment
 * variables, the operating system's name, a scratch folder for the Vulkan/EGL loaders) goes
 * through `platform()`, so the engine runs unchanged in Deno and in a browser page. The default
 * implementation is picked at load: Deno when `globalThis.Deno` exists, otherwise a browser one
 * (no environment, no files). A host may install its own with `setPlatform()`.
 *
 * This is the only engine file allowed to touch Deno's API (test/structure enforces it).
 * @module
 */

/** What the engine asks of its host. */
export interface Platform {
  /** "deno" or "browser" (or a host's own name). */
  readonly name: string;
  /** The operating system: "linux", "darwin", "windows", or "browser". */
  readonly os: string;
  /** An environment variable, or undefined when unset (browsers have none). */
  env(name: string): string | undefined;
  /** Every environment variable (browsers: none). */
  envObject(): Record<string, string>;
  /** Sets an environment variable for this process; false where the host has none. */
  setEnv(name: string, value: string): boolean;
  /** A new empty folder, or null where the host has no file system or refuses. */
  makeTempDir(prefix: string): string | null;
  /** Removes a folder and its contents; silent when it is already gone. */
  removeDir(path: string): void;
}

interface DenoLike {
  build: { os: string };
  env: {
    get(k: string): string | undefined;
    set(k: string, v: string): void;
    toObject(): Record<string, string>;
  };
  makeTempDirSync(o: { prefix: string }): string;
  removeSync(p: string, o: { recursive: boolean }): void;
}

function denoPlatform(deno: DenoLike): Platform {
  return {
    name: "deno",
    os: deno.build.os,
    env: (k) => {
      try {
        return deno.env.get(k);
      } catch {
        return undefined; // no --allow-env: behave as unset
      }
    },
    envObject: () => {
      try {
        return deno.env.toObject();
      } catch {
        return {};
      }
    },
    setEnv: (k, v) => {
      try {
        deno.env.set(k, v);
        return true;
      } catch {
        return false;
      }
    },
    makeTempDir: (prefix) => {
      try {
        return deno.makeTempDirSync({ prefix });
      } catch {
        return null;
      }
    },
    removeDir: (p) => {
      try {
        deno.removeSync(p, { recursive: true });
      } catch { /* already gone */ }
    },
  };
}

/** A host with no environment and no file system: a browser page or a worker. */
export const browserPlatform: Platform = {
  name: "browser",
  os: "browser",
  env: () => undefined,
  envObject: () => ({}),
  setEnv: () => false,
  makeTempDir: () => null,
  removeDir: () => {},
};

const deno = (globalThis as unknown as { Deno?: DenoLike }).Deno;
let current: Platform = deno?.build ? denoPlatform(deno) : browserPlatform;

/** The host the engine runs on. */
export function platform(): Platform {
  return current;
}

/** Installs another host implementation (tests, embedders); returns the previous one. */
export function setPlatform(p: Platform): Platform {
  const prev = current;
  current = p;
  return prev;
}
