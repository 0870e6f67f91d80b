/**
 * The declaration of one flag or positional, and the types its values reach `run` with. Each flag
 * is one builder call (`int`, `num`, `str`, `path`, `pathList`, `choice`, `bool`) that holds
 * everything about it — type, help, default, bounds, choices, an extra check, whether it is
 * required or repeatable — and each positional one `positional` call. The parser
 * (src/cli/parse_args.ts) and `--help` read only these; `Args` is what `run` receives:
 * `int({ min: 1 })` as `number | undefined`, `path({ default })` as `string`,
 * `choice(PRESET_NAMES, { required: true })` as `PresetName`, a repeatable flag as an array, a
 * variadic positional as `string[]`.
 * @module
 */
import { UserError } from "../core/errors.ts";
import { resolveUserPath } from "./user_path.ts";

/** How a flag's value is read: `boolean` flags take none (`--x`, `--no-x`, `--x=false`). */
export type FlagType = "string" | "path" | "number" | "integer" | "boolean";

/** A flag that must be given: always, or unless the flag named by `unless` is. */
export type Requirement = true | { readonly unless: string };

/** What the command receives when a flag is absent: this is only used for typing. */
export type Presence = "optional" | "required" | "default" | "multiple" | {
  readonly unless: string;
};

/** One declared flag; `T` is its value's type, `P` decides whether `run` may see it undefined. */
export interface Flag<T = unknown, P extends Presence = Presence> {
  readonly type: FlagType;
  readonly help: string;
  /** One-letter alias (`o` for `-o`). */
  readonly short?: string;
  /** The value's placeholder in `--help` (absent for boolean flags). */
  readonly metavar?: string;
  /** Inclusive bounds of a number flag, for `--help`. */
  readonly min?: number;
  readonly max?: number;
  /** The default as `--help` shows it (absent: none, or `false` for a boolean). */
  readonly defaultText?: string;
  readonly required?: Requirement;
  /** The flag may repeat; `run` receives an array. */
  readonly multiple: boolean;
  /** One given value → the flag's value, or a UserError naming `label` (the flag). */
  readonly parse: (raw: string, label: string) => T;
  /** The value when the flag is not given (defaults are resolved at parse time: paths from the
   * user's directory). */
  readonly initial: () => T | undefined;
  /** Never set: carries `P` for the types of `run`'s arguments. */
  readonly presence?: P;
}

/** One declared positional; `T` is what `run` receives (`string[]` when variadic). */
export interface Positional<T = unknown> {
  /** Its name in usage and help, e.g. `FILE`. */
  readonly name: string;
  readonly help: string;
  readonly variadic: boolean;
  readonly required: boolean;
  /** Resolved from the user's directory, like a `path` flag. */
  readonly path: boolean;
  /** Never set: carries `T` for the types of `run`'s arguments. */
  readonly value?: T;
}

/** Options every flag builder takes. */
export interface FlagOptions<T> {
  help: string;
  short?: string;
  metavar?: string;
  default?: T;
  required?: Requirement;
  multiple?: boolean;
  /** An extra rule on a given value: the problem (`"must be odd, got 4"`) or undefined. */
  check?: (value: T) => string | undefined;
}

export interface NumberOptions extends FlagOptions<number> {
  min?: number;
  max?: number;
}

type PresenceOf<O> = O extends { multiple: true } ? "multiple"
  : O extends { required: { unless: infer U extends string } } ? { unless: U }
  : O extends { required: true } ? "required"
  : O extends { default: unknown } ? "default"
  : "optional";

/** What `run` receives for one flag. */
export type FlagValue<X> = X extends Flag<infer T, infer P>
  ? P extends "multiple" ? T[] : P extends "required" | "default" ? T : T | undefined
  : never;

export type FlagDecls = Readonly<Record<string, Flag>>;
export type PositionalDecls = Readonly<Record<string, Positional>>;

type Given<F> = { -readonly [K in keyof F]: FlagValue<F[K]> };
/** The flag named by some `required: { unless }` (at most one per command). */
type UnlessTarget<F> = {
  [K in keyof F]: F[K] extends Flag<unknown, { unless: infer U extends string }> ? U : never;
}[keyof F];
/** The flags required unless that one is given. */
type UnlessKeys<F> = {
  [K in keyof F]: F[K] extends Flag<unknown, { unless: string }> ? K : never;
}[keyof F];
type Defined<F, K extends keyof F> = { -readonly [J in K]: Exclude<FlagValue<F[J]>, undefined> };

