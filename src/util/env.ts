/**
 * Every `NEURAD_*` environment variable neurad reads, with its allowed values. Code reads them
 * through `envChoice` (a bad value throws one line naming the variable), and the CLI calls
 * `checkNeuradEnv()` first, so a misspelt name or value (`NEURAD_MATMUL=foo`) is refused, never
 * silently ignored. Adding a variable is one entry here.
 * @module
 */
import { UserError } from "./errors.ts";

export interface EnvVarSpec {
  help: string;
  /** Allowed values; an empty value counts as unset. */
  values: readonly string[];
}

export const NEURAD_ENV: Record<string, EnvVarSpec> = {
  NEURAD_MATMUL: {
    help: "matmul kernel (default tiled)",
    values: ["tiled", "tiled-scalar", "register"],
  },
  NEURAD_CONV: {
    help: "convolution gather kernel (default: per adapter)",
    values: ["direct", "gemm", "phased"],
  },
  NEURAD_NEAREST_CODE: {
    help: "nearest-code kernel (default: per adapter)",
    values: ["register", "tiled"],
  },
  NEURAD_BENCH_SIZE: { help: "benchmark shapes (default: CPU-adapter sizes)", values: ["gpu"] },
  NEURAD_DEBUG: { help: "print stack traces with errors", values: ["0", "1"] },
};

/** The value of a registered variable, or undefined when unset/empty; throws on a bad value. */
export function envChoice<T extends string>(name: string): T | undefined {
  const spec = NEURAD_ENV[name];
  if (!spec) throw new Error(`${name} is not a registered NEURAD_* variable (src/util/env.ts)`);
  const v = Deno.env.get(name);
  if (v === undefined || v === "") return undefined;
  if (!spec.values.includes(v)) {
    throw new UserError(`${name}=${v}: expected one of ${spec.values.join(", ")}`);
  }
  return v as T;
}

/** Throws a one-line UserError for an unknown NEURAD_* name or a value outside its choices. */
export function checkNeuradEnv(env: Record<string, string> = Deno.env.toObject()): void {
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith("NEURAD_")) continue;
    const spec = NEURAD_ENV[name];
    if (!spec) {
      throw new UserError(
        `${name}: unknown setting (known: ${Object.keys(NEURAD_ENV).join(", ")})`,
      );
    }
    if (value !== "" && !spec.values.includes(value)) {
      throw new UserError(`${name}=${value}: expected one of ${spec.values.join(", ")}`);
    }
  }
}
