/**
 * Every `NEURAD_*` environment variable neurad reads: the engine's kernel choices
 * (src/core/env.ts) and the application's own. The CLI calls `checkNeuradEnv()` first, so a
 * misspelt name or value (`NEURAD_MATMUL=foo`) is refused, never silently ignored. Adding a
 * variable is one entry in one of the two tables.
 * @module
 */
import { ENGINE_ENV, type EnvVarSpec } from "../core/env.ts";
import { UserError } from "../core/errors.ts";

/** An application setting; `free` ones take any value (a path), `values` holds its placeholder. */
export interface AppEnvVarSpec extends EnvVarSpec {
  free?: boolean;
}

export const NEURAD_ENV: Readonly<Record<string, AppEnvVarSpec>> = {
  ...ENGINE_ENV,
  NEURAD_CACHE_DIR: {
    help: "the preprocessing cache folder (default: the user's cache folder; neurad info)",
    values: ["DIR"],
    free: true,
  },
  NEURAD_BENCH_SIZE: { help: "benchmark shapes (default: CPU-adapter sizes)", values: ["gpu"] },
  NEURAD_DEBUG: { help: "print stack traces with errors", values: ["0", "1"] },
};

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
    if (value !== "" && !spec.free && !spec.values.includes(value)) {
      throw new UserError(`${name}=${value}: expected one of ${spec.values.join(", ")}`);
    }
  }
}
