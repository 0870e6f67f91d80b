// The docs match the CLI and the repository: every `--flag` that README.md, data/README.md and
// docs/*.md show with `neurad <command>` or `deno task <command>` is declared by that command (or
// is one of train's config fields), every `--flag` shown on its own in code is declared by some
// command, and every relative link or repository path they cite exists. (README.md promised a
// pairs layout through `--images DIR --masks DIR`, flags no command had.)

import { assert, assertEquals } from "../assert.ts";
import type { Command } from "../../src/cli/command.ts";
import { COMMANDS } from "../../src/cli/commands/mod.ts";
import { bundleCommand } from "../../tools/bundle.ts";
import { compileCommand } from "../../tools/compile.ts";
import { applyFlags } from "../../src/train/resolve_config.ts";
import { PRESET_NAMES, presetConfig } from "../../src/train/presets.ts";
import { UserError } from "../../src/core/errors.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** The Markdown files whose promises are checked, relative to the root. */
export function docFiles(): string[] {
  const docs = [...Deno.readDirSync(`${ROOT}docs`)].map((e) => e.name)
    .filter((n) => n.endsWith(".md")).sort().map((n) => `docs/${n}`);
  return ["README.md", "BENCHMARKS.md", "data/README.md", ...docs];
}

/** Every piece of code in `md`: inline code spans and the lines of fenced blocks, with the line
 * number each starts on. */
export function codeSpans(md: string): { line: number; code: string }[] {
  const out: { line: number; code: string }[] = [];
  const lines = md.split("\n");
  let fence = false;
  for (const [i, l] of lines.entries()) {
    if (/^\s*```/.test(l)) {
      fence = !fence;
      continue;
    }
    if (fence) {
      out.push({ line: i + 1, code: l });
      continue;
    }
    for (const m of l.matchAll(/(`+)(.+?)\1/g)) out.push({ line: i + 1, code: m[2] });
  }
  return out;
}

/** The commands everything is checked against: neurad's and the build tasks. */
const ALL: readonly Command[] = [...COMMANDS, bundleCommand, compileCommand];
const byName = new Map(ALL.map((c) => [c.name, c]));

/** Flags shown alone that are not neurad's: the parser's placeholders in docs/cli.md (`--flag`,
 * `--x`, `--key`, `--shift`) and other programs' (Slurm's `sbatch --array`, the peer benchmark
 * scripts' `--check` in BENCHMARKS.md). */
const NOT_NEURAD = new Set(["flag", "no-flag", "x", "key", "shift", "array", "check"]);

/** Whether `--name` is accepted by `c` (declared, --no- of a boolean, --help, a config field). */
export function accepts(c: Command, name: string): boolean {
  if (name === "help" || name === "version" || Object.hasOwn(c.flags, name)) return true;
  if (name.startsWith("no-") && c.flags[name.slice(3)]?.type === "boolean") return true;
  return c.extraFlags !== undefined && isConfigField(name);
}

/** A name `neurad train --NAME VALUE` sets in some preset's config. */
function isConfigField(name: string): boolean {
  return PRESET_NAMES.some((p) => {
    try {
      applyFlags(presetConfig(p), { [name]: "1" });
      return true;
    } catch (e) {
      return !(e instanceof UserError &&
        /unknown (flag or )?config field|ambiguous/.test(e.message));
    }
  });
}

const INVOCATION = /\b(?:neurad|deno task(?: neurad)?)\s+([a-z][a-z0-9-]*)/g;

/** `[command, flag]` of every `--flag` written after `neurad CMD` / `deno task CMD` in `code`,
 * up to the next `&&`, `|`, `;` or invocation; and the flags written with no command before. */
