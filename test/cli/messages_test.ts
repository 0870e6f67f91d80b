// Every message in one line, and said before anything runs: paths that must exist are refused at
// parse time naming the flag (`train --data /nonexistent` printed the whole config before an
// unnamed `realpath` error), numbers outside their range likewise (`eval --bootstrap 0`), and
// the help states the range.

import { assert, assertEquals } from "../assert.ts";
import { HelpRequested } from "../../src/cli/parse_args.ts";
import { COMMANDS } from "../../src/cli/commands/mod.ts";
import { main } from "../../src/cli/main.ts";
import { UserError } from "../../src/core/errors.ts";
import { tempDir } from "../temp_dir.ts";

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
  const r = await capture(["compile", "--help"]);
  assertEquals(r.code, 1);
  assert(
    /^error: compile: a build step of the repository, not a neurad command: run npx deno task compile/
      .test(r.err),
    r.err,
  );
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
