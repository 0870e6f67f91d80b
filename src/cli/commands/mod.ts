// Every `neurad <command>`, in the order `neurad --help` lists them. Adding a command is one
// import and one entry here (each file exports one `defineCommand(...)`, src/cli/command.ts).

import type { Command } from "../command.ts";
import { benchCommand } from "./bench.ts";
import { demoCommand } from "./demo.ts";
import { demoDataCommand } from "./demo_data.ts";
import { infoCommand } from "./info.ts";
import { inspectCommand } from "./inspect.ts";
import { trainCommand } from "./train.ts";
import { evalCommand } from "./eval.ts";
import { detectCommand } from "./detect.ts";
import { exportCommand } from "./export.ts";

export const COMMANDS: readonly Command[] = [
  infoCommand,
  inspectCommand,
  demoDataCommand,
  demoCommand,
  trainCommand,
  evalCommand,
  detectCommand,
  exportCommand,
  benchCommand,
];
