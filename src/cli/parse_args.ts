/**
 * Parses and validates a command line against a CommandSpec: `--flag value`, `--flag=value`,
 * `-s value`, `--bool` / `--no-bool`, `--` to end the flags. Numbers must be plain decimals in
 * their bounds, integers integral; unknown flags, missing values and stray arguments are refused
 * with one line naming the flag. Negative numbers are values (`--shift -2`), never flags. `path`
 * flags and positionals resolve from the user's directory (INIT_CWD, set by `deno task` and npm),
 * not from the project root the task runs in.
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import type { CommandSpec, FlagSpec, FlagValue, ParsedArgs } from "./command.ts";
import { UserError } from "../core/errors.ts";

/** The directory relative paths given by the user are resolved from. */
export function userDir(): string {
  return Deno.env.get("INIT_CWD") || Deno.cwd();
}

/** `p` resolved from the user's directory (absolute paths unchanged). */
export function resolveUserPath(p: string): string {
  return isAbsolute(p) ? p : resolve(userDir(), p);
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const NUMBER_LIKE = /^-(\d|\.\d)/;

/** Raised by `--help` / `-h`: the caller prints the command's help. */
export class HelpRequested extends Error {
  override name = "HelpRequested";
}

function convert(name: string, spec: FlagSpec, raw: string): string | number {
  const flag = `--${name}`;
  switch (spec.type) {
    case "number":
    case "integer": {
      const kind = spec.type === "integer" ? "an integer" : "a number";
      if (!DECIMAL.test(raw)) throw new UserError(`${flag}: expected ${kind}, got "${raw}"`);
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new UserError(`${flag}: expected ${kind}, got "${raw}"`);
      if (spec.type === "integer" && !Number.isInteger(n)) {
        throw new UserError(`${flag}: expected an integer, got "${raw}"`);
      }
      if (spec.min !== undefined && n < spec.min) {
        throw new UserError(`${flag}: ${raw} is below the minimum ${spec.min}`);
      }
      if (spec.max !== undefined && n > spec.max) {
        throw new UserError(`${flag}: ${raw} is above the maximum ${spec.max}`);
      }
      return n;
    }
    case "path":
      if (raw === "") throw new UserError(`${flag}: empty path`);
      return resolveUserPath(raw);
    case "string":
      if (spec.choices && !spec.choices.includes(raw)) {
        throw new UserError(`${flag}: "${raw}" is not one of ${spec.choices.join(", ")}`);
      }
      return raw;
    default:
      throw new Error(`${flag}: a ${spec.type} flag takes no value`);
  }
}

function parseBool(flag: string, raw: string): boolean {
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw new UserError(`${flag}: expected true or false, got "${raw}"`);
}

/** Parses `argv` (the arguments after the command name) for `spec`. */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const flags: Record<string, FlagValue> = {};
  const extra: Record<string, string> = {};
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, f] of Object.entries(spec.flags)) if (f.short) byShort.set(f.short, name);
  const set = (name: string, f: FlagSpec, v: string | number | boolean) => {
    if (f.multiple) {
      const arr = (flags[name] ?? []) as (string | number)[];
      arr.push(v as string | number);
      flags[name] = arr as string[] | number[];
    } else if (flags[name] !== undefined) {
      throw new UserError(`--${name}: given more than once`);
    } else flags[name] = v;
  };
  let i = 0;
  let onlyPositionals = false;
  while (i < argv.length) {
    const arg = argv[i++];
    if (onlyPositionals || arg === "-" || !arg.startsWith("-") || NUMBER_LIKE.test(arg)) {
      positionals.push(arg);
      continue;
    }
    if (arg === "--") {
      onlyPositionals = true;
      continue;
    }
    if (arg === "--help" || arg === "-h") throw new HelpRequested(spec.name);
    let name: string, inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else {
      if (arg.length !== 2) throw new UserError(`${arg}: unknown flag (see --help)`);
      const long = byShort.get(arg[1]);
      if (!long) throw new UserError(`${arg}: unknown flag (see --help)`);
      name = long;
    }
    let f = spec.flags[name];
    if (!f && name.startsWith("no-") && spec.flags[name.slice(3)]?.type === "boolean") {
      if (inline !== undefined) throw new UserError(`--${name}: takes no value`);
      set(name.slice(3), spec.flags[name.slice(3)], false);
      continue;
    }
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i];
      if (next === undefined || (next.startsWith("-") && next !== "-" && !NUMBER_LIKE.test(next))) {
        throw new UserError(`--${name}: needs a value`);
      }
      i++;
      return next;
    };
    if (!f) {
      if (spec.allowExtraFlags && arg.startsWith("--") && /^[a-zA-Z][\w.-]*$/.test(name)) {
        if (name in extra) throw new UserError(`--${name}: given more than once`);
        extra[name] = takeValue();
        continue;
      }
      throw new UserError(
        `--${name}: unknown flag for '${spec.name}' (see neurad ${spec.name} --help)`,
      );
    }
    f = f as FlagSpec;
    if (f.type === "boolean") {
      set(name, f, inline === undefined ? true : parseBool(`--${name}`, inline));
    } else set(name, f, convert(name, f, takeValue()));
  }
  for (const [name, f] of Object.entries(spec.flags)) {
    if (flags[name] !== undefined || f.default === undefined) continue;
    const d = f.default;
    flags[name] = f.type === "path" && typeof d === "string" ? resolveUserPath(d) : d;
    if (f.multiple) flags[name] = [flags[name]] as string[] | number[];
  }
  return { flags, positionals: checkPositionals(spec, positionals), extra };
}

