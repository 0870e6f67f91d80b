// The command-line parser (src/cli/parse_args.ts): every way a flag can be wrong is refused with
// one line naming it; negative numbers are values; paths resolve from INIT_CWD.

import { assertEquals, assertThrows } from "../assert.ts";
import type { CommandSpec } from "../../src/cli/command.ts";
import {
  commandHelp,
  HelpRequested,
  parseCommandArgs,
  resolveUserPath,
} from "../../src/cli/parse_args.ts";

const spec: CommandSpec = {
  name: "fake",
  summary: "a test command",
  flags: {
    steps: { type: "integer", min: 1, max: 100, default: 10, help: "steps" },
    shift: { type: "number", min: -5, max: 5, help: "a signed number" },
    lr: { type: "number", min: 0, help: "learning rate" },
    out: { type: "path", short: "o", default: "runs/x", help: "output" },
    mode: { type: "string", choices: ["faithful", "corrected"], help: "mode" },
    tag: { type: "string", multiple: true, help: "tags" },
    quiet: { type: "boolean", short: "q", help: "quiet" },
  },
  positionals: [{ name: "FILE", help: "inputs", variadic: true, path: true }],
  run: () => Promise.resolve(0),
};
const parse = (...argv: string[]) => parseCommandArgs(spec, argv);

function withInitCwd<T>(dir: string | undefined, fn: () => T): T {
  const old = Deno.env.get("INIT_CWD");
  if (dir === undefined) Deno.env.delete("INIT_CWD");
  else Deno.env.set("INIT_CWD", dir);
  try {
    return fn();
  } finally {
    if (old === undefined) Deno.env.delete("INIT_CWD");
    else Deno.env.set("INIT_CWD", old);
  }
}

Deno.test("parse: values, defaults, = syntax, short flags, --no-bool, repeats, --", () => {
  withInitCwd("/home/u/work", () => {
    const a = parse("--steps", "5", "--shift=-2.5", "-o", "out", "--tag", "a", "--tag=b", "x.nii");
    assertEquals(a.flags, {
      steps: 5,
      shift: -2.5,
      out: "/home/u/work/out",
      tag: ["a", "b"],
    });
    assertEquals(a.positionals, ["/home/u/work/x.nii"]);
    const b = parse("-q", "--", "--not-a-flag");
    assertEquals(b.flags, { quiet: true, steps: 10, out: "/home/u/work/runs/x" });
    assertEquals(b.positionals, ["/home/u/work/--not-a-flag"]);
    assertEquals(parse("--no-quiet").flags.quiet, false);
    assertEquals(parse("--quiet=false").flags.quiet, false);
    assertEquals(parse("--mode", "corrected").flags.mode, "corrected");
  });
});

Deno.test("parse: negative numbers are values, not flags", () => {
  assertEquals(parse("--shift", "-3").flags.shift, -3);
  assertEquals(parse("--shift", "-.5").flags.shift, -0.5);
  assertEquals(parse("--lr", "1e-3").flags.lr, 0.001);
  assertEquals(parse("-4").positionals.length, 1);
});

Deno.test("parse: bad values are refused with one line naming the flag", () => {
  const cases: [string[], RegExp][] = [
    [["--steps", "abc"], /^--steps: expected an integer, got "abc"$/],
    [["--steps", "1.5"], /^--steps: expected an integer, got "1.5"$/],
    [["--steps", "1e9"], /^--steps: 1e9 is above the maximum 100$/],
    [["--steps", "0"], /^--steps: 0 is below the minimum 1$/],
    [["--steps", "0x10"], /^--steps: expected an integer/],
    [["--steps", ""], /^--steps: expected an integer/],
    [["--shift", "-6"], /^--shift: -6 is below the minimum -5$/],
    [["--lr", "Infinity"], /^--lr: expected a number/],
    [["--lr", "NaN"], /^--lr: expected a number/],
    [["--mode", "fast"], /^--mode: "fast" is not one of faithful, corrected$/],
    [["--steps"], /^--steps: needs a value$/],
    [["--steps", "--quiet"], /^--steps: needs a value$/],
    [["--bogus"], /^--bogus: unknown flag for 'fake'/],
    [["-x"], /^-x: unknown flag/],
    [["--steps", "2", "--steps", "3"], /^--steps: given more than once$/],
    [["--quiet=maybe"], /^--quiet: expected true or false/],
    [["--out", ""], /^--out: empty path$/],
  ];
  for (const [argv, re] of cases) {
    assertThrows(() => parse(...argv), re);
  }
});

Deno.test("parse: stray and missing positionals", () => {
  const none: CommandSpec = { ...spec, positionals: [] };
  assertThrows(() => parseCommandArgs(none, ["stray"]), /^"stray": 'fake' takes no arguments/);
  const one: CommandSpec = {
    ...spec,
    positionals: [{ name: "RUN", help: "run dir", required: true }],
  };
  assertThrows(() => parseCommandArgs(one, []), /^missing RUN \(usage: neurad fake/);
  assertThrows(() => parseCommandArgs(one, ["a", "b"]), /^"b": unexpected extra argument/);
  assertEquals(parseCommandArgs(one, ["a"]).positionals, ["a"]);
});

Deno.test("parse: extra --key value pairs only where the command allows them", () => {
  const train: CommandSpec = { ...spec, allowExtraFlags: true };
  const a = parseCommandArgs(train, ["--train.lr", "0.1", "--model.latentDim=64"]);
  assertEquals(a.extra, { "train.lr": "0.1", "model.latentDim": "64" });
  assertThrows(() => parse("--train.lr", "0.1"), /^--train\.lr: unknown flag/);
});

Deno.test("parse: --help anywhere asks for help; the help lists every flag with bounds", () => {
  assertThrows(() => parse("--steps", "3", "--help"), /fake/);
  try {
    parse("-h");
  } catch (e) {
    if (!(e instanceof HelpRequested)) throw e;
  }
  const help = commandHelp(spec);
  for (const s of ["Usage: neurad fake [options] [FILE...]", "--steps", "(1..100)", "-o, --out"]) {
    if (!help.includes(s)) throw new Error(`help lacks ${s}:\n${help}`);
  }
});

Deno.test("paths resolve from INIT_CWD, else the working directory; absolute paths stay", () => {
  withInitCwd("/data/user", () => assertEquals(resolveUserPath("a/b.nii"), "/data/user/a/b.nii"));
  withInitCwd(undefined, () => assertEquals(resolveUserPath("b.nii"), `${Deno.cwd()}/b.nii`));
  withInitCwd("/data/user", () => assertEquals(resolveUserPath("/abs/x"), "/abs/x"));
});
