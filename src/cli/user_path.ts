/**
 * Where relative paths given on the command line point: the user's directory (INIT_CWD, set by
 * `deno task` and npm, else the working directory), not the project root a task runs in. Flags,
 * positionals and default paths all resolve through here.
 * @module
 */
import { resolve } from "node:path";

/** The directory relative paths given by the user are resolved from. */
export function userDir(): string {
  return Deno.env.get("INIT_CWD") || Deno.cwd();
}

/** `p` resolved from the user's directory and normalised (no trailing or doubled separators). */
export function resolveUserPath(p: string): string {
  return resolve(userDir(), p);
}
