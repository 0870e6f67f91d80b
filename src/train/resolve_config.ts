// Config resolution for `neurad train`: preset → JSON file (deep-merged) → `--field value` flags
// (dotted names for nested fields, e.g. --train.lr 1e-3 --model.options.latentDim 64; a bare
// name is accepted when exactly one field has it, e.g. --lr), then validation. Every problem is
// one UserError line naming the flag or file.

import { resolve } from "node:path";
import { UserError } from "../core/errors.ts";
import { PRESET_NAMES, presetConfig } from "./presets.ts";
import type { RunConfig } from "./run_config.ts";
import { PREPROCESS_OPTION_KEYS } from "../data/preprocess/preprocess_volume.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Objects whose keys are free-form (models' own options, preprocessing options). */
const OPEN_OBJECTS = [
  "model.options",
  "discriminator.options",
  "perceptual.options",
  "lpips.options",
  "data.preprocess",
];

/** Deep merge of `over` into `base` (arrays and scalars replace); `where` names the source. */
function merge(base: Obj, over: Obj, where: string, path = ""): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const p = path ? `${path}.${k}` : k;
    const open = OPEN_OBJECTS.some((o) => path === o || path.startsWith(o + "."));
    if (
      !(k in base) && !open && !(isObj(v) && ["discriminator", "perceptual", "lpips"].includes(p))
    ) {
      throw new UserError(`${where}: unknown config field '${p}'`);
    }
    out[k] = isObj(v) && isObj(base[k]) ? merge(base[k] as Obj, v, where, p) : v;
  }
  return out;
}

/** Every leaf path of `o` (objects recursed, arrays are leaves). */
function leaves(o: Obj, path = ""): string[] {
  return Object.entries(o).flatMap(([k, v]) => {
    const p = path ? `${path}.${k}` : k;
    return isObj(v) ? leaves(v, p) : [p];
  });
}

function getPath(o: Obj, path: string): unknown {
  return path.split(".").reduce<unknown>((a, k) => (isObj(a) ? a[k] : undefined), o);
}

/** Parses a flag's raw string by the type of the value it replaces. */
function parseValue(flag: string, raw: string, current: unknown): unknown {
  if (typeof current === "number") {
    const v = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(v)) {
      throw new UserError(`${flag}: expected a number, got '${raw}'`);
    }
    return v;
  }
  if (typeof current === "boolean") {
    if (raw === "true" || raw === "") return true;
    if (raw === "false") return false;
    throw new UserError(`${flag}: expected true or false, got '${raw}'`);
  }
  if (typeof current === "string") return raw;
  try {
    return JSON.parse(raw); // arrays, objects, null, numbers of new fields
  } catch {
    if (current === undefined) return raw; // a new string option
    throw new UserError(`${flag}: expected JSON (e.g. [0.5, 0.9]), got '${raw}'`);
  }
}

/** Sets `--name value` overrides on a config (a copy is returned). */
export function applyFlags(config: RunConfig, extra: Record<string, string>): RunConfig {
  let c = structuredClone(config) as unknown as Obj;
  const all = leaves(c);
  for (const [name, raw] of Object.entries(extra)) {
    const flag = `--${name}`;
    let path = name;
    if (!name.includes(".") && !all.includes(name)) {
      const hits = all.filter((p) => p.split(".").pop() === name);
      if (hits.length !== 1) {
        throw new UserError(
          hits.length
            ? `${flag}: ambiguous, use one of ${hits.map((h) => `--${h}`).join(", ")}`
            : `${flag}: unknown flag or config field`,
        );
      }
      path = hits[0];
    }
    const value = parseValue(flag, raw, getPath(c, path));
    const over: Obj = {};
    const keys = path.split(".");
    keys.reduce((o, k, i) => (o[k] = i === keys.length - 1 ? value : {}) as Obj, over);
    c = merge(c, over, flag);
  }
  return c as unknown as RunConfig;
}

/** `p` resolved from the user's directory (INIT_CWD, else the working one), if it is a folder. */
function existingFolder(flag: string, p: string): string {
  const dir = resolve(Deno.env.get("INIT_CWD") || Deno.cwd(), p);
  let isDir = false;
  try {
    isDir = Deno.statSync(dir).isDirectory;
  } catch {
    throw new UserError(`${flag}: ${dir}: no such folder`);
  }
  if (!isDir) throw new UserError(`${flag}: ${dir}: not a folder`);
  return dir;
}

/** Reads a JSON config file and merges it over `config`. */
export async function applyJsonFile(config: RunConfig, path: string): Promise<RunConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new UserError(`${path}: cannot read config (${(e as Error).message})`);
  }
  let over: unknown;
  try {
    over = JSON.parse(text);
  } catch {
    throw new UserError(`${path}: not valid JSON`);
  }
  if (!isObj(over)) throw new UserError(`${path}: a config file must hold a JSON object`);
  if ("preset" in over || "neuradVersion" in over) {
    over = { ...over };
    delete (over as Obj).preset;
    delete (over as Obj).neuradVersion;
  }
  return merge(config as unknown as Obj, over as Obj, path) as unknown as RunConfig;
}

