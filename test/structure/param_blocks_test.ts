// One declaration per fact, for kernel parameters: every uniform block is a ParamBlock declared
// in TypeScript (src/core/uniforms.ts makes its WGSL struct and packs its values), so no shader
// declares a uniform struct or binding of its own, no wrapper packs uniform words by
// hand-numbered index, and every shader that reads `params` names the block declaring them. A
// block's fields are checked by the WGSL compiler where a kernel reads them, its values by the
// type checker at the dispatch call.

import { deepStrictEqual, ok } from "node:assert";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const shaders = join(root, "shaders");

function* tsFiles(dir: string): Generator<string> {
  for (const e of Deno.readDirSync(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* tsFiles(p);
    else if (e.name.endsWith(".ts")) yield p;
  }
}

const stripComments = (code: string) =>
  code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/[^\n]*/g, "$1");

const BLOCK_NOTE = /\/\/ Params \((\w+) block in (src\/[\w/]+\.ts)\)/;

/** Why a shader breaks the rule (none: it keeps it). */
export function shaderOffences(name: string, text: string): string[] {
  const out: string[] = [];
  const code = stripComments(text);
  if (/\bvar\s*<\s*uniform\s*>/.test(code)) out.push(`${name}: declares a uniform binding`);
  for (const m of code.matchAll(/^\s*struct\s+(\w*Params)\b/gm)) {
    out.push(`${name}: declares struct ${m[1]}`);
  }
  if (/\bparams\.\w/.test(code) && !BLOCK_NOTE.test(text)) {
    out.push(`${name}: reads params without naming its block ("// Params (NAME block in src/…)")`);
  }
  return out;
}

/** The second argument (the parameter values) of every dispatch() call in `code`, as written. */
function dispatchValues(code: string): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(/\bdispatch\(/g)) {
    let depth = 0, arg = 0, start = -1;
    for (let i = m.index! + m[0].length; i < code.length; i++) {
      const c = code[i];
      if ("([{".includes(c)) depth++;
      else if (")]}".includes(c)) {
        if (depth === 0) break;
        depth--;
      } else if (c === "," && depth === 0) {
        if (++arg === 1) start = i + 1;
        else {
          out.push(code.slice(start, i).trim());
          break;
        }
      }
    }
  }
  return out;
}

/** Why a TypeScript module packs uniforms by hand (none: it does not). */
export function packingOffences(name: string, text: string): string[] {
  const out: string[] = [];
  const code = stripComments(text);
  const arrays = new Set(
    [...code.matchAll(/\b(\w+)\s*=\s*new\s+(?:Uint|Int|Float)(?:8|16|32)Array\b/g)].map((m) =>
      m[1]
    ),
  );
  for (const v of arrays) {
    if (new RegExp(`\\b${v}\\[\\d+\\]\\s*=(?!=)`).test(code)) {
      out.push(`${name}: writes ${v}[<number>] by hand`);
    }
    if (new RegExp(`\\b${v}\\.set\\(`).test(code)) out.push(`${name}: packs ${v} with .set()`);
  }
  if (/\.set\(\s*\[[^\]]*\]\s*,\s*\d+\s*\)/.test(code)) {
    out.push(`${name}: packs a list at a hand-numbered offset`);
  }
  if (dispatchValues(code).some((v) => /^new\s+\w*Array\b/.test(v))) {
    out.push(`${name}: passes a typed array to dispatch()`);
  }
  if (/\bvar\s*<\s*uniform\s*>/.test(code)) out.push(`${name}: declares a uniform in WGSL text`);
  return out;
}

Deno.test("no shader declares its own uniform block; each one reading params names its block", () => {
  const offences: string[] = [];
  let reading = 0;
  for (const e of Deno.readDirSync(shaders)) {
    if (!e.name.endsWith(".wgsl")) continue;
    const text = Deno.readTextFileSync(join(shaders, e.name));
    offences.push(...shaderOffences(e.name, text));
    const note = BLOCK_NOTE.exec(text);
    if (!note) continue;
    reading++;
    // The named module declares the named block.
    const [, block, path] = note;
    let ts = "";
    try {
      ts = Deno.readTextFileSync(join(root, path));
    } catch {
      offences.push(`${e.name}: ${path} does not exist`);
      continue;
    }
    if (!new RegExp(`\\bconst ${block}\\b`).test(ts) || !/\bparamBlock\(/.test(ts)) {
      offences.push(`${e.name}: ${path} declares no block ${block}`);
    }
  }
  deepStrictEqual(offences, []);
  ok(reading >= 30, `only ${reading} shaders name a block`);
});

Deno.test("no kernel wrapper packs uniform words by hand-numbered index", () => {
  const offences: string[] = [];
  let wrappers = 0;
  for (const dir of ["src/kernels", "src/core"]) {
    for (const f of tsFiles(join(root, dir))) {
      const text = Deno.readTextFileSync(f);
      if (f.endsWith("uniforms.ts")) continue;
      if (/\bdispatch\(/.test(text)) wrappers++;
      // Modules that record dispatches, and any that write WGSL text.
      if (/\bdispatch\(|@group\(/.test(text)) offences.push(...packingOffences(f, text));
    }
  }
  deepStrictEqual(offences, []);
  ok(wrappers >= 15, `only ${wrappers} wrappers found`);
});

Deno.test("the checks catch the hand-written patterns they forbid", () => {
  const oldWrapper = `
  const p = new ArrayBuffer(16 + 4 * 32);
  const u = new Uint32Array(p);
  const f = new Float32Array(p);
  u[0] = n;
  f[2] = o.s0 ?? 0;
  u.set([total, l.C, l.HW], 5);
  new Int32Array(buf).set([stride, padding], 6);
  dispatch(spec("rows", op), new Uint32Array([N, K, D, 0]), [a.buffer], [1]);`;
  deepStrictEqual(packingOffences("old.ts", oldWrapper), [
    "old.ts: writes u[<number>] by hand",
    "old.ts: packs u with .set()",
    "old.ts: writes f[<number>] by hand",
    "old.ts: packs a list at a hand-numbered offset",
    "old.ts: passes a typed array to dispatch()",
  ]);
  const newWrapper = `
  const grads: (Tensor | null)[] = [null];
  grads[0] = normBackwardInput(sx, g, sm, sv, sums, l, sa);
  dispatch(SPEC, { N, K, D }, [a.buffer], [1]);`;
  deepStrictEqual(packingOffences("new.ts", newWrapper), []);
  const oldShader = `// Bindings: 0 params, 1 X.
struct Params {
  n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
fn main() { let n = params.n; }`;
  deepStrictEqual(shaderOffences("old.wgsl", oldShader), [
    "old.wgsl: declares a uniform binding",
    "old.wgsl: declares struct Params",
    'old.wgsl: reads params without naming its block ("// Params (NAME block in src/…)")',
  ]);
  const newShader = `// Params (X block in src/kernels/x.ts): n.
fn main() { let n = params.n; }`;
  deepStrictEqual(shaderOffences("new.wgsl", newShader), []);
});
