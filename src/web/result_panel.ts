// The right-hand panel of a finished scan: verdict, volume score against the healthy validation
// range the model's eval stored (a small SVG bar), warnings, the lesion components (a click moves
// the viewer's crosshair to the component's centroid in scanner coordinates) and the three files
// `neurad detect` writes, as downloads made from the bytes in the tab.

import type { StoredThresholds } from "../eval/stored_thresholds.ts";

/** The parts of NAME.json the panel shows (src/detect/detect_volume.ts DetectResult). */
export interface ShownResult {
  scan: string;
  volumeScore: number | null;
  verdict: string;
  volumeThreshold: { value: number; note: string } | null;
  threshold: number | null;
  lesions: { voxels: number; volumeMm3: number; centroidWorld: [number, number, number] }[];
  warnings: string[];
}

export interface PanelFiles {
  anomaly: Uint8Array | null;
  mask: Uint8Array | null;
  json: string;
  names: { anomaly: string; mask: string; json: string };
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(4));

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  attrs: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

/** The score bar: healthy mean ± 2 SD band, healthy maximum, threshold, and the scan's score. */
function scoreBar(svg: SVGSVGElement, score: number | null, t: StoredThresholds | null): void {
  svg.replaceChildren();
  const vs = t?.volumeScore;
  if (score === null || !vs) return;
  const lo0 = Math.min(vs.healthyMean - 3 * vs.healthyStd, score);
  const hi0 = Math.max(vs.healthyMax, vs.threshold, score, vs.healthyMean + 3 * vs.healthyStd);
  const pad = 0.08 * (hi0 - lo0 || 1);
  const lo = lo0 - pad, hi = hi0 + pad;
  const x = (v: number) => (300 * (v - lo)) / (hi - lo);
  const ns = "http://www.w3.org/2000/svg";
  const add = (tag: string, a: Record<string, string | number>, text?: string) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(a)) e.setAttribute(k, String(v));
    if (text) e.textContent = text;
    svg.appendChild(e);
  };
  add("rect", { x: 0, y: 14, width: 300, height: 10, fill: "currentColor", opacity: 0.08 });
  const b0 = x(vs.healthyMean - 2 * vs.healthyStd), b1 = x(vs.healthyMean + 2 * vs.healthyStd);
  add("rect", {
    x: b0,
    y: 14,
    width: Math.max(1, b1 - b0),
    height: 10,
    fill: "#16a34a",
    opacity: 0.45,
  });
  add("line", { x1: x(vs.healthyMax), x2: x(vs.healthyMax), y1: 10, y2: 28, stroke: "#16a34a" });
  add("line", {
    x1: x(vs.threshold),
    x2: x(vs.threshold),
    y1: 6,
    y2: 32,
    stroke: "#dc2626",
    "stroke-dasharray": "3 2",
  });
  add("circle", { cx: x(score), cy: 19, r: 5, fill: "#2563eb", stroke: "#fff" });
  add("text", { x: 2, y: 44, "font-size": 10, fill: "currentColor" }, "healthy ±2 SD");
  add("text", {
    x: Math.min(298, x(vs.threshold) + 3),
    y: 44,
    "font-size": 10,
    fill: "#dc2626",
  }, "threshold");
}

let urls: string[] = [];

/** Fills the panel for one result; `moveTo` receives a lesion's centroid. */
export function showResult(
  r: ShownResult,
  files: PanelFiles,
  thresholds: StoredThresholds | null,
  moveTo: (world: [number, number, number]) => void,
): void {
  const v = $("verdict");
  v.dataset.v = r.verdict;
  v.textContent = r.verdict;
  const vs = thresholds?.volumeScore;
  const parts: string[] = [];
  if (r.volumeScore !== null) parts.push(`volume score ${fmt(r.volumeScore)}`);
  if (r.volumeThreshold) parts.push(`threshold ${fmt(r.volumeThreshold.value)}`);
  if (vs) {
    parts.push(
      `healthy validation ${fmt(vs.healthyMean)} ± ${fmt(vs.healthyStd)} (max ${
        fmt(vs.healthyMax)
      })`,
    );
  }
  $("score").textContent = parts.join(" · ");
  if (r.volumeThreshold) $("score").title = r.volumeThreshold.note;
  scoreBar($("score-bar") as unknown as SVGSVGElement, r.volumeScore, thresholds);
  $("warnings").replaceChildren(...r.warnings.map((w) => el("li", w)));
  const body = ($("lesions") as HTMLTableElement).tBodies[0];
  body.replaceChildren(...r.lesions.map((l, i) => {
    const tr = el("tr", undefined, { "data-index": String(i) });
    tr.append(
      el("td", String(i + 1)),
      el("td", String(l.voxels)),
      el("td", l.volumeMm3.toFixed(1)),
      el("td", l.centroidWorld.map((c) => c.toFixed(1)).join(", ")),
    );
    tr.addEventListener("click", () => moveTo(l.centroidWorld));
    return tr;
  }));
  if (r.lesions.length === 0) {
    const tr = el("tr");
    tr.append(el("td", r.threshold === null ? "no mask (no pixel threshold)" : "none", {
      colspan: "4",
    }));
    body.append(tr);
  }
  for (const u of urls) URL.revokeObjectURL(u);
  urls = [];
  const link = (bytes: BlobPart | null, name: string, type: string) => {
    if (bytes === null) return [];
    const u = URL.createObjectURL(new Blob([bytes], { type }));
    urls.push(u);
    return [el("a", name, { href: u, download: name, "data-file": name })];
  };
  $("downloads").replaceChildren(
    ...link(files.anomaly as BlobPart | null, files.names.anomaly, "application/gzip"),
    ...link(files.mask as BlobPart | null, files.names.mask, "application/gzip"),
    ...link(files.json, files.names.json, "application/json"),
  );
}
