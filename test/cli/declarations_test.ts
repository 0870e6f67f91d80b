// Every command is one declaration (src/cli/command.ts): its `--help` shows every flag and
// argument it declares, its declared rules refuse bad input before anything runs, and no command
// reads its flags untyped — the source of src/cli/commands/ has no casts of parsed values and no
// untyped `flags` record (a reader of the source, checked against bad samples first).

import { assert, assertEquals } from "../assert.ts";
import { COMMANDS } from "../../src/cli/commands/mod.ts";
import { main } from "../../src/cli/main.ts";

const COMMANDS_DIR = new URL("../../src/cli/commands/", import.meta.url);

/** Source ways of reading a flag's value around its type: each is refused in a command. */
const UNTYPED: [RegExp, string][] = [
  [/\bas\s+(number|string|boolean|unknown|any)\b/, "cast to a primitive"],
  [/\bas\s+\(?\s*(["'])[^"'\n]*\1\s*(\||\)|;|,|$)/, "cast to a literal type"],
  [/\bas\s+[\w.[\]]+\s*\|\s*undefined\b/, "cast to an optional type"],
  [/\bas\s+(string|number|boolean)\s*\[\]/, "cast to an array"],
  [/\bflags\s*(\.|\[|\))/, "the untyped flags record"],
  [/\.flags\b|\{\s*flags\s*[,}]/, "the untyped flags record"],
  [/\.positionals\b|\{[^}]*\bpositionals\s*[,}]/, "the untyped positionals list"],
  [/\b(String|Number|Boolean)\(\s*(flags|args|f)\b/, "a flag value converted by hand"],
  [/\btypeof\s+(flags|args|f)\s*(\.|\[)/, "a flag value checked by hand"],
  [/\btype:\s*"(string|path|number|integer|boolean)"/, "a flag declared without a builder"],
];

/** Comments removed, so that prose may mention what code must not do. */
function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

/** `line: what` for every untyped read of a flag in `src`. */
export function untypedFlagReads(src: string): string[] {
  const found: string[] = [];
  for (const [k, line] of stripComments(src).split("\n").entries()) {
    const hit = UNTYPED.find(([re]) => re.test(line));
    if (hit) found.push(`${k + 1}: ${hit[1]}: ${line.trim()}`);
  }
  return found;
}

Deno.test("untypedFlagReads() finds each untyped way of reading a flag", () => {
  const bad = [
    "const n = f.steps as number;",
    "steps: flags.steps as number | undefined,",
    'checkpoint: (f.checkpoint as "best" | "last") ?? "best",',
    "const runs = (f.run as string[] | undefined) ?? [];",
    "const k = f.k as unknown as Foo;",
    "async run({ flags, positionals }) {",
    "const counts = [flags.healthy, flags.tumour];",
    "if (args.flags.quiet) {}",
    "const out = String(f.out);",
    'if (typeof f.run !== "string") throw new Error();',
    'steps: { type: "integer", min: 1, help: "n" },',
    "for (const scan of args.positionals) {}",
    "const p = x as PresetName | undefined;",
  ];
  for (const line of bad) assertEquals(untypedFlagReads(line).length, 1, line);
  const good = [
    "const msg = (e as Error).message;",
    "async run({ steps, out, quiet }) {",
    "// flags.steps as number is what this replaced",
    'steps: int({ min: 1, help: "n" }),',
    "const url = 'https://example.org/a'; // a comment",
    "post-processes the residual as 'neurad eval' did (RUN/thresholds.json)",
    'extra["train.steps"] = String(a.steps);',
  ];
  for (const line of good) assertEquals(untypedFlagReads(line), [], line);
});

Deno.test("src/cli/commands/: every command is declared with defineCommand and reads typed values", () => {
  const files = [...Deno.readDirSync(COMMANDS_DIR)].map((e) => e.name).filter((n) =>
    n.endsWith(".ts")
  ).sort();
  assert(files.length >= COMMANDS.length, files.join(", "));
  const problems: string[] = [];
  for (const name of files) {
    const src = Deno.readTextFileSync(new URL(name, COMMANDS_DIR));
    for (const p of untypedFlagReads(src)) problems.push(`${name}:${p}`);
    if (name !== "mod.ts" && !/\bdefineCommand\(/.test(src)) {
      problems.push(`${name}: no defineCommand`);
    }
  }
  assertEquals(problems, []);
});

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    return { code: await main(argv), out: out.join("\n"), err: err.join("\n") };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

Deno.test("every command has --help listing every declared flag and argument", async () => {
  assertEquals(COMMANDS.map((c) => c.name), [
    "info",
    "inspect",
    "demo-data",
    "demo",
    "train",
    "eval",
    "detect",
    "export",
    "bench",
  ]);
  for (const c of COMMANDS) {
    for (const how of [[c.name, "--help"], [c.name, "-h"], ["help", c.name]]) {
      const r = await capture(how);
      assertEquals([r.code, r.err], [0, ""], how.join(" "));
      assert(r.out.startsWith(`Usage: neurad ${c.name}`), r.out);
      for (const [name, f] of Object.entries(c.flags)) {
        const left = `${f.short ? `-${f.short}, ` : ""}--${name}${
          f.metavar ? ` ${f.metavar}` : ""
        }`;
        assert(r.out.includes(left), `${c.name} --help lacks ${left}`);
        assert(r.out.includes(f.help), `${c.name} --help lacks the help of --${name}`);
      }
      for (const p of Object.values(c.positionals)) {
        assert(r.out.includes(`  ${p.name} `), `${c.name} --help lacks ${p.name}`);
      }
      assert(r.out.includes("-h, --help"));
    }
  }
});

Deno.test("declared rules refuse bad input in one line before the command runs", async () => {
  const cases: [string[], RegExp][] = [
    [["eval"], /^error: --run: required \(run directory made by neurad train\)$/],
    [
      ["eval", "--run", ".", "--median-filter", "4"],
      /^error: --median-filter: must be odd, got 4$/,
    ],
    [["eval", "--run", ".", "--residual", "both"], /^error: --residual: "both" is not one of/],
    [["eval", "--run", "/nonexistent"], /^error: --run: \/nonexistent: no such folder$/],
    [["detect", "x.nii"], /^error: --run: required/],
    [["detect", "--run", "."], /^error: missing SCAN \(usage: neurad detect --run RUN \[options\]/],
    [["detect", "--run", ".", "--threshold", "-1", "x"], /^error: --threshold: -1 is below/],
    [["train"], /^error: --preset: required unless --resume is given/],
    [["train", "--preset", "demo"], /^error: --data: required unless --resume is given/],
    [["train", "--preset", "nope", "--data", "d"], /^error: --preset: "nope" is not one of/],
    [["train", "--resume", "r", "--steps", "0"], /^error: --steps: 0 is below the minimum 1$/],
    [["demo", "--seed", "-1"], /^error: --seed: -1 is below the minimum 0$/],
    [["inspect"], /^error: missing FILE/],
    [["bench", "--gpu=yes"], /^error: --gpu: expected true or false, got "yes"$/],
    [["info", "--json", "--json"], /^error: --json: given more than once$/],
  ];
  for (const [argv, re] of cases) {
    const r = await capture(argv);
    assert(r.code === 1 && r.out === "" && re.test(r.err), `${argv.join(" ")}: ${r.code} ${r.err}`);
  }
});
