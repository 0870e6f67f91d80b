// Every message in one line, and said before anything runs: paths that must exist are refused at
// parse time naming the flag (`train --data /nonexistent` printed the whole config before an
// unnamed `realpath` error), numbers outside their range likewise (`eval --bootstrap 0`), and
// the help states the range.

import { assert, assertEquals } from "../assert.ts";
import { commandHelp, HelpRequested } from "../../src/cli/parse_args.ts";
import { COMMANDS } from "../../src/cli/commands/mod.ts";
import { main } from "../../src/cli/main.ts";
import { UserError } from "../../src/core/errors.ts";
import { tempDir } from "../temp_dir.ts";
import { writeTinyNiftiSet } from "../train/_tiny_data.ts";

const command = (name: string) => COMMANDS.find((c) => c.name === name)!;

/** The message `prepare` (parsing only, nothing runs) refuses `argv` with. */
function refusal(name: string, argv: string[]): string {
  try {
    command(name).prepare(argv);
  } catch (e) {
    if (e instanceof HelpRequested) return "help";
    assert(e instanceof UserError, `${name} ${argv.join(" ")}: ${e}`);
    return e.message;
  }
  throw new Error(`${name} ${argv.join(" ")}: accepted`);
}

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    const code = await main(argv);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

Deno.test("paths that must exist are refused at parse time, naming the flag", async () => {
  const tmp = await tempDir("neurad-messages-");
  const file = `${tmp}/a.json`;
  Deno.writeTextFileSync(file, "{}");
  const cases: [string, string[], RegExp][] = [
    [
      "train",
      ["--preset", "demo", "--data", "/nonexistent"],
      /^--data: \/nonexistent: no such folder$/,
    ],
    ["train", ["--preset", "demo", "--data", file], /^--data: .*a\.json: not a folder$/],
    [
      "train",
      ["--preset", "demo", "--data", tmp, "--config", `${tmp}/no.json`],
      /^--config: .*no\.json: no such file$/,
    ],
    [
      "train",
      ["--preset", "demo", "--data", tmp, "--config", tmp],
      /^--config: .*: a folder, not a file$/,
    ],
    [
      "train",
      ["--preset", "demo", "--data", tmp, "--lpips-weights", `${file},${tmp}/x.pth`],
      /^--lpips-weights: .*x\.pth: no such file$/,
    ],
    ["eval", ["--run", "/nonexistent"], /^--run: \/nonexistent: no such folder$/],
    ["eval", ["--run", tmp, "--data", "/nonexistent"], /^--data: \/nonexistent: no such folder$/],
    [
      "eval",
      ["--run", tmp, "--vgg-weights", "/nonexistent.pth"],
      /^--vgg-weights: \/nonexistent\.pth: no such file$/,
    ],
    ["detect", ["--run", "/nonexistent", "x.nii"], /^--run: \/nonexistent: no such folder$/],
    [
      "detect",
      ["--model", "/nonexistent.neurad", "x.nii"],
      /^--model: \/nonexistent\.neurad: no such file$/,
    ],
    [
      "export",
      ["--run", "/nonexistent", "--out", `${tmp}/m.neurad`],
      /^--run: \/nonexistent: no such folder$/,
    ],
  ];
  for (const [name, argv, re] of cases) {
    const m = refusal(name, argv);
    assert(re.test(m), `${name} ${argv.join(" ")}: ${m}`);
  }
  // Through main: one line on stderr, nothing on stdout (the config used to be printed first).
  const r = await capture(["train", "--preset", "demo", "--data", "/nonexistent"]);
  assertEquals([r.code, r.out, r.err], [1, "", "error: --data: /nonexistent: no such folder"]);
});

Deno.test("eval --bootstrap 0 is refused at parse time; the help gives the range", () => {
  assertEquals(
    refusal("eval", ["--run", "/tmp", "--bootstrap", "0"]),
    "--bootstrap: 0 is below the minimum 1",
  );
  assertEquals(refusal("eval", ["--run", "/tmp", "--bootstrap", "1", "--help"]), "help");
  const help = commandHelp(command("eval")).split("\n").find((l) => l.includes("--bootstrap N"));
  assert(help?.includes("(1..100000)"), help);
});

Deno.test("every command: --bogus is an unknown flag, named, before anything runs", () => {
  for (const c of COMMANDS) {
    const m = refusal(c.name, ["--bogus"]);
    const also = c.extraFlags ? ", or a config field without its value" : "";
    assertEquals(m, `--bogus: unknown flag for '${c.name}'${also} (see neurad ${c.name} --help)`);
  }
});

