/**
 * The one error style. Bad input (a file, a flag, an environment variable) throws `UserError`,
 * whose message is one line naming the culprit and the problem; every entry point prints any
 * error as one `error: …` line and exits 1 — never a stack trace (NEURAD_DEBUG=1 adds it).
 * @module
 */

/** Bad input: the message reads "WHAT: problem" on one line (a file, `--flag` or variable). */
export class UserError extends Error {
  override name = "UserError";
}

/** The single line printed for an error: `error: <first line of its message>`. */
export function errorLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return `error: ${msg.split("\n")[0]}`;
}

/** Prints `errorLine(e)` on stderr (plus the stack when NEURAD_DEBUG is set). */
export function reportError(e: unknown): void {
  console.error(errorLine(e));
  if (Deno.env.get("NEURAD_DEBUG") === "1" && e instanceof Error && e.stack) {
    console.error(e.stack);
  }
}
