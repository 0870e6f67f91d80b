// The engine/application boundary, read from the sources. The engine (src/mod.ts, src/core/,
// src/kernels/, src/nn/, src/optim/) never imports the application (models, data, io, train,
// eval, detect, report, cli, demo, util) nor an npm or node: package, and touches Deno's API only
// in its platform interface (src/core/platform.ts), so it runs in a browser page unchanged. No
// import cycle exists between files (type-only imports count: they tie the code together as
// much), and none between the folders of any one folder (src/eval/metrics, postprocess, scoring,
// protocols; src/core, src/kernels, ...).

import { deepStrictEqual } from "node:assert";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../src/", import.meta.url));
const ENGINE = ["mod.ts", "core", "kernels", "nn", "optim"];
const PLATFORM = join("core", "platform.ts");

function* walk(dir: string): Generator<string> {
  for (const e of Deno.readDirSync(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* walk(p);
    else if (e.name.endsWith(".ts")) yield p;
  }
}

/** Every module specifier a file names: static, type-only, re-export and dynamic imports. */
export function specifiers(src: string): string[] {
  const out: string[] = [];
  const code = src.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/[^\n]*/g, "$1");
  for (
    const m of code.matchAll(/(?:^|[\n;])\s*(?:import|export)\b[^"'`;]*?\bfrom\s*["']([^"']+)["']/g)
  ) {
    out.push(m[1]);
  }
  for (const m of code.matchAll(/(?:^|[\n;])\s*import\s*["']([^"']+)["']/g)) out.push(m[1]);
  for (const m of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1]);
  return out;
}

const isEngine = (rel: string) => ENGINE.some((e) => rel === e || rel.startsWith(e + sep));

interface Graph {
  files: Map<string, string[]>; // relative path -> relative .ts imports
  bare: Map<string, string[]>; // relative path -> package specifiers
}

function readGraph(): Graph {
  const files = new Map<string, string[]>(), bare = new Map<string, string[]>();
  for (const f of walk(root)) {
    const rel = relative(root, f);
    const specs = specifiers(Deno.readTextFileSync(f));
    files.set(
      rel,
      specs.filter((s) => s.startsWith(".") && s.endsWith(".ts")).map((s) =>
        relative(root, join(dirname(f), s))
      ),
    );
    bare.set(rel, specs.filter((s) => !s.startsWith(".")));
  }
  return { files, bare };
}

function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], on = new Set<string>(), found: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return found;
}

/** For every folder: the graph between its direct sub-folders (files directly in it excluded). */
function folderGraphs(files: Map<string, string[]>): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  const childOf = (parent: string, file: string): string | null => {
    const rest = parent === ""
      ? file
      : file.startsWith(parent + sep)
      ? file.slice(parent.length + 1)
      : null;
    if (rest === null || !rest.includes(sep)) return null;
    return rest.split(sep)[0];
  };
  const folders = new Set<string>([""]);
  for (const f of files.keys()) {
    const parts = f.split(sep);
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join(sep));
  }
  for (const parent of folders) {
    const g = new Map<string, string[]>();
    for (const [f, deps] of files) {
      const a = childOf(parent, f);
      if (a === null) continue;
      if (!g.has(a)) g.set(a, []);
      for (const d of deps) {
        const b = childOf(parent, d);
        if (b !== null && b !== a && !g.get(a)!.includes(b)) g.get(a)!.push(b);
      }
    }
    out.set(parent, g);
  }
  return out;
}

Deno.test("engine files import no application file and no package", () => {
  const { files, bare } = readGraph();
  const bad: string[] = [];
  for (const [f, deps] of files) {
    if (!isEngine(f)) continue;
    for (const d of deps) if (!isEngine(d)) bad.push(`${f} → ${d}`);
    for (const b of bare.get(f)!) bad.push(`${f} → ${b}`);
  }
  deepStrictEqual(bad, []);
});

Deno.test("engine files use Deno's API only in the platform interface", () => {
  const bad: string[] = [];
  for (const f of walk(root)) {
    const rel = relative(root, f);
    if (!isEngine(rel) || rel === PLATFORM) continue;
    const code = Deno.readTextFileSync(f).replace(/\/\*[\s\S]*?\*\//g, "").replace(
      /\/\/[^\n]*/g,
      "",
    );
    if (/\bDeno\s*\.|globalThis\s*\.\s*Deno\b|\bprocess\s*\.\s*(env|argv|exit)\b/.test(code)) {
      bad.push(rel);
    }
  }
  deepStrictEqual(bad, []);
});

Deno.test("src/ has no import cycle between files, type-only imports included", () => {
  const found = cycles(readGraph().files).map((c) => c.join(" ↔ "));
  deepStrictEqual(found, []);
});

Deno.test("no folder of src/ has an import cycle between its sub-folders", () => {
  const found: string[] = [];
  for (const [parent, g] of folderGraphs(readGraph().files)) {
    for (const c of cycles(g)) found.push(`${parent || "src"}: ${c.join(" ↔ ")}`);
  }
  deepStrictEqual(found, []);
});

Deno.test("specifiers() finds static, type-only, re-export and dynamic imports, not comments", () => {
  const src = [
    `import { a } from "./a.ts";`,
    `import type { B } from "../b.ts";`,
    `export * from "./c.ts";`,
    `export { type D } from "./d.ts";`,
    `import "./e.ts";`,
    `const f = await import("./f.ts");`,
    `// import { g } from "./g.ts";`,
    `/* import { h } from "./h.ts"; */`,
    `import { encode } from "fast-png";`,
  ].join("\n");
  deepStrictEqual(specifiers(src), [
    "./a.ts",
    "../b.ts",
    "./c.ts",
    "./d.ts",
    "fast-png",
    "./e.ts",
    "./f.ts",
  ]);
});
