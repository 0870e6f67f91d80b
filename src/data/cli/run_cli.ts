/**
 * Shared CLI wrapper for the data tools: bad input prints one line "error: FILE: problem" and
 * exits 1; never a stack trace. Unexpected errors also print one line (set NEURAD_DEBUG=1 for
 * the stack).
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** Runs `main`, mapping any thrown error to one stderr line and exit code 1. */
export async function runCli(main: () => Promise<number | void>): Promise<never> {
  try {
    const code = await main();
    Deno.exit(code ?? 0);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`error: ${msg.split("\n")[0]}`);
    if (Deno.env.get("NEURAD_DEBUG") && e instanceof Error) console.error(e.stack);
    Deno.exit(1);
  }
}

/** node:util parseArgs that reports unknown flags as a one-line usage error. */
export function parseCliArgs<T extends ParseArgsConfig["options"]>(
  options: T,
  usage: string,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: Deno.args,
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (e) {
    throw new Error(`${(e as Error).message.split("\n")[0]} (see --help)\n${usage}`);
  }
}

/** Parses a non-negative integer flag, or throws a one-line error naming the flag. */
export function intFlag(
  value: string | boolean | undefined,
  flag: string,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`--${flag} must be a non-negative integer, got "${value}"`);
  }
  return n;
}
