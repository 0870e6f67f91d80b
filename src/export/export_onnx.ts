/**
 * `neurad export --format onnx`: a model's reconstruction path (eval mode, the image [N, C, H, W]
 * in the range the run's preprocessing gives, to its reconstruction; the path `neurad detect`
 * scores) as an ONNX model at opset 17, so ONNX runtimes (onnxruntime, TensorRT, OpenVINO) can
 * serve it. The graph input is "image" with a symbolic batch "N" (and symbolic "H", "W" for the
 * fully convolutional chandru25-vqgan); outputs "reconstruction" and,
 * for vector-quantised models, "codes" (int64 code indices [N, h, w]). The run's config and
 * neurad's version travel as metadata_props; preprocessing and post-processing stay outside the
 * graph (docs/export.md). Checked against onnxruntime in test/export/onnx_export_test.ts.
 * @module
 */

import type { StoredThresholds } from "../eval/stored_thresholds.ts";
import type { Autoencoder } from "../models/types.ts";
import type { OpenedRun } from "../train/open_run.ts";
import { NEURAD_VERSION } from "../util/version.ts";
import { formatShape } from "../core/shape.ts";
import { OnnxGraph } from "./onnx_graph.ts";
import { reconstructionGraph } from "./onnx_models.ts";
import { encodeOnnxModel } from "./onnx_proto.ts";

export interface OnnxExport {
  bytes: Uint8Array;
  /** What the graph does differently from neurad's reconstruct() (e.g. a faithful VAE's z). */
  notes: string[];
}

/** The ONNX model of `model` (registered as `name`); `metadata` goes to metadata_props. */
export async function onnxOfModel(
  model: Autoencoder,
  name: string,
  metadata: Record<string, string> = {},
): Promise<OnnxExport> {
  const g = await OnnxGraph.of(model);
  const r = reconstructionGraph(g, model, name, "image");
  for (const o of r.outputs) g.nodes.push(identity(o.value, o.name));
  const bytes = encodeOnnxModel({
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [{ name: "image", dims: r.inputDims }],
    outputs: r.outputs.map((o) => ({ name: o.name, dims: o.dims, int64: o.int64 })),
    graphName: name,
    producerVersion: NEURAD_VERSION,
    docString: `${name} (${model.mode}) reconstruction: image ${formatShape(r.inputDims)} → ` +
      r.outputs.map((o) => o.name).join(", "),
    metadata: { ...metadata, "neurad.model": name, "neurad.mode": model.mode },
  });
  return { bytes, notes: r.notes };
}

/** The ONNX model of an opened run's network, its config and eval's thresholds in the metadata. */
export function exportOnnx(
  run: OpenedRun,
  thresholds: StoredThresholds | null,
): Promise<OnnxExport> {
  return onnxOfModel(run.model, run.config.model.name, {
    "neurad.version": NEURAD_VERSION,
    "neurad.run_config": JSON.stringify(run.config),
    "neurad.step": String(run.step),
    "neurad.thresholds": JSON.stringify(thresholds),
  });
}

function identity(from: string, to: string) {
  return { op: "Identity", inputs: [from], outputs: [to], name: `${to}_output` };
}