const ROOT = new URL("../../", import.meta.url).pathname;

async function tool(file: string, args: string[]) {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", file, ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr).trim() };
}

Deno.test("deno task bundle / compile: --help prints help (and builds nothing), --bogus one line", async () => {
  const tmp = await tempDir("neurad-tools-help-");
  for (const name of ["bundle", "compile"]) {
    const file = `tools/${name}.ts`;
    const help = await tool(file, ["--help", "--out", `${tmp}/${name}`]);
    assertEquals([help.code, help.err], [0, ""], `${name} --help`);
    assert(help.out.startsWith(`Usage: deno task ${name} [options]\n`), help.out);
    assert(/^ {2}-o, --out FILE /m.test(help.out) && /^ {2}-h, --help /m.test(help.out), help.out);
    assertEquals([...Deno.readDirSync(tmp)], [], `${name} --help built nothing`);
    const bogus = await tool(file, ["--bogus"]);
    assertEquals(
      [bogus.code, bogus.err],
      [1, `error: --bogus: unknown flag for '${name}' (see deno task ${name} --help)`],
    );
  }
  // Tried as neurad commands, they say where they are.
  for (const argv of [["compile", "--help"], ["help", "bundle"]]) {
    const r = await capture(argv);
    assertEquals(r.code, 1);
    const re =
      /^error: (\w+): a build step of the repository, not a neurad command: run npx deno task \1 /;
    assert(re.test(r.err), r.err);
  }
});

Deno.test("demo --out NONEMPTY / --data FOREIGN: refused before anything is built or printed", async () => {
  const tmp = await tempDir("neurad-demo-refuse-");
  Deno.mkdirSync(`${tmp}/mine`);
  Deno.writeTextFileSync(`${tmp}/mine/notes.txt`, "keep me");
  let r = await capture(["demo", "--out", `${tmp}/mine`, "--data", `${tmp}/cohort`]);
  assertEquals([r.code, r.out], [1, ""], r.err);
  assertEquals(
    r.err,
    `error: --out: ${tmp}/mine: not empty and not a demo run (notes.txt); ` +
      "choose an empty or new folder",
  );
  assertEquals([...Deno.readDirSync(tmp)].map((e) => e.name), ["mine"], "no cohort was built");
  r = await capture(["demo", "--out", `${tmp}/run`, "--data", `${tmp}/mine`]);
  assertEquals([r.code, r.out], [1, ""], r.err);
  assert(/^error: --data: .*mine: not empty and not a demo cohort \(notes\.txt\)/.test(r.err));
  assertEquals(Deno.readTextFileSync(`${tmp}/mine/notes.txt`), "keep me");
});

// ---- No internal function names in messages: the literal text of every `new UserError(…)` in
// src/ (the `${…}` parts left out) is checked against the names of the functions and methods
// defined in src/, so a message such as "loadStateDict: …" or "detectScan(): …" fails here.

function sourceFiles(dir: string): string[] {
  return [...Deno.readDirSync(dir)].flatMap((e) =>
    e.isDirectory
      ? sourceFiles(`${dir}/${e.name}`)
      : e.name.endsWith(".ts")
      ? [`${dir}/${e.name}`]
      : []
  );
}

/** The literal text of each `new UserError(...)` call in `src`: strings and template text, with
 * every `${…}` expression and all code outside strings replaced by a space. */