export function flagMentions(code: string): { command?: string; flag: string }[] {
  const out: { command?: string; flag: string }[] = [];
  const flagsIn = (s: string) =>
    [...s.matchAll(/(?:^|[\s[(=])--([a-z][a-zA-Z0-9]*(?:[.-][a-zA-Z0-9]+)*)(?![\w-])/g)]
      .map((m) => m[1]);
  const starts = [...code.matchAll(INVOCATION)];
  const head = code.slice(0, starts[0]?.index ?? code.length);
  if (/^\s*\[?--/.test(head)) {
    for (const flag of flagsIn(head.split(/&&|\||;/)[0])) out.push({ flag });
  }
  for (const [k, m] of starts.entries()) {
    const end = starts[k + 1]?.index ?? code.length;
    const tail = code.slice(m.index! + m[0].length, end).split(/&&|\|\||\s\|\s|;/)[0];
    for (const flag of flagsIn(tail)) out.push({ command: m[1], flag });
  }
  return out;
}

Deno.test("flagMentions(): flags after their command, and flags shown alone", () => {
  assertEquals(flagMentions("npx deno task train --preset demo --data d && neurad eval --run r"), [
    { command: "train", flag: "preset" },
    { command: "train", flag: "data" },
    { command: "eval", flag: "run" },
  ]);
  assertEquals(flagMentions("--images DIR --masks DIR"), [{ flag: "images" }, { flag: "masks" }]);
  assertEquals(flagMentions("deno run -A neurad.js --help"), []);
  assertEquals(flagMentions("neurad detect --run RUN DIR --out DIR --shard K/N"), [
    { command: "detect", flag: "run" },
    { command: "detect", flag: "out" },
    { command: "detect", flag: "shard" },
  ]);
  const train = byName.get("train")!;
  assert(accepts(train, "no-faithful") && accepts(train, "data.cacheDir") && accepts(train, "lr"));
  assert(!accepts(train, "images") && !accepts(train, "masks") && !accepts(train, "data.masks"));
});

Deno.test("every --flag the docs show exists on its command", () => {
  const bad: string[] = [];
  let checked = 0;
  for (const file of docFiles()) {
    for (const { line, code } of codeSpans(Deno.readTextFileSync(`${ROOT}${file}`))) {
      for (const { command, flag } of flagMentions(code)) {
        checked++;
        const c = command === undefined ? undefined : byName.get(command);
        if (command !== undefined && c === undefined) continue; // deno's own tasks (test, fmt…)
        const ok = c ? accepts(c, flag) : NOT_NEURAD.has(flag) || ALL.some((x) => accepts(x, flag));
        if (!ok) bad.push(`${file}:${line}: ${command ? `${command} ` : ""}--${flag}`);
      }
    }
  }
  assert(checked > 50, `${checked} flag mentions found`);
  if (Deno.env.get("SHOW")) console.log(bad.join("\n"));
  assertEquals(bad, []);
});

/** Top-level folders and files whose paths the docs cite. */
const REPO_PATH =
  /^(?:src|docs|test|tools|bench|shaders|data|\.ci|\.github|web)\/[\w@.+/-]*[\w/]$|^[A-Z][\w-]*\.md$|^(?:deno|package)\.json$/;

/** Repository paths `md` cites: relative link targets (resolved from `dir`) and code spans that
 * are a path under a top-level folder; generated ones (data/demo/, data/demo-2d/, runs/, dist/) and patterns
 * (`*`, `<…>`, `NAME`, `…`) are not files to check. */
export function citedPaths(md: string, dir: string): { line: number; path: string }[] {
  const out: { line: number; path: string }[] = [];
  const norm = (p: string) => {
    const parts: string[] = [];
    for (const x of p.split("/")) {
      if (x === "..") parts.pop();
      else if (x !== "." && x !== "") parts.push(x);
    }
    return parts.join("/");
  };
  for (const [i, l] of md.split("\n").entries()) {
    for (const m of l.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1].split("#")[0];
      if (target === "" || /^[a-z]+:/i.test(target)) continue;
      out.push({ line: i + 1, path: norm(`${dir}/${target}`) });
    }
  }
  for (const { line, code } of codeSpans(md)) {
    for (const word of code.split(/[\s,;()]+/)) {
      const p = word.replace(/[.:]$/, "").replace(/:\d+$/, "");
      if (!REPO_PATH.test(p) || /[*<>{}]|\.\.\.|…|[A-Z]{4,}/.test(p)) continue;
      if (/^(data\/demo(-2d)?|runs|dist)(\/|$)/.test(p)) continue; // made by commands, not in git
      out.push({ line, path: p.replace(/\/$/, "") });
    }
  }
  return out;
}

Deno.test("citedPaths(): links from the file's folder, code spans from the root", () => {
  const md = "see [cli](cli.md#flags), [up](../README.md), [web](https://x.org/a.md)\n" +
    "`src/cli/main.ts`, `deno task x`, `data/demo/ixi/`, `data/demo`, `data/demo-2d/glioma`, " +
    "`src/*/mod.ts`, `test/cli/`";
  assertEquals(citedPaths(md, "docs").map((x) => x.path), [
    "docs/cli.md",
    "README.md",
    "src/cli/main.ts",
    "test/cli",
  ]);
});

Deno.test("every file or folder the docs cite is in the repository", () => {
  const bad: string[] = [];
  let checked = 0;
  for (const file of docFiles()) {
    const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : ".";
    for (const { line, path } of citedPaths(Deno.readTextFileSync(`${ROOT}${file}`), dir)) {
      checked++;
      try {
        Deno.statSync(`${ROOT}${path}`);
      } catch {
        bad.push(`${file}:${line}: ${path}`);
      }
    }
  }
  if (Deno.env.get("SHOW")) console.log(bad.join("\n"));
  assert(checked > 100, `${checked} citations found`);
  assertEquals(bad, []);
});
