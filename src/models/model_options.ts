// The options every model factory takes (mode, widthMultiplier), how a width multiplier rounds
// channel counts, and the one-line validation errors for bad model options.

import type { StudyMode } from "./types.ts";

export interface CommonModelOptions {
  /** `corrected` (default): what the study meant; `faithful`: what its code computed. */
  mode?: StudyMode;
  /** Scales hidden channel widths (default 1); for tests and the small demo preset. */
  widthMultiplier?: number;
}

/** The mode, defaulting to `corrected`; anything else is a one-line error. */
export function resolveMode(model: string, mode: unknown): StudyMode {
  if (mode === undefined) return "corrected";
  if (mode === "faithful" || mode === "corrected") return mode;
  throw new Error(`neurad: ${model}: mode must be "faithful" or "corrected", got ${String(mode)}`);
}

/** The width multiplier, defaulting to 1; must be a finite number > 0 (at most 4). */
export function resolveWidth(model: string, m: unknown): number {
  if (m === undefined) return 1;
  if (typeof m !== "number" || !Number.isFinite(m) || m <= 0 || m > 4) {
    throw new Error(`neurad: ${model}: widthMultiplier must be a number in (0, 4], got ${m}`);
  }
  return m;
}

/** An integer option in [lo, hi] (default `def`), or a one-line error naming it. */
export function intOption(
  model: string,
  name: string,
  v: unknown,
  def: number,
  lo: number,
  hi: number,
): number {
  if (v === undefined) return def;
  if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) {
    throw new Error(`neurad: ${model}: ${name} must be an integer in [${lo}, ${hi}], got ${v}`);
  }
  return v;
}

/** Channels c scaled by m for BatchNorm / plain conv layers: round(c·m), at least 1. */
export function scaleChannels(c: number, m: number): number {
  return Math.max(1, Math.round(c * m));
}

/**
 * Channels c scaled by m for layers under GroupNorm(groups, default 32): round(c·m / groups)·
 * groups, at least `groups`, so every group keeps a whole number of channels (m = 0.25 turns
 * 128/256/512 into 32/64/128; with 8 groups, m = 0.0625 turns them into 8/16/32).
 */
export function scaleGroupChannels(c: number, m: number, groups = 32): number {
  return Math.max(groups, Math.round((c * m) / groups) * groups);
}

/** Rejects option names the factory does not know (typos fail loudly). */
export function checkOptionNames(model: string, o: object, known: readonly string[]) {
  const all = ["mode", "widthMultiplier", ...known];
  for (const k of Object.keys(o)) {
    if (!all.includes(k)) {
      throw new Error(`neurad: ${model}: unknown option '${k}' (known: ${all.join(", ")})`);
    }
  }
}
