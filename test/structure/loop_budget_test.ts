// The loop budget is stated everywhere it applies: every dispatch() call in the engine passes
// its kernel's per-invocation loop bound (the fifth argument; TypeScript already requires it, and
// this also catches a call that spreads an array into the arguments), and every shader with a
// loop says in its header how it stays within llvmpipe's 65,535 loop passes per invocation
// ("Loop budget: ..."). dispatch() itself refuses bounds over the limit, and a bound of 0 for a
// kernel whose code has a loop (test/kernels/loop_limit_test.ts).

import { deepStrictEqual, ok } from "node:assert";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hasLoop } from "../../src/core/dispatch.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

function* tsFiles(dir: string): Generator<string> {
  for (const e of Deno.readDirSync(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* tsFiles(p);
    else if (e.name.endsWith(".ts")) yield p;
  }
}

const stripComments = (code: string) =>
  code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/[^\n]*/g, "$1");

/** The top-level arguments of every dispatch( call in `code`, as written. */
export function dispatchCalls(code: string): string[][] {
  const calls: string[][] = [];
  for (const m of code.matchAll(/(?<![\w.])dispatch\(/g)) {
    const args: string[] = [];
    let depth = 0, start = m.index! + m[0].length;
    for (let i = start; i < code.length; i++) {
      const c = code[i];
      if ("([{".includes(c)) depth++;
      else if (")]}".includes(c)) {
        if (depth === 0) {
          const last = code.slice(start, i).trim();
          if (last) args.push(last);
          break;
        }
        depth--;
      } else if (c === "," && depth === 0) {
        args.push(code.slice(start, i).trim());
        start = i + 1;
      }
    }
    calls.push(args);
  }
  return calls;
}

Deno.test("every dispatch() call in the engine passes a loop bound", () => {
  const offences: string[] = [];
  let calls = 0;
  for (const file of tsFiles(join(root, "src"))) {
    const code = stripComments(Deno.readTextFileSync(file));
    if (file.endsWith("core/dispatch.ts")) continue;
    for (const args of dispatchCalls(code)) {
      calls++;
      const rel = file.slice(root.length);
      if (args.length !== 5 || args.some((a) => a.startsWith("..."))) {
        offences.push(`${rel}: dispatch(${args.join(", ").slice(0, 60)}…) has ${args.length} args`);
      }
    }
  }
  ok(calls > 30, `only ${calls} dispatch() calls found`);
  deepStrictEqual(offences, []);
});

Deno.test("the parser counts a dispatch's arguments (and sees a missing bound)", () => {
  const ok5 = dispatchCalls("dispatch(SPEC, { a: f(1, 2) }, [x.buffer], grid1d(n), loopCost(k));");
  deepStrictEqual(ok5.map((a) => a.length), [5]);
  const missing = dispatchCalls("dispatch(SPEC, { a }, [x.buffer, y.buffer], [1, 2, 3],\n);");
  deepStrictEqual(missing.map((a) => a.length), [4]);
});

Deno.test("every shader with a loop states its loop budget in its header", () => {
  const missing: string[] = [];
  let looping = 0;
  for (const e of Deno.readDirSync(join(root, "shaders"))) {
    if (!e.name.endsWith(".wgsl")) continue;
    const text = Deno.readTextFileSync(join(root, "shaders", e.name));
    if (!hasLoop(text)) continue;
    looping++;
    const header = text.slice(0, text.search(/^[^/\n]/m));
    if (!/Loop budget:/.test(header)) missing.push(e.name);
  }
  ok(looping > 20, `only ${looping} shaders with loops found`);
  deepStrictEqual(missing, []);
});