/** The flags' values: with `required: { unless: "x" }`, either `x` is undefined and those flags
 * are defined, or `x` is defined (and they may be undefined); `if (args.x === undefined)` tells
 * which. */
export type FlagArgs<F> = [UnlessTarget<F>] extends [never] ? Given<F>
  :
    | (
      & Omit<Given<F>, UnlessTarget<F> & keyof F | UnlessKeys<F>>
      & { [K in UnlessTarget<F> & keyof F]: undefined }
      & Defined<F, UnlessKeys<F>>
    )
    | (Omit<Given<F>, UnlessTarget<F> & keyof F> & Defined<F, UnlessTarget<F> & keyof F>);

export type PositionalArgs<P> = {
  -readonly [K in keyof P]: P[K] extends Positional<infer T> ? T : never;
};

/** Everything `run` receives, keyed by flag and positional names. */
export type Args<F, P> = FlagArgs<F> & PositionalArgs<P>;

/** `--key value` pairs beyond the declared flags (train's config-field overrides). */
export interface ExtraFlags {
  /** How `--help` shows them, e.g. `--<config.field> VALUE`. */
  usage: string;
  help: string;
}

/** The declarative part of a command: what parsing and `--help` read. */
export interface CommandShape<F extends FlagDecls, P extends PositionalDecls> {
  name: string;
  /** One line for `neurad --help`. */
  summary: string;
  /** How the user starts it, in usage lines and messages: `neurad` (default), or `deno task` for
   * the repository's build tools (tools/bundle.ts, tools/compile.ts). */
  program?: string;
  /** Longer text for `neurad <command> --help`. */
  description?: string;
  flags: F;
  /** In command-line order; the keys are the names `run` receives them under. */
  positionals?: P;
  /** Accept undeclared `--key value` pairs; their raw values reach `run` as `extra`. */
  extraFlags?: ExtraFlags;
  /**
   * Runs WebGPU kernels: on an adapter the test suite has not been run on, the kernels are
   * self-checked against known results first and the command is refused if they disagree.
   */
  gpu?: boolean;
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function flag<T, O extends FlagOptions<T>>(
  type: FlagType,
  o: O,
  metavar: string | undefined,
  convert: (raw: string, label: string) => T,
  extra: Partial<Pick<Flag<T>, "min" | "max" | "defaultText">> = {},
  initial: () => T | undefined = () => o.default,
): Flag<T, PresenceOf<O>> {
  const parse = (raw: string, label: string): T => {
    const v = convert(raw, label);
    const problem = o.check?.(v);
    if (problem !== undefined) throw new UserError(`${label}: ${problem}`);
    return v;
  };
  return {
    type,
    help: o.help,
    short: o.short,
    metavar: o.metavar ?? metavar,
    defaultText: o.default === undefined || o.default === false ? undefined : String(o.default),
    required: o.required,
    multiple: o.multiple === true,
    parse,
    initial,
    ...extra,
  };
}

function numberFlag<const O extends NumberOptions>(o: O, integer: boolean) {
  const kind = integer ? "an integer" : "a number";
  return flag<number, O>(integer ? "integer" : "number", o, integer ? "N" : "X", (raw, label) => {
    const n = Number(raw);
    if (!DECIMAL.test(raw) || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
      throw new UserError(`${label}: expected ${kind}, got "${raw}"`);
    }
    if (o.min !== undefined && n < o.min) {
      throw new UserError(`${label}: ${raw} is below the minimum ${o.min}`);
    }
    if (o.max !== undefined && n > o.max) {
      throw new UserError(`${label}: ${raw} is above the maximum ${o.max}`);
    }
    return n;
  }, { min: o.min, max: o.max });
}

/** An integer flag: a plain decimal, integral, within `min`..`max`. */
export function int<const O extends NumberOptions>(o: O): Flag<number, PresenceOf<O>> {
  return numberFlag(o, true);
}

/** A finite number flag: a plain decimal (no hex, Infinity or NaN), within `min`..`max`. */
export function num<const O extends NumberOptions>(o: O): Flag<number, PresenceOf<O>> {
  return numberFlag(o, false);
}

/** Free text. */
export function str<const O extends FlagOptions<string>>(o: O): Flag<string, PresenceOf<O>> {
  return flag<string, O>("string", o, "TEXT", (raw) => raw);
}

/** What a path flag must name when given: an existing file, or an existing folder. */
export type PathKind = "file" | "folder";

export interface PathOptions<T> extends FlagOptions<T> {
  /** Checked at parse time, so a wrong path is refused naming the flag before anything runs. */
  exists?: PathKind;
}

/** `p` (already resolved) when it is an existing `kind`, else a UserError naming `label`. */
export function requireExisting(p: string, kind: PathKind, label: string): string {
  let st: Deno.FileInfo;
  try {
    st = Deno.statSync(p);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new UserError(`${label}: ${p}: no such ${kind}`);
    throw new UserError(`${label}: ${p}: cannot read (${(e as Error).message})`);
  }
  if (kind === "folder" && !st.isDirectory) throw new UserError(`${label}: ${p}: not a folder`);
  if (kind === "file" && st.isDirectory) {
    throw new UserError(`${label}: ${p}: a folder, not a file`);
  }
  return p;
}

/** A file or folder, resolved from the user's directory (the default too); with `exists`, one
 * that must exist. */
export function path<const O extends PathOptions<string>>(o: O): Flag<string, PresenceOf<O>> {
  return flag<string, O>(
    "path",
    o,
    "PATH",
    (raw, label) => {
      if (raw === "") throw new UserError(`${label}: empty path`);
      const p = resolveUserPath(raw);
      return o.exists ? requireExisting(p, o.exists, label) : p;
    },
    {},
    () => (o.default === undefined ? undefined : resolveUserPath(o.default)),
  );
}

/** Comma-separated files (`a.pth,b.pth`), each resolved from the user's directory; empty items
 * are dropped, so `""` is the empty list. With `exists`, each must exist. */
export function pathList<const O extends PathOptions<string[]>>(
  o: O,
): Flag<string[], PresenceOf<O>> {
  return flag<string[], O>(
    "path",
    o,
    "PATH,...",
    (raw, label) =>
      raw.split(",").filter(Boolean).map((x) => {
        const p = resolveUserPath(x);
        return o.exists ? requireExisting(p, o.exists, label) : p;
      }),
    { defaultText: o.default?.join(",") },
    () => o.default?.map(resolveUserPath),
  );
}

/** One of `values`; `run` receives their union type. */
export function choice<
  const V extends readonly string[],
  const O extends FlagOptions<V[number]>,
>(values: V, o: O): Flag<V[number], PresenceOf<O>> {
  return flag<V[number], O>("string", o, values.join("|"), (raw, label) => {
    const v = values.find((x) => x === raw);
    if (v === undefined) {
      throw new UserError(`${label}: "${raw}" is not one of ${values.join(", ")}`);
    }
    return v;
  });
}

/** A switch: `--x` is true, `--no-x` false, `--x=true|false|1|0`; absent is the default. */
export function bool<const O extends Omit<FlagOptions<boolean>, "metavar" | "multiple">>(
  o: O,
): Flag<boolean, PresenceOf<O>> {
  return flag<boolean, O>("boolean", o, undefined, (raw, label) => {
    if (raw === "true" || raw === "1") return true;
    if (raw === "false" || raw === "0") return false;
    throw new UserError(`${label}: expected true or false, got "${raw}"`);
  });
}

export interface PositionalOptions {
  name: string;
  help: string;
  variadic?: boolean;
  required?: boolean;
  path?: boolean;
}

type PositionalValue<O> = O extends { variadic: true } ? string[]
  : O extends { required: true } ? string
  : string | undefined;

/** A positional argument (the last one may be `variadic`). */
export function positional<const O extends PositionalOptions>(
  o: O,
): Positional<PositionalValue<O>> {
  return {
    name: o.name,
    help: o.help,
    variadic: o.variadic === true,
    required: o.required === true,
    path: o.path === true,
  };
}
