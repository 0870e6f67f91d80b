// One home for the WGSL helpers: shaders/prelude.wgsl defines them, src/core/dispatch.ts prepends
// it to every module, and no other shader defines its own copy (a second definition
// would also fail to compile). Template specs are cached in one place (src/kernels/kernel_cache.ts),
// not in per-wrapper maps. No shader spells NaN or ±Infinity as a constant expression: Chromium's
// compiler (Tint) rejects those (the prelude makes them at run time).

import { deepStrictEqual, ok } from "node:assert";
import { fileURLToPath } from "node:url";

const shaders = fileURLToPath(new URL("../../shaders/", import.meta.url));
const kernels = fileURLToPath(new URL("../../src/kernels/", import.meta.url));

Deno.test("prelude helpers are defined once, in shaders/prelude.wgsl", () => {
  const prelude = Deno.readTextFileSync(`${shaders}prelude.wgsl`);
  const names = [...prelude.matchAll(/^fn (\w+)\(/gm)].map((m) => m[1]);
  ok(names.includes("isNan") && names.includes("linearIndex"), names.join());
  const offenders: string[] = [];
  for (const e of Deno.readDirSync(shaders)) {
    if (!e.name.endsWith(".wgsl") || e.name === "prelude.wgsl") continue;
    const src = Deno.readTextFileSync(`${shaders}${e.name}`);
    for (const n of names) if (new RegExp(`^fn ${n}\\(`, "m").test(src)) offenders.push(e.name);
    if (/\bx != x\b|\bv != v\b/.test(src)) offenders.push(`${e.name} (x != x: use isNan)`);
  }
  deepStrictEqual(offenders, []);
});

Deno.test("template kernel specs use the shared cache, not their own maps", () => {
  const own: string[] = [];
  for (const e of Deno.readDirSync(kernels)) {
    if (!e.name.endsWith(".ts") || e.name === "kernel_cache.ts") continue;
    const src = Deno.readTextFileSync(`${kernels}${e.name}`);
    if (/new Map<string, KernelSpec>/.test(src)) own.push(e.name);
  }
  deepStrictEqual(own, []);
});

Deno.test("no kernel spells NaN or ±Infinity as a constant expression (Tint rejects it)", () => {
  // A literal bit pattern of a non-finite f32 (exponent all ones) bit-cast to f32, or a division
  // of a literal by zero, outside comments.
  const nonFinite = /bitcast<f32>\(\s*0x[7f][89a-f][0-9a-f]{6}u?\s*\)|\d\.?\d*\s*\/\s*0\.0\b/i;
  const offenders: string[] = [];
  const scan = (dir: string, ext: string) => {
    for (const e of Deno.readDirSync(dir)) {
      if (!e.name.endsWith(ext)) continue;
      const code = Deno.readTextFileSync(`${dir}${e.name}`).split("\n")
        .map((line) => line.replace(/\/\/.*$/, ""));
      code.forEach((line, i) => {
        if (nonFinite.test(line)) offenders.push(`${e.name}:${i + 1}: ${line.trim()}`);
      });
    }
  };
  scan(shaders, ".wgsl");
  scan(kernels, ".ts");
  deepStrictEqual(offenders, []);
});