function num(c: Obj, path: string, o: { int?: boolean; min?: number; max?: number; gt?: number }) {
  const v = getPath(c, path);
  const bad = typeof v !== "number" || !Number.isFinite(v) || (o.int && !Number.isInteger(v)) ||
    (o.min !== undefined && v < o.min) || (o.max !== undefined && v > o.max) ||
    (o.gt !== undefined && v <= o.gt);
  if (bad) {
    const range = [
      o.int ? "an integer" : "a number",
      o.gt !== undefined ? `> ${o.gt}` : o.min !== undefined ? `≥ ${o.min}` : "",
      o.max !== undefined ? `≤ ${o.max}` : "",
    ].filter(Boolean).join(" ");
    throw new UserError(`--${path}: must be ${range}, got ${JSON.stringify(v)}`);
  }
}

function oneOf(c: Obj, path: string, allowed: readonly unknown[]) {
  const v = getPath(c, path);
  if (!allowed.includes(v)) {
    throw new UserError(
      `--${path}: must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${
        JSON.stringify(v)
      }`,
    );
  }
}

function pair(c: Obj, path: string) {
  const v = getPath(c, path);
  if (
    !Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === "number" && x >= 0 && x < 1)
  ) {
    throw new UserError(`--${path}: must be two numbers in [0, 1), got ${JSON.stringify(v)}`);
  }
}

/** The optimiser fields: its name, and SGD's Nesterov momentum only with momentum. */
function optimizer(c: Obj) {
  oneOf(c, "train.optimizer", ["adam", "adamw", "sgd"]);
  num(c, "train.momentum", { min: 0 });
  oneOf(c, "train.nesterov", [false, true]);
  const t = c.train as Obj;
  if (t.optimizer === "sgd" && t.nesterov && t.momentum === 0) {
    throw new UserError("--train.nesterov: Nesterov momentum needs --train.momentum > 0");
  }
}

/** The lr schedule: a known name and every parameter in range (unused ones too). */
function lrSchedule(c: Obj) {
  const path = "train.lrSchedule";
  if (!isObj(getPath(c, path))) {
    throw new UserError(
      `--${path}: must be an object such as {"name": "cosine"}, got ${
        JSON.stringify(getPath(c, path))
      }`,
    );
  }
  oneOf(c, `${path}.name`, ["constant", "step", "cosine"]);
  num(c, `${path}.warmupSteps`, { int: true, min: 0 });
  num(c, `${path}.warmupStartFactor`, { gt: 0, max: 1 });
  num(c, `${path}.stepSize`, { int: true, min: 1 });
  num(c, `${path}.gamma`, { gt: 0 });
  num(c, `${path}.totalSteps`, { int: true, min: 0 });
  num(c, `${path}.minFactor`, { min: 0, max: 1 });
}

/**
 * data.preprocess: only the pipeline's own options (PreprocessOptions) and the training scans'
 * voxel size `spacing` (read by detect), each in range. A misspelt key would otherwise be
 * ignored and the run silently preprocessed with the default.
 */
function preprocessOptions(c: Obj) {
  const path = "data.preprocess";
  const p = getPath(c, path);
  if (p === undefined) return;
  if (!isObj(p)) throw new UserError(`--${path}: must be an object, got ${JSON.stringify(p)}`);
  const known: readonly string[] = [...PREPROCESS_OPTION_KEYS, "spacing"];
  for (const k of Object.keys(p)) {
    if (!known.includes(k)) {
      throw new UserError(
        `--${path}.${k}: unknown preprocessing option (known: ${known.join(", ")})`,
      );
    }
  }
  const triple = (k: string, int: boolean) => {
    const v = p[k];
    if (v === undefined) return;
    if (
      !Array.isArray(v) || v.length !== 3 ||
      !v.every((x) => typeof x === "number" && x > 0 && (!int || Number.isInteger(x)))
    ) {
      throw new UserError(
        `--${path}.${k}: must be three positive ${int ? "integers" : "numbers"} (x, y, z), got ${
          JSON.stringify(v)
        }`,
      );
    }
  };
  if (p.smoothing !== undefined) {
    oneOf(c, `${path}.smoothing`, ["curvature-flow", "anisotropic-diffusion", "none"]);
  }
  if (p.smoothingIterations !== undefined) {
    num(c, `${path}.smoothingIterations`, { int: true, min: 0 });
  }
  if (p.smoothingTimeStep !== undefined) num(c, `${path}.smoothingTimeStep`, { gt: 0 });
  triple("cropSize", true);
  triple("spacing", false);
  const clip = p.clipPercentiles;
  if (
    clip !== undefined && clip !== null &&
    !(Array.isArray(clip) && clip.length === 2 &&
      clip.every((x) => typeof x === "number" && x >= 0 && x <= 100) && clip[0] < clip[1])
  ) {
    throw new UserError(
      `--${path}.clipPercentiles: must be null or [low, high] with 0 ≤ low < high ≤ 100, got ${
        JSON.stringify(clip)
      }`,
    );
  }
  if (p.scale !== undefined) num(c, `${path}.scale`, { gt: 0 });
  if (p.normalisation !== undefined) oneOf(c, `${path}.normalisation`, ["minmax", "zscore"]);
  if (p.lesionMaskThreshold !== undefined) {
    num(c, `${path}.lesionMaskThreshold`, { gt: 0, max: 1 });
  }
}

