// One declaration per fact, for the small facts that tend to be copied: how a shape is printed
// (formatShape) and compared (sameShape) live in src/core/shape.ts only, and numpy's quantile in
// src/util/quantile.ts only. A copy elsewhere drifts (a different separator in one message, a
// different rounding in one percentile), so this test refuses one.

import { deepStrictEqual } from "node:assert";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../src/", import.meta.url));

function* walk(dir: string): Generator<string> {
  for (const e of Deno.readDirSync(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* walk(p);
    else if (e.name.endsWith(".ts")) yield p;
  }
}

const RULES: { home: string; what: string; pattern: RegExp }[] = [
  { home: "core/shape.ts", what: "a shape formatter", pattern: /\[\$\{[\w.]+\.join\(", "\)\}\]/ },
  {
    home: "core/shape.ts",
    what: "a sameShape",
    pattern: /(?:function|const)\s+(?:sameShape|shapesEqual|eqShape)\b/,
  },
  {
    home: "util/quantile.ts",
    what: "a quantile",
    pattern: /(?:function|const)\s+(?:quantile|quantileSorted|percentile)\s*[(=<]/,
  },
];

Deno.test("shape printing, shape comparison and quantiles are each declared once in src/", () => {
  const copies: string[] = [];
  for (const f of walk(root)) {
    const rel = relative(root, f);
    const code = Deno.readTextFileSync(f).replace(/^\s*(\/\/|\*).*$/gm, "");
    for (const r of RULES) {
      if (rel !== r.home && r.pattern.test(code)) copies.push(`${rel}: ${r.what} (use ${r.home})`);
    }
  }
  deepStrictEqual(copies, []);
});
