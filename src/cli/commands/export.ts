// `neurad export`: a trained run as one file for use elsewhere: weights, run config,
// preprocessing, post-processing and eval's thresholds in one checked `.neurad` file
// (src/io/model_file.ts) that `neurad detect --model` and the browser page open.

import { dirname } from "node:path";
import { choice, defineCommand, path } from "../command.ts";
import { getDevice } from "../../core/device.ts";
import { UserError } from "../../core/errors.ts";
import { storedCheckpointName } from "../../eval/stored_thresholds.ts";
import { decodeModelFile } from "../../io/model_file.ts";
import { modelFileParts, openModelBytes } from "../../train/open_run.ts";
import { encodeModelFile } from "../../io/model_file.ts";
import { writeFileAtomic } from "../../util/atomic_write.ts";

export const exportCommand = defineCommand({
  name: "export",
  summary: "write a run as one .neurad model file (for detect --model and the web page)",
  gpu: true,
  description: `Writes one versioned, checksummed file holding the checkpoint's weights, the run's
config (model, preprocessing), the post-processing and thresholds that 'neurad eval' stored in
RUN/thresholds.json and the checkpoint they were calibrated on; the file is reopened and checked
before it is written (docs/export.md).`,
  flags: {
    run: path({ metavar: "RUN", required: true, help: "run directory made by neurad train" }),
    out: path({
      short: "o",
      metavar: "FILE",
      required: true,
      help: "output file (NAME.neurad)",
    }),
    checkpoint: choice(["best", "last"], {
      help: "weights (default: the checkpoint neurad eval calibrated RUN/thresholds.json on, " +
        "else best)",
    }),
  },
  positionals: {},
  async run({ run: runDir, out, checkpoint }) {
    await getDevice();
    await Deno.mkdir(dirname(out), { recursive: true });
    const parts = await modelFileParts(runDir, { checkpoint });
    const bytes = encodeModelFile(parts);
    // Reopen what is about to be written: the file must load where it is going.
    decodeModelFile(bytes, out);
    const opened = await openModelBytes(bytes, out).catch((e) => {
      throw new UserError(`${out}: the exported file does not reopen (${(e as Error).message})`);
    });
    opened.model.dispose();
    opened.discriminator?.dispose();
    await writeFileAtomic(out, bytes);
    const t = parts.thresholds;
    console.log(
      `wrote ${out} (${mb(bytes.length)}): ${parts.config.model.name}, ${parts.checkpoint} ` +
        `checkpoint (step ${parts.meta.step}), ${
          t ? `thresholds of neurad eval (${t.protocol})` : "no thresholds"
        }`,
    );
    if (!t) {
      console.log(`  note: run 'neurad eval --run ${runDir}' and export again for verdicts`);
    } else {
      const calibrated = storedCheckpointName(t);
      if (calibrated && calibrated !== parts.checkpoint) {
        console.log(
          `  warning: the thresholds were calibrated on the ${calibrated} checkpoint, the file ` +
            `holds ${parts.checkpoint}: they may not fit its maps`,
        );
      }
    }
    return 0;
  },
});

function mb(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(1)} kB`;
}
