// The engine's modules form no import cycle (issue 9): every value import between files of
// src/ (type-only imports excluded: they vanish at run time) is read from the sources, and the
// strongly connected components of that graph must all be single files.

import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ok } from "node:assert";

const root = fileURLToPath(new URL("../../src/", import.meta.url));

function* walk(dir: string): Generator<string> {
  for (const e of Deno.readDirSync(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* walk(p);
    else if (e.name.endsWith(".ts")) yield p;
  }
}

/** Relative .ts imports of a file that load code at run time. */
export function valueImports(file: string, src: string): string[] {
  const out: string[] = [];
  const re = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*["'](\.[^"']+\.ts)["']/g;
  for (const m of src.matchAll(re)) {
    if (m[2]) continue; // import type / export type
    const names = m[3].trim();
    const braces = /^\{([\s\S]*)\}$/.exec(names);
    if (braces) {
      const items = braces[1].split(",").map((s) => s.trim()).filter(Boolean);
      if (items.length && items.every((s) => s.startsWith("type "))) continue;
    }
    out.push(join(file, "..", m[4]));
  }
  // Side-effect imports: import "./x.ts";
  for (const m of src.matchAll(/(?:^|\n)\s*import\s*["'](\.[^"']+\.ts)["']/g)) {
    out.push(join(file, "..", m[1]));
  }
  return out;
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
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(comp);
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return found;
}

Deno.test("src/ has no import cycles between engine modules", () => {
  const graph = new Map<string, string[]>();
  for (const f of walk(root)) graph.set(f, valueImports(f, Deno.readTextFileSync(f)));
  const found = cycles(graph).map((c) => c.map((f) => relative(root, f)).sort());
  ok(found.length === 0, `import cycles:\n${found.map((c) => "  " + c.join(" ↔ ")).join("\n")}`);
});
