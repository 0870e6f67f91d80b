// Renders a Vega-Lite spec to a static SVG string with Vega's headless renderer (no canvas, no
// DOM, no network). Label overlap checks are off because without a canvas Vega only estimates
// text widths and would otherwise hide axis labels.

import * as vega from "vega";
import * as vegaLite from "vega-lite";

// deno-lint-ignore no-explicit-any
export type VlSpec = Record<string, any>;

export async function renderSvg(spec: VlSpec): Promise<string> {
  const full = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: {
      font: "DejaVu Sans, Arial, sans-serif",
      axis: { labelOverlap: false, labelFontSize: 11, titleFontSize: 12 },
      legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 400 },
      view: { stroke: "#ddd" },
    },
    ...spec,
  };
  // deno-lint-ignore no-explicit-any
  const compiled = vegaLite.compile(full as any).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