function checkPositionals(spec: CommandSpec, given: string[]): string[] {
  const specs = spec.positionals ?? [];
  const variadic = specs.length > 0 && specs[specs.length - 1].variadic;
  if (!variadic && given.length > specs.length) {
    const stray = given[specs.length];
    throw new UserError(
      specs.length
        ? `"${stray}": unexpected extra argument for '${spec.name}' (see --help)`
        : `"${stray}": '${spec.name}' takes no arguments (see --help)`,
    );
  }
  const out: string[] = [];
  for (const [k, p] of specs.entries()) {
    const values = p.variadic ? given.slice(k) : given.slice(k, k + 1);
    if (values.length === 0 && p.required) {
      throw new UserError(`missing ${p.name} (usage: neurad ${usageLine(spec)})`);
    }
    for (const v of values) out.push(p.path ? resolveUserPath(v) : v);
  }
  return out;
}

/** `name [--flags] POSITIONALS` */
export function usageLine(spec: CommandSpec): string {
  const pos = (spec.positionals ?? []).map((p) => {
    const s = p.variadic ? `${p.name}...` : p.name;
    return p.required ? s : `[${s}]`;
  });
  return [spec.name, Object.keys(spec.flags).length ? "[options]" : "", ...pos]
    .filter(Boolean).join(" ");
}

/** The text of `neurad <command> --help`. */
export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: neurad ${usageLine(spec)}`, "", spec.summary];
  if (spec.description) lines.push("", spec.description.trimEnd());
  if (spec.positionals?.length) {
    lines.push("", "Arguments:");
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(22)} ${p.help}`);
  }
  lines.push("", "Options:");
  const rows: [string, string][] = [];
  for (const [name, f] of Object.entries(spec.flags)) {
    const meta = f.type === "boolean"
      ? ""
      : ` ${f.metavar ?? (f.choices ? f.choices.join("|") : f.type.toUpperCase())}`;
    const left = `${f.short ? `-${f.short}, ` : "    "}--${name}${meta}`;
    const bits: string[] = [f.help];
    if (f.min !== undefined || f.max !== undefined) {
      bits.push(`(${f.min ?? "-∞"}..${f.max ?? "∞"})`);
    }
    if (f.default !== undefined && f.default !== false) bits.push(`[default ${f.default}]`);
    if (f.multiple) bits.push("(repeatable)");
    rows.push([left, bits.join(" ")]);
  }
  rows.push(["-h, --help", "this help"]);
  const w = Math.max(...rows.map(([l]) => l.length)) + 2;
  for (const [l, r] of rows) lines.push(`  ${l.padEnd(w)}${r}`);
  return lines.join("\n");
}
