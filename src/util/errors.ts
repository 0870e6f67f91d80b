/**
 * How the application reports an error: one `error: …` line on stderr (the engine's
 * `errorLine`), plus the stack when NEURAD_DEBUG=1.
 * @module
 */
import { errorLine } from "../core/errors.ts";

/** Prints `errorLine(e)` on stderr (plus the stack when NEURAD_DEBUG is set). */
export function reportError(e: unknown): void {
  console.error(errorLine(e));
  if (Deno.env.get("NEURAD_DEBUG") === "1" && e instanceof Error && e.stack) {
    console.error(e.stack);
  }
}
