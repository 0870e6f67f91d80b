// The shape of one `neurad <command>`: its flags, positionals and entry point. Every command
// (train, eval, detect, inspect, info, demo-data, demo, bench) exports one CommandSpec; the single
// entry point (`src/cli/main.ts`) parses and validates the flags from it, prints `--help` from it,
// and runs it under the one error style (one line, exit 1).

/** How a flag's value is parsed and checked. `path` values resolve from the user's directory. */
export type FlagType = "string" | "path" | "number" | "integer" | "boolean";

export interface FlagSpec {
  type: FlagType;
  help: string;
  default?: string | number | boolean;
  /** Inclusive bounds for number/integer flags. */
  min?: number;
  max?: number;
  /** The flag may repeat; the value is then an array. */
  multiple?: boolean;
  /** One-letter alias (e.g. "o" for --out). */
  short?: string;
  /** Allowed values of a string flag. */
  choices?: readonly string[];
  /** The value's placeholder in --help (e.g. "DIR"). */
  metavar?: string;
}

export interface PositionalSpec {
  name: string;
  help: string;
  variadic?: boolean;
  required?: boolean;
  /** Resolve from the user's directory, like a `path` flag. */
  path?: boolean;
}

export type FlagValue = string | number | boolean | string[] | number[] | undefined;

export interface ParsedArgs {
  flags: Record<string, FlagValue>;
  positionals: string[];
  /** `--key value` pairs not declared in `flags`, only when the command allows them (train's
   * config-field overrides); values are raw strings for the command to validate. */
  extra: Record<string, string>;
}

export interface CommandSpec {
  name: string;
  /** One line for `neurad --help`. */
  summary: string;
  /** Longer text for `neurad <command> --help`. */
  description?: string;
  flags: Record<string, FlagSpec>;
  positionals?: PositionalSpec[];
  allowExtraFlags?: boolean;
  run(args: ParsedArgs): Promise<number | void>;
}
