// Runs `neurad` (src/cli/main.ts, or any entry file) in a subprocess for the CLI tests.

export const DENO = Deno.execPath();
export const MAIN = new URL("../../src/cli/main.ts", import.meta.url).pathname;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `deno run -A <entry> ...args` with extra environment (`null` removes a variable). */
export async function runNeurad(
  args: string[],
  o: { env?: Record<string, string | null>; cwd?: string; entry?: string } = {},
): Promise<Run> {
  const env = Deno.env.toObject();
  for (const [k, v] of Object.entries(o.env ?? {})) {
    if (v === null) delete env[k];
    else env[k] = v;
  }
  const out = await new Deno.Command(DENO, {
    args: ["run", "-A", "--no-check", o.entry ?? MAIN, ...args],
    env,
    clearEnv: true,
    cwd: o.cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Asserts a failed run printed exactly one `error:` line matching `re` and exited 1. */
export function assertOneLineError(r: Run, re: RegExp): void {
  const lines = r.stderr.trim().split("\n");
  if (r.code !== 1 || lines.length !== 1 || !lines[0].startsWith("error: ") || !re.test(lines[0])) {
    throw new Error(`expected one error line matching ${re}, exit 1; got ${r.code}: ${r.stderr}`);
  }
}
