/**
 * The summary of a batch of scans: one row per scan (its position in the sorted list and that list's
 * length, output name,
 * file, status done/failed/pending, verdict and its reason, volume score, lesion volume and largest
 * component in mm³, components,
 * warnings and output files relative to the summary's folder, each list joined by " | "), written as CSV (RFC 4180 quoting:
 * fields with a comma, quote or line break are quoted, quotes doubled) and as an HTML table. Both
 * are rewritten atomically after every scan, so a killed run leaves a valid summary whose pending
 * rows say what is left; `neurad detect --merge` reads shard summaries back with parseCsv.
 * @module
 */

import { join, relative } from "node:path";
import type { DetectResult } from "../detect_scan.ts";
import { writeTextFileAtomic } from "../../util/atomic_write.ts";
import type { ScanEntry } from "./scan_list.ts";

export const SUMMARY_COLUMNS = [
  "index",
  "of",
  "scan",
  "file",
  "status",
  "verdict",
  "reason",
  "volume_score",
  "lesion_volume_mm3",
  "largest_component_mm3",
  "components",
  "warnings",
  "outputs",
] as const;

export type SummaryRow = Record<(typeof SUMMARY_COLUMNS)[number], string>;

/** Between the warnings, and between the output files, of one cell (warnings hold "; "). */
export const LIST_SEPARATOR = " | ";

const round2 = (x: number) => Math.round(x * 100) / 100;

/** A scan's row: done (from its NAME.json), failed (with the error), or still pending. */
export function summaryRow(
  scan: ScanEntry,
  outDir: string,
  state: { result: DetectResult } | { error: string } | null,
): SummaryRow {
  const row: SummaryRow = {
    index: String(scan.index),
    of: String(scan.total),
    scan: scan.name,
    file: scan.file,
    status: "pending",
    verdict: "",
    reason: "",
    volume_score: "",
    lesion_volume_mm3: "",
    largest_component_mm3: "",
    components: "",
    warnings: "",
    outputs: "",
  };
  if (state === null) return row;
  if ("error" in state) return { ...row, status: "failed", warnings: state.error };
  const r = state.result;
  const lesions = Array.isArray(r.lesions) ? r.lesions : [];
  const mm3 = lesions.reduce((s, l) => s + (Number(l.volumeMm3) || 0), 0);
  // Components exist where a mask was made: a scored scan with a pixel threshold.
  const hasMask = typeof r.volumeScore === "number" && typeof r.threshold === "number";
  return {
    ...row,
    status: "done",
    verdict: String(r.verdict ?? ""),
    reason: r.verdictBasis?.reason ?? "",
    volume_score: typeof r.volumeScore === "number" ? String(r.volumeScore) : "",
    lesion_volume_mm3: hasMask ? String(round2(mm3)) : "",
    largest_component_mm3: hasMask ? String(round2(Number(lesions[0]?.volumeMm3) || 0)) : "",
    components: hasMask ? String(lesions.length) : "",
    warnings: (r.warnings ?? []).join(LIST_SEPARATOR),
    outputs: Object.values(r.outputs ?? {}).map((p) => relative(outDir, p)).join(LIST_SEPARATOR),
  };
}

