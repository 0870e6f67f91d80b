// The command declaration and its parser (src/cli/flags.ts, command.ts, parse_args.ts): every way
// a flag can be wrong is refused with one line naming it; negative numbers are values; paths
// resolve from INIT_CWD; defaults, required flags and `--help` all come from the one declaration;
// and `run` receives typed values (checked by the type checker: a wrong type fails `deno check`,
// an unneeded `@ts-expect-error` too).

import { assert, assertEquals, assertThrows } from "../assert.ts";
import {
  bool,
  choice,
  type Command,
  defineCommand,
  int,
  num,
  path,
  pathList,
  positional,
  str,
} from "../../src/cli/command.ts";
import {
  commandHelp,
  HelpRequested,
  parseCommandArgs,
  usageLine,
} from "../../src/cli/parse_args.ts";
import { resolveUserPath } from "../../src/cli/user_path.ts";

const MODES = ["faithful", "corrected"] as const;

const FLAGS = {
  steps: int({ min: 1, max: 100, default: 10, help: "steps" }),
  shift: num({ min: -5, max: 5, help: "a signed number" }),
  lr: num({ min: 0, help: "learning rate" }),
  out: path({ short: "o", default: "runs/x", help: "output" }),
  mode: choice(MODES, { help: "mode" }),
  tag: str({ multiple: true, help: "tags" }),
  odd: int({ check: (k) => (k % 2 ? undefined : `must be odd, got ${k}`), help: "odd" }),
  weights: pathList({ help: "files" }),
  quiet: bool({ short: "q", default: false, help: "quiet" }),
  faithful: bool({ help: "tri-state" }),
};
const spec = {
  name: "fake",
  summary: "a test command",
  flags: FLAGS,
  positionals: { files: positional({ name: "FILE", help: "inputs", variadic: true, path: true }) },
};
const parse = (...argv: string[]) => parseCommandArgs(spec, argv).args;

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
    assertEquals(a, {
      steps: 5,
      shift: -2.5,
      lr: undefined,
      out: "/home/u/work/out",
      mode: undefined,
      tag: ["a", "b"],
      odd: undefined,
      weights: undefined,
      quiet: false,
      faithful: undefined,
      files: ["/home/u/work/x.nii"],
    });
    const b = parse("-q", "--", "--not-a-flag");
    assertEquals([b.quiet, b.steps, b.out, b.tag], [true, 10, "/home/u/work/runs/x", []]);
    assertEquals(b.files, ["/home/u/work/--not-a-flag"]);
    assertEquals(parse("--no-faithful").faithful, false);
    assertEquals(parse("--faithful").faithful, true);
    assertEquals(parse("--quiet=false").quiet, false);
    assertEquals(parse("--mode", "corrected").mode, "corrected");
    assertEquals(parse("--odd", "3").odd, 3);
    assertEquals(parse("--weights", "a.pth,,/abs/b.pth").weights, [
      "/home/u/work/a.pth",
      "/abs/b.pth",
    ]);
    assertEquals(parse("--weights", "").weights, []);
    // Paths are normalised: no trailing or doubled separators.
    assertEquals(parse("--out", "/x//y/").out, "/x/y");
  });
});

Deno.test("parse: negative numbers are values, not flags", () => {
  assertEquals(parse("--shift", "-3").shift, -3);
  assertEquals(parse("--shift", "-.5").shift, -0.5);
  assertEquals(parse("--lr", "1e-3").lr, 0.001);
  assertEquals(parse("-4").files.length, 1);
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
    [["--odd", "4"], /^--odd: must be odd, got 4$/],
    [["--steps"], /^--steps: needs a value$/],
    [["--steps", "--quiet"], /^--steps: needs a value$/],
    [["--bogus"], /^--bogus: unknown flag for 'fake'/],
    [["--no-steps"], /^--no-steps: unknown flag for 'fake'/],
    [["--no-quiet=1"], /^--no-quiet: takes no value$/],
    [["-x"], /^-x: unknown flag/],
    [["--steps", "2", "--steps", "3"], /^--steps: given more than once$/],
    [["-q", "--quiet"], /^--quiet: given more than once$/],
    [["--quiet=maybe"], /^--quiet: expected true or false/],
    [["--out", ""], /^--out: empty path$/],
    [["--constructor", "1"], /^--constructor: unknown flag/],
  ];
  for (const [argv, re] of cases) assertThrows(() => parse(...argv), re);
});

