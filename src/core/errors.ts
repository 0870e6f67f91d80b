/**
 * The one error style. Bad input (a file, a flag, an environment variable, a shape) throws
 * `UserError`, whose message is one line naming the culprit and the problem. Entry points print
 * any error as `errorLine(e)` and exit non-zero, never a stack trace.
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