/** One CSV field: quoted when it holds a comma, quote, line break or edge space. */
function csvField(s: string): string {
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The rows as CSV text (header first, CRLF line ends as RFC 4180 says). */
export function toCsv(rows: readonly SummaryRow[]): string {
  const lines = [SUMMARY_COLUMNS.join(",")];
  for (const r of rows) lines.push(SUMMARY_COLUMNS.map((c) => csvField(r[c])).join(","));
  return lines.join("\r\n") + "\r\n";
}

/** Parses RFC 4180 CSV into records (quoted fields may hold commas, quotes and line breaks). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = "", record: string[] = [], quoted = false, i = 0, any = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
      continue;
    }
    if (c === '"' && field === "") {
      quoted = true;
      any = true;
      i++;
    } else if (c === ",") {
      record.push(field);
      field = "";
      any = true;
      i++;
    } else if (c === "\r" || c === "\n") {
      if (any || field !== "") {
        record.push(field);
        records.push(record);
      }
      record = [];
      field = "";
      any = false;
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
    } else {
      field += c;
      any = true;
      i++;
    }
  }
  if (quoted) throw new Error("unclosed quote");
  if (any || field !== "") {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** Parses a summary CSV; a problem is thrown as a one-line message for the caller to prefix. */
export function readSummaryCsv(text: string): SummaryRow[] {
  const recs = parseCsv(text);
  const header = recs[0] ?? [];
  if (header.join(",") !== SUMMARY_COLUMNS.join(",")) {
    throw new Error(`not a neurad detect summary (header ${JSON.stringify(header.join(","))})`);
  }
  return recs.slice(1).map((r, i) => {
    if (r.length !== SUMMARY_COLUMNS.length) {
      throw new Error(`row ${i + 2} has ${r.length} fields, not ${SUMMARY_COLUMNS.length}`);
    }
    return Object.fromEntries(SUMMARY_COLUMNS.map((c, j) => [c, r[j]])) as SummaryRow;
  });
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const score = (s: string) => (s === "" ? "" : Number(s).toFixed(4));
const href = (p: string) => p.split("/").map(encodeURIComponent).join("/");

/** The rows as a self-contained HTML page (no scripts, no external resources). */
export function toHtml(rows: readonly SummaryRow[], title: string): string {
  const count = (f: (r: SummaryRow) => boolean) => rows.filter(f).length;
  const verdicts = new Map<string, number>();
  for (const r of rows) {
    if (r.status === "done") verdicts.set(r.verdict, (verdicts.get(r.verdict) ?? 0) + 1);
  }
  const tally = [
    `${rows.length} scan(s)`,
    `${count((r) => r.status === "done")} done`,
    `${count((r) => r.status === "failed")} failed`,
    `${count((r) => r.status === "pending")} pending`,
    ...[...verdicts].map(([v, n]) => `${n} ${v}`),
  ].join(", ");
  const body = rows.map((r) => {
    const outs = r.outputs
      ? r.outputs.split(LIST_SEPARATOR).map((p) => `<a href="${esc(href(p))}">${esc(p)}</a>`).join(
        "<br>",
      )
      : "";
    const cls = (r.status === "done" ? r.verdict : r.status).replace(/[^a-z]/g, "");
    return `<tr class="${cls}"><td>${esc(r.index)}</td><td>${esc(r.scan)}</td>` +
      `<td title="${esc(r.reason)}">${esc(r.status === "done" ? r.verdict : r.status)}</td>` +
      `<td title="${esc(r.volume_score)}">${esc(score(r.volume_score))}</td>` +
      `<td>${esc(r.lesion_volume_mm3)}</td><td>${esc(r.largest_component_mm3)}</td>` +
      `<td>${esc(r.components)}</td>` +
      `<td>${r.warnings.split(LIST_SEPARATOR).map(esc).join("<br>")}</td><td>${outs}</td></tr>`;
  }).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse}
th,td{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#eee}td:nth-child(n+4):nth-child(-n+7){text-align:right}
tr.anomalous td:nth-child(3){background:#f8d0d0}tr.healthy td:nth-child(3){background:#d4efd4}
tr.unreliable td:nth-child(3),tr.failed td:nth-child(3){background:#f6e2b3}
tr.pending{color:#888}
</style></head><body>
<h1>${esc(title)}</h1>
<p>${esc(tally)}</p>
<table><thead><tr><th>#</th><th>scan</th><th>verdict</th><th>volume score</th>` +
    `<th>lesion volume (mm³)</th><th>largest component (mm³)</th><th>components</th>` +
    `<th>warnings</th><th>outputs</th></tr></thead>
<tbody>
${body}
</tbody></table></body></html>
`;
}

/** Writes STEM.csv and STEM.html into `dir`, each atomically. */
export async function writeSummary(
  dir: string,
  stem: string,
  rows: readonly SummaryRow[],
  title: string,
): Promise<{ csv: string; html: string }> {
  const csv = join(dir, `${stem}.csv`), html = join(dir, `${stem}.html`);
  await writeTextFileAtomic(csv, toCsv(rows));
  await writeTextFileAtomic(html, toHtml(rows, title));
  return { csv, html };
}
