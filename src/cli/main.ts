// `neurad <command>`: the single entry point. Parses and validates the command line from each
// command's declaration (src/cli/command.ts, src/cli/parse_args.ts), refuses unknown NEURAD_* settings, prints help
// and the version, and runs the command under the one error style: any failure is one
// `error: …` line on stderr and exit code 1, never a stack trace (NEURAD_DEBUG=1 adds it).
// The `deno task` names (info, inspect, demo-data, demo, bench, …) are shortcuts to it.

import type { Command } from "./command.ts";
import { COMMANDS } from "./commands/mod.ts";
import { commandHelp, HelpRequested } from "./parse_args.ts";
import { checkNeuradEnv, NEURAD_ENV } from "../util/env.ts";
import { UserError } from "../core/errors.ts";
import { reportError } from "../util/errors.ts";
import { NEURAD_VERSION } from "../util/version.ts";
import { releaseDevice } from "../core/device.ts";
import { requireCorrectKernels } from "./adapter_check.ts";

/** `deno task` steps that build neurad itself (tools/), which a user may try as commands. */
const REPOSITORY_TASKS = ["bundle", "compile"];

/** What `neurad NAME` is told when NAME is no command. */
function unknownCommand(name: string, commands: readonly Command[]): UserError {
  if (REPOSITORY_TASKS.includes(name)) {
    return new UserError(
      `${name}: a build step of the repository, not a neurad command: run ` +
        `npx deno task ${name} in the repository (npx deno task ${name} --help)`,
    );
  }
  return new UserError(
    `${name}: unknown ${name.startsWith("-") ? "option" : "command"} ` +
      `(commands: ${commands.map((c) => c.name).join(", ")}; see neurad --help)`,
  );
}

/** The text of `neurad --help`. */
export function toolHelp(commands: readonly Command[] = COMMANDS): string {
  const w = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    `neurad ${NEURAD_VERSION}: unsupervised anomaly detection in brain MRI on WebGPU`,
    "",
    "Usage: neurad <command> [options]",
    "       neurad <command> --help",
    "       neurad --version",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(w)}${c.summary}`),
    "",
    "Relative paths are resolved from the directory you ran the command in.",
    "Environment (refused if unknown or out of range):",
    ...Object.entries(NEURAD_ENV).map(([k, v]) => `  ${k}=${v.values.join("|")}  ${v.help}`),
  ].join("\n");
}

/** Runs `neurad ...argv` and returns the exit code (errors already printed, one line). */
export async function main(
  argv: readonly string[],
  commands: readonly Command[] = COMMANDS,
): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === "--help" || first === "-h" || first === "help") {
      const target = first === "help" ? rest[0] : undefined;
      const spec = target ? commands.find((c) => c.name === target) : undefined;
      if (target && !spec) throw unknownCommand(target, commands);
      console.log(spec ? commandHelp(spec) : toolHelp(commands));
      return 0;
    }
    if (first === "--version" || first === "-V") {
      console.log(`neurad ${NEURAD_VERSION}`);
      return 0;
    }
    const spec = commands.find((c) => c.name === first);
    if (!spec) throw unknownCommand(first, commands);
    let run;
    try {
      run = spec.prepare(rest);
    } catch (e) {
      if (!(e instanceof HelpRequested)) throw e;
      console.log(commandHelp(spec));
      return 0;
    }
    checkNeuradEnv();
    if (spec.gpu) await requireCorrectKernels();
    return (await run()) ?? 0;
  } catch (e) {
    reportError(e);
    return 1;
  }
}

if (import.meta.main) {
  const code = await main(Deno.args);
  await releaseDevice();
  Deno.exit(code);
}