export function userErrorTexts(src: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  for (const m of src.matchAll(/new UserError\(/g)) {
    let i = m.index! + m[0].length, depth = 1, text = "";
    const stack: string[] = []; // open quotes, template `${`, braces
    while (i < src.length && depth > 0) {
      const c = src[i], top = stack.at(-1);
      if (top === '"' || top === "'" || top === "`") {
        if (c === "\\") {
          text += src[i + 1];
          i += 2;
          continue;
        }
        if (c === top) {
          stack.pop();
          text += " ";
        } else if (top === "`" && c === "$" && src[i + 1] === "{") {
          stack.push("${");
          text += " ";
          i++;
        } else text += c;
      } else if (c === '"' || c === "'" || c === "`") stack.push(c);
      else if (c === "{") stack.push("{");
      else if (c === "}") stack.pop();
      else if (c === "(") depth++;
      else if (c === ")") depth--;
      i++;
    }
    out.push({ line: src.slice(0, m.index).split("\n").length, text });
  }
  return out;
}

/** Names of the functions, arrow-function constants and methods defined in `src`. */
export function definedFunctionNames(src: string): Set<string> {
  const names = new Set<string>();
  const patterns = [
    /\bfunction\*?\s+([a-z]\w*)/g,
    /\b(?:const|let)\s+([a-z]\w*)\s*=\s*(?:async\s*)?(?:\([^)]*\)|\w+)\s*(?::[^=;]+)?=>/g,
    /^\s+(?:(?:async|static|private|protected|public|override)\s+)*([a-z]\w*)\s*(?:<[^>]*>)?\(/gm,
  ];
  for (const re of patterns) for (const m of src.matchAll(re)) names.add(m[1]);
  for (const k of ["if", "for", "while", "switch", "catch", "return", "function"]) names.delete(k);
  return names;
}

/** camelCase words of `text` that name a function in `names`. */
function internalNames(text: string, names: Set<string>): string[] {
  return [...text.matchAll(/\b[a-z]+[A-Z]\w*\b/g)].map((x) => x[0]).filter((w) => names.has(w));
}

Deno.test("message scan: finds a function name in UserError text, not in its ${…} expressions", () => {
  const src = `function detectScan() {}
  const loadWeights = async (p: string) => p;
  class M {
    loadStateDict(x: number) { return x; }
  }
  throw new UserError(\`\${path}: detectScan: bad \${loadWeights(p)} (\${f("x)")})\`);
  throw new UserError("loadStateDict" + \`: \${detectScan()}\`, { cause: (a) });
  throw new UserError(\`--data.sliceShape: 1×\${h} \${"not " + "loadWeights"}\`);`;
  const names = definedFunctionNames(src);
  for (const n of ["detectScan", "loadWeights", "loadStateDict"]) assert(names.has(n), n);
  const found = userErrorTexts(src).map((t) => internalNames(t.text, names));
  assertEquals(found, [["detectScan"], ["loadStateDict"], ["loadWeights"]]);
});

Deno.test("no UserError message in src/ names an internal function", () => {
  const files = sourceFiles(new URL("../../src", import.meta.url).pathname);
  const names = new Set<string>();
  const texts: [string, number, string][] = [];
  for (const f of files) {
    const src = Deno.readTextFileSync(f);
    for (const n of definedFunctionNames(src)) names.add(n);
    for (const t of userErrorTexts(src)) texts.push([f, t.line, t.text]);
  }
  assert(texts.length > 100, `${texts.length} messages found`);
  const bad = texts.flatMap(([f, line, text]) => {
    const hit = internalNames(text, names);
    return hit.length ? [`${f.slice(f.indexOf("src/"))}:${line}: ${hit.join(", ")}`] : [];
  });
  assertEquals(bad, []);
});

Deno.test("train --dry-run is not blocked by an --out that holds a run (and leaves it alone)", async () => {
  const tmp = await tempDir("neurad-dry-run-");
  await writeTinyNiftiSet(`${tmp}/data`, 4);
  Deno.mkdirSync(`${tmp}/run`);
  Deno.writeTextFileSync(`${tmp}/run/config.json`, "{}");
  Deno.writeTextFileSync(`${tmp}/run/log.jsonl`, "");
  const argv = [
    "train",
    "--preset",
    "demo",
    "--data",
    `${tmp}/data`,
    "--out",
    `${tmp}/run`,
    "--model.options.widthMultiplier",
    "0.125",
    "--data.preprocess",
    '{"smoothing":"none"}',
    "-q",
  ];
  // Without --dry-run: refused in one line naming the run, nothing printed.
  const refused = await capture(argv);
  assertEquals([refused.code, refused.out], [1, ""], refused.err);
  assert(refused.err.startsWith(`error: --out: ${tmp}/run already holds a run`), refused.err);
  // With it, the dry run goes past the run check to the data (which, to keep this test short,
  // does not fit the slice shape given: the dry run's own output is tested in
  // test/heavy/train_resume_kill_test.ts).
  const r = await capture([...argv, "--dry-run", "--data.sliceShape", "[1, 64, 64]"]);
  assertEquals(r.code, 1);
  assert(r.err.endsWith("but the config's data.sliceShape is 1×64×64 (the model is built for it)"));
  assertEquals(Deno.readTextFileSync(`${tmp}/run/config.json`), "{}", "the run is untouched");
});
