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
