// The checkpoints of a run directory: RUN/checkpoints/step-NNNNNNN.{safetensors,json} every
// saveEvery steps (the last K kept), last.* (always the newest) and best.* (lowest validation
// loss). Gathers the state of the models, both optimisers and the lr schedule under the
// contract's keys (model., disc., perc., optim.<group>.<param>.<slot>: m and v for Adam,
// momentum for SGD; the schedule's step in the metadata) and restores it on resume.

import type { HostTensor } from "../io/safetensors.ts";
import type { Module } from "../nn/module.ts";
import type { LrScheduler } from "../optim/lr_scheduler.ts";
import type { Optimizer } from "../optim/optimizer.ts";
import { UserError } from "../core/errors.ts";
import type { Tensor } from "../core/tensor.ts";
import {
  type CheckpointContents,
  type CheckpointMeta,
  fromHost,
  toHostMany,
  writeCheckpoint,
} from "./checkpoint_file.ts";
import { loadInto } from "./open_run.ts";
import { join } from "node:path";

export interface RunModules {
  model: Module;
  disc?: Module;
  perceptual?: Module;
  opt: Optimizer;
  discOpt?: Optimizer;
  /** The optimisers' lr schedulers (they move together: one step is saved). */
  schedulers?: LrScheduler[];
}

/** What a checkpoint holds besides the run state: tensors and the optimisers' metadata. */
export interface RunState {
  tensors: Map<string, HostTensor>;
  extra: { optim: Record<string, unknown>; lrSchedule?: { step: number } };
}

/** step-0000042 */
export function stepName(step: number): string {
  return `step-${String(step).padStart(7, "0")}`;
}

/** Everything a checkpoint holds, downloaded (readbacks happen here, at save time only). */
export async function gatherState(m: RunModules): Promise<RunState> {
  // Every tensor is listed first and read back in one round trip (one per tensor cost ≥ 11.6
  // ms each: 13 s for a small VQGAN's ~1,000 tensors with both optimisers).
  const entries: [string, Tensor][] = [];
  const add = (prefix: string, sd: Map<string, Tensor>) => {
    for (const [k, t] of sd) entries.push([prefix + k, t]);
  };
  add("model.", m.model.stateDict());
  if (m.disc) add("disc.", m.disc.stateDict());
  if (m.perceptual) add("perc.", m.perceptual.stateDict());
  const optimMeta: Record<string, unknown> = {};
  for (const opt of [m.opt, m.discOpt]) {
    if (!opt) continue;
    const sd = opt.stateDict();
    add("optim.", sd.tensors);
    optimMeta[opt.paramGroups[0].name] = sd.meta;
  }
  const host = await toHostMany(entries.map(([, t]) => t));
  const tensors = new Map<string, HostTensor>(entries.map(([k], i) => [k, host[i]]));
  const sched = m.schedulers?.[0];
  return {
    tensors,
    extra: { optim: optimMeta, ...(sched ? { lrSchedule: { step: sched.lastStep } } : {}) },
  };
}

/** Writes `name` (step-N, last or best) atomically. */
export async function saveCheckpoint(
  runDir: string,
  name: string,
  state: RunState,
  meta: Omit<CheckpointMeta, "extra" | "format">,
): Promise<string> {
  const base = join(runDir, "checkpoints", name);
  await writeCheckpoint(base, state.tensors, {
    format: "neurad-checkpoint-1",
    ...meta,
    extra: state.extra,
  });
  return `${base}.safetensors`;
}

/** Removes temp files a killed writer left in the checkpoints folder (never a finished file). */
export async function removeStaleTemps(runDir: string): Promise<void> {
  const dir = join(runDir, "checkpoints");
  for await (const e of Deno.readDir(dir)) {
    if (/\.tmp-\d+-/.test(e.name)) await Deno.remove(join(dir, e.name)).catch(() => {});
  }
}

/** Removes all but the newest `keep` step-N checkpoints. */
export async function pruneSteps(runDir: string, keep: number): Promise<void> {
  const dir = join(runDir, "checkpoints");
  const steps: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const m = /^(step-\d{7})\.safetensors$/.exec(e.name);
    if (m) steps.push(m[1]);
  }
  steps.sort();
  for (const s of steps.slice(0, Math.max(0, steps.length - keep))) {
    await Deno.remove(join(dir, `${s}.safetensors`)).catch(() => {});
    await Deno.remove(join(dir, `${s}.json`)).catch(() => {});
  }
}

/**
 * Restores models, optimisers and lr schedulers from a checkpoint; a mismatch is one line naming
 * the file. Schedulers are set after the optimisers, whose saved groups carry the lr of the
 * step they were saved at (a checkpoint without a schedule step is at its run step).
 */
export function restoreState(m: RunModules, c: CheckpointContents, path: string): void {
  loadInto(m.model, c, "model.", path);
  if (m.disc) loadInto(m.disc, c, "disc.", path);
  if (m.perceptual) loadInto(m.perceptual, c, "perc.", path);
  const optimMeta = (c.meta.extra?.optim ?? {}) as Record<string, Record<string, unknown>>;
  for (const opt of [m.opt, m.discOpt]) {
    if (opt) loadOptimizer(opt, c, optimMeta[opt.paramGroups[0].name] ?? {}, path);
  }
  const saved = c.meta.extra?.lrSchedule as { step?: number } | undefined;
  for (const s of m.schedulers ?? []) s.setStep(saved?.step ?? c.meta.step);
}

/** Loads one optimiser's `optim.<group>.` tensors and metadata. */
function loadOptimizer(
  opt: Optimizer,
  c: CheckpointContents,
  meta: Record<string, unknown>,
  path: string,
) {
  const group = opt.paramGroups[0].name;
  const tensors = new Map<string, ReturnType<typeof fromHost>>();
  for (const [k, h] of c.tensors) {
    if (k.startsWith(`optim.${group}.`)) tensors.set(k.slice(6), fromHost(h, path, k));
  }
  try {
    opt.loadStateDict({ tensors, meta });
  } catch (e) {
    throw new UserError(
      `${path}: optimiser state does not fit (${
        (e as Error).message.replace(/^neurad: (optimiser state does not fit: )?/, "").split(
          "\n",
        )[0]
      })`,
    );
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}
