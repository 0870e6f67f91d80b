/**
 * Reads a command line against a command's declaration (src/cli/flags.ts) and writes its
 * `--help`. Syntax: `--flag value`, `--flag=value`, `-s value`, `--bool` / `--no-bool`, `--` to
 * end the flags; negative numbers are values (`--shift -2`), never flags. Each value is converted
 * and checked by its flag's own declaration; unknown or repeated flags, missing values, missing
 * required flags and stray arguments are refused with one line naming the flag. Paths (flags and
 * positionals) resolve from the user's directory (INIT_CWD, set by `deno task` and npm), not from
 * the project root the task runs in.
 * @module
 */
import type { Args, CommandShape, Flag, FlagDecls, PositionalDecls } from "./flags.ts";
import { resolveUserPath } from "./user_path.ts";
import { UserError } from "../core/errors.ts";

const NUMBER_LIKE = /^-(\d|\.\d)/;

/** Raised by `--help` / `-h`: the caller prints the command's help. */
export class HelpRequested extends Error {
  override name = "HelpRequested";
}

const isFlagLike = (a: string) => a.startsWith("-") && a !== "-" && !NUMBER_LIKE.test(a);

/** What a missing required flag is told. */
function missing(name: string, f: Flag): string {
  const unless = typeof f.required === "object" ? ` unless --${f.required.unless} is given` : "";
  return `--${name}: required${unless} (${f.help})`;
}

/** Parses `argv` (the arguments after the command name) for `spec`: every declared flag and
 * positional by name, typed, and the undeclared `--key value` pairs where `extraFlags` allows
 * them (raw strings for the command to validate). */
export function parseCommandArgs<F extends FlagDecls, P extends PositionalDecls>(
  spec: CommandShape<F, P>,
  argv: readonly string[],
): { args: Args<F, P>; extra: Record<string, string> } {
  const flags: FlagDecls = spec.flags;
  const given = new Map<string, unknown>();
  const lists = new Map<string, unknown[]>();
  const extra: Record<string, string> = {};
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, f] of Object.entries(flags)) if (f.short) byShort.set(f.short, name);
  const set = (name: string, f: Flag, v: unknown) => {
    if (f.multiple) {
      const list = lists.get(name) ?? [];
      list.push(v);
      lists.set(name, list);
      given.set(name, list);
    } else if (given.has(name)) throw new UserError(`--${name}: given more than once`);
    else given.set(name, v);
  };
  // `--help` wins over everything else on the line, even a bad flag before it.
  const end = argv.indexOf("--");
  if (argv.slice(0, end < 0 ? argv.length : end).some((a) => a === "--help" || a === "-h")) {
    throw new HelpRequested(spec.name);
  }
  let i = 0;
  let onlyPositionals = false;
  while (i < argv.length) {
    const arg = argv[i++];
    if (onlyPositionals || !isFlagLike(arg)) {
      positionals.push(arg);
      continue;
    }
    if (arg === "--") {
      onlyPositionals = true;
      continue;
    }
    let name: string, inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else {
      const long = arg.length === 2 ? byShort.get(arg[1]) : undefined;
      if (!long) throw new UserError(`${arg}: unknown flag (see --help)`);
      name = long;
    }
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i];
      if (next === undefined || isFlagLike(next)) throw new UserError(`--${name}: needs a value`);
      i++;
      return next;
    };
    const f = Object.hasOwn(flags, name) ? flags[name] : undefined;
    if (f?.type === "boolean") {
      set(name, f, inline === undefined ? true : f.parse(inline, `--${name}`));
    } else if (f) {
      set(name, f, f.parse(takeValue(), `--${name}`));
    } else if (name.startsWith("no-") && flags[name.slice(3)]?.type === "boolean") {
      if (inline !== undefined) throw new UserError(`--${name}: takes no value`);
      set(name.slice(3), flags[name.slice(3)], false);
    } else if (spec.extraFlags && arg.startsWith("--") && /^[a-zA-Z][\w.-]*$/.test(name)) {
      if (Object.hasOwn(extra, name)) throw new UserError(`--${name}: given more than once`);
      if (inline === undefined && (argv[i] === undefined || isFlagLike(argv[i]))) {
        throw new UserError(
          `--${name}: unknown flag for '${spec.name}', or a config field without its value ` +
            `(see ${programOf(spec)} ${spec.name} --help)`,
        );
      }
      extra[name] = takeValue();
    } else {
      throw new UserError(
        `--${name}: unknown flag for '${spec.name}' (see ${programOf(spec)} ${spec.name} --help)`,
      );
    }
  }
  const values: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(flags)) {
    if (given.has(name)) {
      values[name] = given.get(name);
      continue;
    }
    const r = f.required;
    if (r === true || (typeof r === "object" && !given.has(r.unless))) {
      throw new UserError(missing(name, f));
    }
    const d = f.initial();
    values[name] = f.multiple ? (d === undefined ? [] : [d]) : d;
  }
  Object.assign(values, readPositionals(spec, positionals));
  // The one place untyped values meet the declared types: each value above came from its own
  // flag's `parse` or `initial`, and required flags were checked, which is what Args<F, P> states.
  return { args: values as Args<F, P>, extra };
}

