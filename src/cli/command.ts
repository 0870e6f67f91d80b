/**
 * How a `neurad <command>` is declared: once, with `defineCommand`, from flag and positional
 * builders (src/cli/flags.ts, re-exported here so a command imports one module). From that one
 * declaration come the `--help` text, the parsing and its one-line errors (src/cli/parse_args.ts)
 * and the defaults, and the command's `run` receives every value by name, already typed.
 * @module
 */
import type { Args, CommandShape, FlagDecls, PositionalDecls } from "./flags.ts";
import { parseCommandArgs } from "./parse_args.ts";

export {
  type Args,
  bool,
  choice,
  type Flag,
  int,
  num,
  path,
  pathList,
  type Positional,
  positional,
  str,
} from "./flags.ts";

export interface CommandDef<F extends FlagDecls, P extends PositionalDecls>
  extends CommandShape<F, P> {
  run(args: Args<F, P>, extra: Record<string, string>): Promise<number | void>;
}

/** A declared command, as the entry point sees it. */
export interface Command extends CommandShape<FlagDecls, PositionalDecls> {
  positionals: PositionalDecls;
  /** Parses the arguments after the command name (HelpRequested on `--help`, UserError on bad
   * input) and returns the run, bound to the typed values. */
  prepare(argv: readonly string[]): () => Promise<number | void>;
}

/** Refuses a declaration the parser could not honour (a programming error, not user input). */
function checkDeclaration(d: CommandShape<FlagDecls, PositionalDecls>): void {
  const bad = (msg: string): never => {
    throw new Error(`command '${d.name}': ${msg}`);
  };
  const shorts = new Set<string>();
  const unless = new Set<string>();
  for (const [name, f] of Object.entries(d.flags)) {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) bad(`flag name '${name}'`);
    if (name === "help") bad("--help is every command's own");
    if (name.startsWith("no-")) bad(`--${name} would clash with the --no- form of booleans`);
    if (f.short !== undefined) {
      if (!/^[a-zA-Z]$/.test(f.short) || f.short === "h") bad(`--${name}: short -${f.short}`);
      if (shorts.has(f.short)) bad(`-${f.short} used twice`);
      shorts.add(f.short);
    }
    if (f.required !== undefined && f.initial() !== undefined) {
      bad(`--${name}: required and a default`);
    }
    if (typeof f.required === "object") {
      if (!Object.hasOwn(d.flags, f.required.unless)) {
        bad(`--${name}: unless --${f.required.unless}?`);
      }
      unless.add(f.required.unless);
    }
  }
  if (unless.size > 1) bad("required-unless names more than one flag");
  const ps = Object.entries(d.positionals ?? {});
  for (const [k, [key, p]] of ps.entries()) {
    if (Object.hasOwn(d.flags, key)) bad(`'${key}' is both a flag and a positional`);
    if (p.variadic && k !== ps.length - 1) bad(`${p.name}: only the last positional may repeat`);
    if (p.required && k > 0 && !ps[k - 1][1].required) {
      bad(`${p.name}: a required positional after an optional one`);
    }
  }
}

/** Declares a command: `run` receives every flag and positional, typed, by name. */
export function defineCommand<
  const F extends FlagDecls,
  const P extends PositionalDecls = Record<never, never>,
>(def: CommandDef<F, P>): Command {
  checkDeclaration(def);
  return {
    name: def.name,
    summary: def.summary,
    program: def.program,
    description: def.description,
    flags: def.flags,
    positionals: def.positionals ?? {},
    extraFlags: def.extraFlags,
    gpu: def.gpu,
    prepare(argv) {
      const { args, extra } = parseCommandArgs(def, argv);
      return () => def.run(args, extra);
    },
  };
}