Deno.test("parse: required flags, also 'unless' another is given; repeatable required ones", () => {
  const train = {
    name: "t",
    summary: "t",
    flags: {
      preset: choice(MODES, { required: { unless: "resume" }, help: "preset" }),
      resume: path({ help: "run" }),
      run: path({ multiple: true, required: true, help: "a run" }),
    },
  };
  const p = (...argv: string[]) => parseCommandArgs(train, argv).args;
  assertThrows(() => p("--run", "r"), /^--preset: required unless --resume is given \(preset\)$/);
  assertThrows(() => p("--preset", "faithful"), /^--run: required \(a run\)$/);
  assertEquals(p("--resume", "/r", "--run", "/a").preset, undefined);
  assertEquals(p("--preset", "faithful", "--run", "/a", "--run", "/b").run, ["/a", "/b"]);
  assertEquals(usageLine(train), "t --run PATH... [options]");
});

Deno.test("parse: stray and missing positionals", () => {
  const none = { ...spec, positionals: {} };
  assertThrows(() => parseCommandArgs(none, ["stray"]), /^"stray": 'fake' takes no arguments/);
  const one = {
    ...spec,
    positionals: { run: positional({ name: "RUN", help: "", required: true }) },
  };
  assertThrows(() => parseCommandArgs(one, []), /^missing RUN \(usage: neurad fake/);
  assertThrows(() => parseCommandArgs(one, ["a", "b"]), /^"b": unexpected extra argument/);
  assertEquals(parseCommandArgs(one, ["a"]).args.run, "a");
  const file = { ...spec, positionals: { f: positional({ name: "F", help: "", path: true }) } };
  assertThrows(() => parseCommandArgs(file, [""]), /^F: empty path$/);
  assertEquals(parseCommandArgs(file, []).args.f, undefined);
});

Deno.test("parse: extra --key value pairs only where the command allows them", () => {
  const train = { ...spec, extraFlags: { usage: "--<field> VALUE", help: "config fields" } };
  const a = parseCommandArgs(train, ["--train.lr", "0.1", "--model.latentDim=64", "--x", ""]);
  assertEquals(a.extra, { "train.lr": "0.1", "model.latentDim": "64", x: "" });
  assertThrows(() => parseCommandArgs(train, ["--a", "1", "--a", "2"]), /^--a: given more/);
  assertThrows(() => parse("--train.lr", "0.1"), /^--train\.lr: unknown flag/);
  for (const argv of [["--bogus"], ["--bogus", "--quiet"]]) {
    assertThrows(
      () => parseCommandArgs(train, argv),
      /^--bogus: unknown flag for 'fake', or a config field without its value \(see neurad fake/,
    );
  }
  assert(commandHelp(train).includes("--<field> VALUE"));
});

Deno.test("parse: --help anywhere asks for help; the help lists every flag with bounds", () => {
  for (const argv of [["--steps", "3", "--help"], ["-h"], ["--bogus", "-h"]]) {
    let e: unknown;
    try {
      parse(...argv);
    } catch (err) {
      e = err;
    }
    assert(e instanceof HelpRequested, `${argv}: ${e}`);
  }
  const help = commandHelp(spec);
  for (
    const s of [
      "Usage: neurad fake [options] [FILE...]",
      "--steps N",
      "(1..100) [default 10]",
      "-o, --out PATH",
      "[default runs/x]",
      "--mode faithful|corrected",
      "(repeatable)",
      "-h, --help",
    ]
  ) {
    if (!help.includes(s)) throw new Error(`help lacks ${s}:\n${help}`);
  }
  assert(!help.includes("default false"), help);
});

Deno.test("paths resolve from INIT_CWD, else the working directory; absolute paths stay", () => {
  withInitCwd("/data/user", () => assertEquals(resolveUserPath("a/b.nii"), "/data/user/a/b.nii"));
  withInitCwd(undefined, () => assertEquals(resolveUserPath("b.nii"), `${Deno.cwd()}/b.nii`));
  withInitCwd("/data/user", () => assertEquals(resolveUserPath("/abs/x"), "/abs/x"));
});

Deno.test("defineCommand: run receives the typed values; extra pairs beside them", async () => {
  let seen: unknown[] = [];
  const cmd: Command = defineCommand({
    name: "typed",
    summary: "types",
    flags: {
      ...FLAGS,
      preset: choice(MODES, { required: { unless: "resume" }, help: "p" }),
      resume: path({ help: "r" }),
    },
    positionals: { files: positional({ name: "FILE", help: "f", variadic: true }) },
    extraFlags: { usage: "--<k> V", help: "x" },
    run(a, extra) {
      // The types `run` sees, checked at compile time.
      const steps: number = a.steps;
      const lr: number | undefined = a.lr;
      const quiet: boolean = a.quiet;
      const tags: string[] = a.tag;
      const files: string[] = a.files;
      const weights: string[] | undefined = a.weights;
      // @ts-expect-error an optional number may be undefined
      const lr2: number = a.lr;
      // @ts-expect-error a tri-state boolean may be undefined
      const faithful: boolean = a.faithful;
      // @ts-expect-error a choice is its union, not any string
      const mode: "fast" | undefined = a.mode;
      if (a.resume === undefined) {
        const preset: "faithful" | "corrected" = a.preset;
        seen = [preset];
      } else {
        // @ts-expect-error with --resume, --preset may be absent
        const preset: "faithful" | "corrected" = a.preset;
        seen = [a.resume, preset];
      }
      seen.push(steps, lr, quiet, tags, files, weights, lr2, faithful, mode, extra);
      return Promise.resolve(7);
    },
  });
  assertEquals(await cmd.prepare(["--preset", "corrected", "--k", "v", "f1"])(), 7);
  assertEquals(seen, [
    "corrected",
    10,
    undefined,
    false,
    [],
    ["f1"],
    undefined,
    undefined,
    undefined,
    undefined,
    { k: "v" },
  ]);
  await cmd.prepare(["--resume", "/r"])();
  assertEquals(seen.slice(0, 2), ["/r", undefined]);
});

Deno.test("defineCommand: refuses declarations the parser could not honour", () => {
  const run = () => Promise.resolve();
  const cases: [() => unknown, RegExp][] = [
    [
      () => defineCommand({ name: "a", summary: "", flags: { help: bool({ help: "" }) }, run }),
      /--help is every command's own/,
    ],
    [() =>
      defineCommand({
        name: "a",
        summary: "",
        flags: { x: bool({ short: "q", help: "" }), y: bool({ short: "q", help: "" }) },
        run,
      }), /-q used twice/],
    [
      () =>
        defineCommand({
          name: "a",
          summary: "",
          flags: { x: bool({ short: "h", help: "" }) },
          run,
        }),
      /short -h/,
    ],
    [() =>
      defineCommand({
        name: "a",
        summary: "",
        flags: { x: int({ default: 1, required: true, help: "" }) },
        run,
      }), /required and a default/],
    [() =>
      defineCommand({
        name: "a",
        summary: "",
        flags: { x: int({ required: { unless: "nope" }, help: "" }) },
        run,
      }), /unless --nope/],
    [() =>
      defineCommand({
        name: "a",
        summary: "",
        flags: {},
        positionals: {
          a: positional({ name: "A", help: "", variadic: true }),
          b: positional({ name: "B", help: "" }),
        },
        run,
      }), /only the last positional may repeat/],
    [() =>
      defineCommand({
        name: "a",
        summary: "",
        flags: { x: bool({ help: "" }) },
        positionals: { x: positional({ name: "X", help: "" }) },
        run,
      }), /both a flag and a positional/],
  ];
  for (const [fn, re] of cases) assertThrows(fn, re);
});
