// `neurad export`: a trained run as one file for use elsewhere. `.neurad` (default): weights,
// run config, preprocessing, post-processing and eval's thresholds in one checked file
// (src/export/model_file.ts) that `neurad detect --model` and the browser page open. `--format onnx`:
// the network's reconstruction path as an ONNX model (src/export/), for ONNX runtimes.

import { dirname, extname } from "node:path";
import { choice, defineCommand, path } from "../command.ts";
import { getDevice } from "../../core/device.ts";
import { UserError } from "../../core/errors.ts";
import { storedCheckpointName } from "../../eval/stored_thresholds.ts";
import { decodeModelFile, encodeModelFile } from "../../export/model_file.ts";
import { modelFileParts, openModelBytes } from "../../export/open_model.ts";
import { openRun } from "../../train/open_run.ts";
import { writeFileAtomic } from "../../util/atomic_write.ts";
import { exportOnnx } from "../../export/export_onnx.ts";

export const exportCommand = defineCommand({
  name: "export",
  summary: "write a run as one .neurad model file (detect --model, the web page) or as ONNX",
  gpu: true,
  description: `neurad (default): one versioned, checksummed file holding the checkpoint's weights,
the run's config (model, preprocessing), the post-processing and thresholds that 'neurad eval'
stored in RUN/thresholds.json and the checkpoint they were calibrated on; the file is reopened
and checked before it is written. onnx: the network's reconstruction (image [N, C, H, W] to
reconstruction, the path detect scores) as an ONNX model, opset 17 (docs/export.md).`,
  flags: {
    run: path({
      metavar: "RUN",
      required: true,
      exists: "folder",
      help: "run directory made by neurad train",
    }),
    out: path({
      short: "o",
      metavar: "FILE",
      required: true,
      help: "output file (NAME.neurad or NAME.onnx)",
    }),
    format: choice(["neurad", "onnx"], {
      help: "file format (default: onnx when FILE ends in .onnx, else neurad)",
    }),
    checkpoint: choice(["best", "last"], {
      help: "weights (default: the checkpoint neurad eval calibrated RUN/thresholds.json on, " +
        "else best)",
    }),
  },
  positionals: {},
  async run({ run: runDir, out, format, checkpoint }) {
    const fmt = format ?? (extname(out).toLowerCase() === ".onnx" ? "onnx" : "neurad");
    await getDevice();
    await Deno.mkdir(dirname(out), { recursive: true });
    if (fmt === "onnx") {
      const parts = await modelFileParts(runDir, { checkpoint });
      const run = await openRun(runDir, { checkpoint: parts.checkpoint });
      try {
        const { bytes, notes } = await exportOnnx(run, parts.thresholds);
        await writeFileAtomic(out, bytes);
        console.log(
          `wrote ${out} (${mb(bytes.length)}): ${run.config.model.name}, ${parts.checkpoint} ` +
            `checkpoint (step ${run.step}), ONNX opset 17`,
        );
        for (const n of notes) console.log(`  note: ${n}`);
      } finally {
        run.model.dispose();
        run.discriminator?.dispose();
      }
      return 0;
    }
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
