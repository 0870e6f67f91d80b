// The report's reconstruction panels: one block per shown subject (2D: image) with its rank,
// dataset, slice, Dice or score, then its images side by side at their own size (the eval
// enlarges them to at least 256 px), each edge marked with the patient side it shows where the
// images carry an orientation (L/R, A/P), and a grey colour bar with its end values and unit
// beside the residual and the post-processed map (the grey scale both share). Reads the plain
// PanelResult only.

import type { EvalResult, PanelResult } from "./eval_result.ts";
import { pct } from "./charts/curves.ts";

const esc = (s: unknown) =>
  String(s).replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!,
  );

const COLUMNS = [
  ["input", "input"],
  ["reconstruction", "reconstruction"],
  ["residual", "residual |x − x̂|"],
  ["postprocessed", "post-processed map"],
  ["thresholded", "above the threshold (red)"],
  ["groundTruth", "ground truth (red)"],
] as const;

/** Three significant digits, no exponent for the usual residual ranges. */
const short = (
  v: number,
) => (Math.abs(v) >= 1e-3 || v === 0 ? String(+v.toPrecision(3)) : v.toExponential(2));

function markers(o: PanelResult["orientation"]): string {
  if (!o) return "";
  return `<span class="ori ori-l">${esc(o.left)}</span><span class="ori ori-r">${
    esc(o.right)
  }</span>` +
    `<span class="ori ori-t">${esc(o.top)}</span><span class="ori ori-b">${esc(o.bottom)}</span>`;
}

function colourBar(s: NonNullable<PanelResult["residualScale"]>): string {
  return `<div class="cbar" title="grey scale: ${esc(s.unit)}"><span>${short(s.hi)}</span>` +
    `<div class="cbar-grad"></div><span>${short(s.lo)}</span></div>`;
}

function figure(p: PanelResult, key: typeof COLUMNS[number][0], caption: string): string {
  const src = p.images[key];
  if (!src) return "";
  const scaled = (key === "residual" || key === "postprocessed") && p.residualScale;
  const img = `<div class="img-wrap"><img src="${src}" alt="${key}">${
    markers(p.orientation)
  }</div>`;
  return `<figure>${
    scaled ? `<div class="with-bar">${img}${colourBar(p.residualScale!)}</div>` : img
  }` +
    `<figcaption>${esc(caption)}${
      scaled
        ? `<br><span class="ci">black ${short(p.residualScale!.lo)} to white ${
          short(p.residualScale!.hi)
        } (${esc(p.residualScale!.unit)})</span>`
        : ""
    }` +
    `</figcaption></figure>`;
}

function head(p: PanelResult, byScore: boolean): string {
  const bits = [
    `<b>${esc(p.rank)}</b>`,
    esc(p.dataset),
    esc(p.subject),
    ...(byScore ? [] : [`slice ${p.slice}`]),
    ...(p.dice !== undefined ? [`Dice ${pct(p.dice)} %`] : []),
    ...(p.score !== undefined ? [`score ${p.score.toFixed(4)}`] : []),
    ...(p.predicted !== undefined ? [p.predicted ? "called anomalous" : "called healthy"] : []),
  ];
  return `<p class="panel-head">${bits.join(" · ")}</p>`;
}

/** The "Reconstructions" section of the report (empty without panels). */
export function panelsSection(r: EvalResult): string {
  if (!r.panels.length) return "";
  const byScore = r.panels.every((p) => p.dice === undefined);
  const oriented = r.panels.some((p) => p.orientation);
  const title = byScore
    ? "anomalous images scored most, median and least anomalous; the healthy image scored most " +
      "anomalous"
    : "best, median and worst subject by Dice";
  const note =
    (oriented
      ? "Letters on the edges: the patient's side each edge shows (L left, R right, A anterior, " +
        "P posterior). "
      : "2D image files carry no orientation: shown as stored. ") +
    "Images enlarged by a whole factor (nearest neighbour); the residual and the post-processed " +
    "map share one grey scale (colour bar).";
  return `<h2>Reconstructions (${title})</h2><p class="context">${esc(note)}</p>` +
    r.panels.map((p) =>
      `<div class="panel">${head(p, byScore)}<div class="panel-row">${
        COLUMNS.map(([k, c]) => figure(p, k, c)).join("")
      }</div></div>`
    ).join("");
}

/** The CSS the section needs. */
export const PANEL_CSS = `
.panel { margin: 12px 0 20px; } .panel-head { margin: 4px 0; }
.panel-row { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; }
figure { margin: 0; } figcaption { font-size: 12px; color: #444; text-align: center; max-width: 400px; }
.img-wrap { position: relative; display: inline-block; line-height: 0; }
.img-wrap img { display: block; image-rendering: pixelated; }
.ori { position: absolute; color: #ff0; font: bold 14px/1 "DejaVu Sans", Arial, sans-serif; text-shadow: 0 0 3px #000, 0 0 2px #000; }
.ori-l { left: 4px; top: 50%; transform: translateY(-50%); } .ori-r { right: 4px; top: 50%; transform: translateY(-50%); }
.ori-t { top: 4px; left: 50%; transform: translateX(-50%); } .ori-b { bottom: 4px; left: 50%; transform: translateX(-50%); }
.with-bar { display: flex; align-items: stretch; gap: 4px; }
.cbar { display: flex; flex-direction: column; align-items: center; font-size: 11px; color: #333; }
.cbar-grad { flex: 1; width: 14px; border: 1px solid #999; background: linear-gradient(to top, #000, #fff); margin: 2px 0; }
`;