function readPositionals(
  spec: CommandShape<FlagDecls, PositionalDecls>,
  given: string[],
): Record<string, string | string[] | undefined> {
  const specs = Object.entries(spec.positionals ?? {});
  const variadic = specs.length > 0 && specs[specs.length - 1][1].variadic;
  if (!variadic && given.length > specs.length) {
    const stray = given[specs.length];
    throw new UserError(
      specs.length
        ? `"${stray}": unexpected extra argument for '${spec.name}' (see --help)`
        : `"${stray}": '${spec.name}' takes no arguments (see --help)`,
    );
  }
  const out: Record<string, string | string[] | undefined> = {};
  for (const [k, [key, p]] of specs.entries()) {
    const raw = p.variadic ? given.slice(k) : given.slice(k, k + 1);
    if (raw.length === 0 && p.required) {
      throw new UserError(`missing ${p.name} (usage: ${programOf(spec)} ${usageLine(spec)})`);
    }
    const values = raw.map((v) => {
      if (!p.path) return v;
      if (v === "") throw new UserError(`${p.name}: empty path`);
      return resolveUserPath(v);
    });
    out[key] = p.variadic ? values : values[0];
  }
  return out;
}

/** How the user starts `spec`: `neurad`, or `deno task` for the build tools. */
export const programOf = (spec: { program?: string }): string => spec.program ?? "neurad";

/** `name [options] POSITIONALS` */
export function usageLine(spec: CommandShape<FlagDecls, PositionalDecls>): string {
  const pos = Object.values(spec.positionals ?? {}).map((p) => {
    const s = p.variadic ? `${p.name}...` : p.name;
    return p.required ? s : `[${s}]`;
  });
  const required = Object.entries(spec.flags).filter(([, f]) => f.required === true)
    .map(([name, f]) => `--${name}${f.metavar ? ` ${f.metavar}` : ""}${f.multiple ? "..." : ""}`);
  const optional = Object.values(spec.flags).some((f) => f.required !== true) || spec.extraFlags;
  return [spec.name, ...required, optional ? "[options]" : "", ...pos].filter(Boolean).join(" ");
}

/** The text of `neurad <command> --help`. */
export function commandHelp(spec: CommandShape<FlagDecls, PositionalDecls>): string {
  const lines = [`Usage: ${programOf(spec)} ${usageLine(spec)}`, "", spec.summary];
  if (spec.description) lines.push("", spec.description.trimEnd());
  const positionals = Object.values(spec.positionals ?? {});
  if (positionals.length) {
    lines.push("", "Arguments:");
    for (const p of positionals) lines.push(`  ${p.name.padEnd(22)} ${p.help}`);
  }
  lines.push("", "Options:");
  const rows: [string, string][] = [];
  for (const [name, f] of Object.entries(spec.flags)) {
    const left = `${f.short ? `-${f.short}, ` : "    "}--${name}${
      f.metavar ? ` ${f.metavar}` : ""
    }`;
    const bits: string[] = [f.help];
    if (f.min !== undefined || f.max !== undefined) {
      bits.push(`(${f.min ?? "-∞"}..${f.max ?? "∞"})`);
    }
    if (f.defaultText !== undefined) bits.push(`[default ${f.defaultText}]`);
    const notes = [
      f.required === true ? "required" : "",
      typeof f.required === "object" ? `required unless --${f.required.unless}` : "",
      f.multiple ? "repeatable" : "",
    ].filter(Boolean);
    if (notes.length) bits.push(`(${notes.join(", ")})`);
    rows.push([left, bits.join(" ")]);
  }
  if (spec.extraFlags) rows.push([`    ${spec.extraFlags.usage}`, spec.extraFlags.help]);
  rows.push(["-h, --help", "this help"]);
  const w = Math.max(...rows.map(([l]) => l.length)) + 2;
  for (const [l, r] of rows) lines.push(`  ${l.padEnd(w)}${r}`);
  return lines.join("\n");
}