/** Checks every field's type and range; throws one line naming the first bad field. */
export function validateConfig(config: RunConfig): RunConfig {
  const c = config as unknown as Obj;
  oneOf(c, "mode", ["faithful", "corrected"]);
  if (typeof config.model?.name !== "string") throw new UserError("--model.name: missing");
  oneOf(c, "data.kind", ["nifti", "images2d"]);
  oneOf(c, "data.sampling", ["random-slice-per-volume", "all-slices", "all-images"]);
  const s = config.data.sliceShape;
  if (!Array.isArray(s) || s.length !== 3 || !s.every((d) => Number.isInteger(d) && d > 0)) {
    throw new UserError(
      `--data.sliceShape: must be [C, H, W] positive integers, got ${JSON.stringify(s)}`,
    );
  }
  num(c, "data.splitSeed", { int: true, min: 0 });
  preprocessOptions(c);
  const masks = config.data.masksDir;
  if (masks !== undefined && typeof masks !== "string") {
    throw new UserError(`--data.masksDir: must be a folder path, got ${JSON.stringify(masks)}`);
  }
  num(c, "data.maxValImages", { int: true, min: 0 });
  num(c, "train.seed", { int: true, min: 0, max: 2 ** 32 - 1 });
  num(c, "train.batchSize", { int: true, min: 1, max: 4096 });
  num(c, "train.epochs", { int: true, min: 1 });
  optimizer(c);
  num(c, "train.lr", { gt: 0 });
  num(c, "train.discLr", { gt: 0 });
  pair(c, "train.betas");
  pair(c, "train.discBetas");
  num(c, "train.weightDecay", { min: 0 });
  lrSchedule(c);
  num(c, "train.clipGradNorm", { min: 0 });
  num(c, "train.klWeight", { min: 0 });
  num(c, "train.vqWeight", { min: 0 });
  num(c, "train.discStart", { int: true, min: 0 });
  num(c, "train.discWeight", { min: 0 });
  oneOf(c, "train.ganLoss", ["hinge", "bce"]);
  num(c, "train.perceptualWeight", { min: 0 });
  num(c, "train.randomPerceptualWeight", { min: 0 });
  num(c, "train.steps", { int: true, min: 0 });
  num(c, "train.logEvery", { int: true, min: 1 });
  num(c, "train.sampleEveryEpochs", { int: true, min: 0 });
  num(c, "train.saveEvery", { int: true, min: 1 });
  num(c, "train.saveEveryMinutes", { min: 0 });
  num(c, "train.keepLast", { int: true, min: 1 });
  if (typeof config.train.lpipsWeights !== "string") {
    throw new UserError(`--train.lpipsWeights: must be a path string`);
  }
  return config;
}

export interface ResolveOptions {
  preset: string;
  faithful?: boolean;
  configFile?: string;
  dataDir?: string;
  extra?: Record<string, string>;
}

/** preset → JSON file → flags → validated RunConfig. */
export async function resolveConfig(o: ResolveOptions): Promise<RunConfig> {
  if (!(PRESET_NAMES as readonly string[]).includes(o.preset)) {
    throw new UserError(
      `--preset: unknown preset '${o.preset}' (known: ${PRESET_NAMES.join(", ")})`,
    );
  }
  let c = presetConfig(o.preset, o.faithful);
  if (o.configFile) c = await applyJsonFile(c, o.configFile);
  if (o.extra && Object.keys(o.extra).length) c = applyFlags(c, o.extra);
  if (o.dataDir) c.data.dir = o.dataDir;
  // The pairs layout's masks folder, like --data, from the user's directory, and it must exist.
  if (c.data.masksDir) c.data.masksDir = existingFolder("--data.masksDir", c.data.masksDir);
  // The mode flag sets every model's mode unless a model's own option overrides it.
  for (const ref of [c.model, c.discriminator, c.perceptual]) {
    if (ref && ref.options.mode === undefined) ref.options.mode = c.mode;
  }
  if (o.faithful) {
    c.mode = "faithful";
    for (const ref of [c.model, c.discriminator, c.perceptual]) {
      if (ref) ref.options.mode = "faithful";
    }
  }
  return validateConfig(c);
}
