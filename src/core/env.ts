/**
 * The engine's `NEURAD_*` settings (kernel choices), read through the platform interface.
 * `envChoice` refuses a value outside a setting's choices with one line naming the variable. The
 * application adds its own settings to this table (src/util/env.ts) and checks the whole
 * environment at start-up, so a misspelt name or value is refused, never silently ignored.
 * @module
 */
import { UserError } from "./errors.ts";
import { platform } from "./platform.ts";

export interface EnvVarSpec {
  help: string;
  /** Allowed values; an empty value counts as unset. */
  values: readonly string[];
}

/** Settings the engine itself reads. */
export const ENGINE_ENV: Readonly<Record<string, EnvVarSpec>> = {
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
  NEURAD_DEBUG_LEAKS: {
    help: "report tensors garbage-collected without dispose(), with where they were made",
    values: ["0", "1"],
  },
};

/** The value of an engine setting, or undefined when unset/empty; throws on a bad value. */
export function envChoice<T extends string>(name: string): T | undefined {
  const spec = ENGINE_ENV[name];
  if (!spec) throw new Error(`${name} is not an engine setting (src/core/env.ts)`);
  const v = platform().env(name);
  if (v === undefined || v === "") return undefined;
  if (!spec.values.includes(v)) {
    throw new UserError(`${name}=${v}: expected one of ${spec.values.join(", ")}`);
  }
  return v as T;
}
