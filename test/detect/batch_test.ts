// The batch side of `neurad detect` without a GPU: which scans a folder or pattern names and under
// which output names (sorted, clashes renamed deterministically, OUT never walked), shards that
// never overlap and cover the list, CSV quoting that reads back, the loop's resume, lazy output
// folder and per-scan summary (with a stand-in detector), and --merge's refusals.

import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  rejects,
  throws,
} from "node:assert";
import { dirname, join } from "node:path";
import { UserError } from "../../src/core/errors.ts";
import type { DetectResult } from "../../src/detect/detect_scan.ts";
import { globBase, globToRegExp } from "../../src/detect/batch/glob.ts";
import { findScans, type ScanEntry } from "../../src/detect/batch/scan_list.ts";
import { parseShard, shardItems, summaryStem } from "../../src/detect/batch/shard.ts";
import {
  parseCsv,
  readSummaryCsv,
  type SummaryRow,
  toCsv,
  toHtml,
} from "../../src/detect/batch/summary.ts";
import { runBatch } from "../../src/detect/batch/run_batch.ts";
import { mergeShardSummaries } from "../../src/detect/batch/merge.ts";
import { tempDir } from "../temp_dir.ts";

async function touch(root: string, ...files: string[]) {
  for (const f of files) {
    await Deno.mkdir(dirname(join(root, f)), { recursive: true });
    await Deno.writeFile(join(root, f), new Uint8Array([1]));
  }
}

const names = (s: ScanEntry[]) => s.map((x) => x.name);

/** Rejects with a one-line UserError holding `text`. */
const refused = (fn: () => Promise<unknown>, text: string) =>
  rejects(
    fn,
    (e) => e instanceof UserError && e.message.includes(text) && !e.message.includes("\n"),
  );

Deno.test("globToRegExp(): *, ?, [..], {a,b} and ** as whole segments", () => {
  const m = (p: string, s: string) => globToRegExp(p).test(s);
  assertEquals(m("/a/*.nii.gz", "/a/x.nii.gz"), true);
  assertEquals(m("/a/*.nii.gz", "/a/b/x.nii.gz"), false, "* stays in one segment");
  assertEquals(m("/a/**/*.nii.gz", "/a/x.nii.gz"), true, "** is zero folders too");
  assertEquals(m("/a/**/*.nii.gz", "/a/b/c/x.nii.gz"), true);
  assertEquals(m("/a/sub-0?/t1.nii", "/a/sub-01/t1.nii"), true);
  assertEquals(m("/a/sub-[0-1]?/t1.nii", "/a/sub-23/t1.nii"), false);
  assertEquals(m("/a/sub-[!0]1/t1.nii", "/a/sub-11/t1.nii"), true);
  assertEquals(m("/a/*.{nii,nii.gz}", "/a/x.nii"), true);
  assertEquals(m("/a/*.{nii,nii.gz}", "/a/x.img"), false);
  assertEquals(m("/a/x+y(1).nii", "/a/x+y(1).nii"), true, "regex characters are literal");
  assertEquals(globBase("/data/ixi/**/*.nii.gz"), "/data/ixi");
  assertEquals(globBase("/data/sub-*/anat/*.nii"), "/data");
  throws(
    () => globToRegExp("/a/{x,y.nii"),
    (e) => e instanceof UserError && /unclosed '{'/.test(e.message),
  );
});

Deno.test("findScans(): folders walked recursively and sorted, patterns, files; OUT skipped", async () => {
  const root = await tempDir();
  await touch(
    root,
    "arch/sub-02/anat/t1.nii.gz",
    "arch/sub-01/anat/t1.nii.gz",
    "arch/sub-01/anat/notes.txt",
    "arch/sub-10/t1.nii",
    "arch/.hidden/x.nii.gz",
    "arch/out/old_anomaly.nii.gz",
  );
  const arch = join(root, "arch");
  const s = await findScans([arch], [join(arch, "out")]);
  assertEquals(names(s), ["sub-01/anat/t1", "sub-02/anat/t1", "sub-10/t1"]);
  assertEquals(s.map((x) => x.index), [0, 1, 2]);
  assertEquals(s[0].file, join(arch, "sub-01/anat/t1.nii.gz"));
  // A pattern keeps names relative to its fixed prefix; the same file twice counts once.
  const g = await findScans([`${arch}/sub-0*/**/*.nii.gz`, join(arch, "sub-01/anat/t1.nii.gz")]);
  assertEquals(names(g), ["sub-01/anat/t1", "sub-02/anat/t1"]);
  // Order and names do not depend on the order of the arguments.
  const a = join(arch, "sub-10/t1.nii"), b = join(arch, "sub-02/anat/t1.nii.gz");
  assertEquals(await findScans([a, b]), await findScans([b, a]));
  await refused(() => findScans([join(root, "nope")]), "no such file or folder");
  await refused(() => findScans([`${arch}/*.img`]), "matches no .nii");
  await Deno.mkdir(join(root, "empty"));
  await refused(() => findScans([join(root, "empty")]), "no .nii or .nii.gz");
});

Deno.test("findScans(): the same name in two folders is kept apart by its relative path", async () => {
  const root = await tempDir();
  await touch(root, "site-a/t1.nii.gz", "site-b/t1.nii.gz", "site-b/x.nii", "site-b/x.nii.gz");
  // Files given one by one are named after their file; two t1s clash and keep their folders.
  const s = await findScans([join(root, "site-b/t1.nii.gz"), join(root, "site-a/t1.nii.gz")]);
  assertEquals(names(s), ["site-a/t1", "site-b/t1"]);
  // Two folders given as arguments: their t1s clash the same way.
  const d = await findScans([join(root, "site-a"), join(root, "site-b")]);
  assertEquals(names(d), ["site-a/t1", "site-b/t1", "x.nii", "x.nii.gz"]);
});

Deno.test("parseShard()/shardItems(): shards are disjoint and cover the list, K from 0", () => {
  assertEquals(parseShard("2/4"), { k: 2, n: 4 });
  assertMatch(String(parseShard("4/4")), /K counts from 0 to N-1/);
  assertMatch(String(parseShard("1/0")), /N must be at least 1/);
  assertMatch(String(parseShard("a/b")), /expected K\/N/);
  const list = Array.from({ length: 23 }, (_, i) => i);
  for (const n of [1, 2, 3, 5, 30]) {
    const parts = Array.from({ length: n }, (_, k) => shardItems(list, { k, n }));
    assertEquals(parts.flat().sort((a, b) => a - b), list, `N=${n} covers every scan once`);
  }
  assertEquals(shardItems(list, { k: 1, n: 5 }), [1, 6, 11, 16, 21]);
  assertEquals(summaryStem({ k: 1, n: 5 }), "summary-shard-1-of-5");
});

function row(index: number, scan: string, extra: Partial<SummaryRow> = {}): SummaryRow {
  return {
    index: String(index),
    of: "3",
    scan,
    file: `/in/${scan}.nii.gz`,
    status: "done",
    verdict: "healthy",
    reason: "",
    volume_score: "0.0123",
    lesion_volume_mm3: "0",
    largest_component_mm3: "0",
    components: "0",
    warnings: "",
    outputs: `${scan}.json`,
    ...extra,
  };
}

Deno.test("toCsv()/readSummaryCsv(): quoting round-trips commas, quotes and line breaks", () => {
  const tricky = row(0, 'a,"b"', {
    warnings: 'score 3.1, far outside; "not a T1?"\nsecond line',
    file: " lead space",
  });
  const csv = toCsv([tricky, row(1, "plain")]);
  assertEquals(csv.split("\r\n")[1].startsWith('0,3,"a,""b""",'), true, csv);
  assertEquals(readSummaryCsv(csv), [tricky, row(1, "plain")]);
  assertEquals(parseCsv('x,"y\r\nz",""\r\n'), [["x", "y\r\nz", ""]]);
  const html = toHtml([tricky], "t <1>");
  assertEquals(html.includes("<title>t &#60;1&#62;</title>"), true);
  assertEquals(html.includes("a,&#34;b&#34;"), true, "cells are escaped");
  // One warning per line; an escaped quote followed by "; " stays one entity.
  const warned = toHtml([row(0, "w", { warnings: "run 'eval'; then | second" })], "t");
  assertEquals(warned.includes("<td>run &#39;eval&#39;; then<br>second</td>"), true, warned);
});

function fakeResult(dir: string, name: string, verdict: DetectResult["verdict"]): DetectResult {
  return {
    scan: name,
    outputs: { json: join(dir, `${name}.json`) },
    volumeScore: 0.5,
    verdict,
    volumeThreshold: null,
    threshold: 0.1,
    lesions: [
      { voxels: 3, volumeMm3: 3, centroidWorld: [0, 0, 0] },
      { voxels: 1, volumeMm3: 1.5, centroidWorld: [1, 1, 1] },
    ],
    verdictBasis: {
      volumeScore: { value: 0.5, threshold: 0.6, exceeded: false },
      largestComponent: null,
      reason: "score 0.5 under 0.6, largest component under 1 cm³",
    },
    warnings: ["w1", "w; 2"],
  };
}

/** A detector writing only NAME.json (last, as detect does); files in `bad` fail. */
function fakeDetect(bad: Set<string>, calls: string[]) {
  return async (scan: ScanEntry, dir: string, name: string) => {
    calls.push(scan.name);
    if (bad.has(scan.name)) throw new UserError(`${scan.file}: not a NIfTI file`);
    await Deno.mkdir(dir, { recursive: true }); // made only to write, as detectInto does
    const r = fakeResult(dir, name, "healthy");
    await Deno.writeTextFile(join(dir, `${name}.json`), JSON.stringify(r));
    return r;
  };
}

const entries = (...n: string[]): ScanEntry[] =>
  n.map((name, index) => ({ name, index, total: n.length, file: `/in/${name}.nii.gz` }));

Deno.test("runBatch(): summary after each scan, resume skips done scans, failures retried", async () => {
  const root = await tempDir();
  const out = join(root, "out");
  const scans = entries("a/t1", "b/t1", "c");
  const calls: string[] = [], lines: string[] = [], errors: string[] = [];
  const snapshots: string[] = [];
  const detect = fakeDetect(new Set(["b/t1"]), calls);
  const r = await runBatch({
    scans,
    out,
    stem: "summary",
    title: "t",
    detect: async (s, d, n) => {
      // What a run killed now would leave: a valid summary of the scans before this one.
      snapshots.push(await Deno.readTextFile(join(out, "summary.csv")).catch(() => ""));
      return await detect(s, d, n);
    },
    log: (l) => lines.push(l),
    error: (l) => errors.push(l),
    progress: { quiet: true },
  });
  assertEquals([r.done, r.skipped, r.failed], [2, 0, 1]);
  assertEquals(errors, ["error: /in/b/t1.nii.gz: not a NIfTI file"]);
  assertEquals(snapshots[0], "", "no folder and no summary before the first output");
  const afterB = readSummaryCsv(snapshots[2]);
  assertEquals(afterB.map((x) => x.status), ["done", "failed", "pending"]);
  const rows = readSummaryCsv(await Deno.readTextFile(join(out, "summary.csv")));
  assertEquals(rows.map((x) => [x.scan, x.status, x.verdict]), [
    ["a/t1", "done", "healthy"],
    ["b/t1", "failed", ""],
    ["c", "done", "healthy"],
  ]);
  assertEquals(rows[0].warnings, "w1 | w; 2");
  assertEquals(
    [rows[0].lesion_volume_mm3, rows[0].largest_component_mm3, rows[0].components],
    ["4.5", "3", "2"],
  );
  assertEquals(rows[0].reason, "score 0.5 under 0.6, largest component under 1 cm³");
  assertEquals(rows[0].outputs, "a/t1.json", "outputs relative to OUT");
  assertEquals(rows[1].warnings, "/in/b/t1.nii.gz: not a NIfTI file");
  assertEquals(
    await Deno.stat(join(out, "b")).then(() => "made", () => "absent"),
    "absent",
    "the failed scan's folder is removed again",
  );
  assertEquals((await Deno.readTextFile(join(out, "summary.html"))).includes("<table>"), true);
  // Again: the two done scans are skipped with one count line, the failed one is retried.
  calls.length = 0;
  lines.length = 0;
  const again = await runBatch({
    scans,
    out,
    stem: "summary",
    title: "t",
    detect: fakeDetect(new Set(), calls),
    log: (l) => lines.push(l),
    progress: { quiet: true },
  });
  assertEquals(calls, ["b/t1"]);
  assertEquals([again.done, again.skipped, again.failed], [1, 2, 0]);
  assertEquals(lines[0], `2 of 3 scan(s) already done in ${out}: skipped (1 to run)`);
  const final = readSummaryCsv(await Deno.readTextFile(join(out, "summary.csv")));
  assertEquals(final.map((x) => x.status), ["done", "done", "done"]);
});

Deno.test("runBatch(): a batch whose every scan fails leaves no folder behind", async () => {
  const root = await tempDir();
  const out = join(root, "new", "out");
  const r = await runBatch({
    scans: entries("x/y/bad", "z"),
    out,
    stem: "summary",
    title: "t",
    detect: async (scan, dir) => {
      if (scan.name === "z") throw new UserError("z: not a NIfTI file"); // before any write
      await Deno.mkdir(dir, { recursive: true }); // a write that fails after making its folder
      throw new Error("disk full");
    },
    log: () => {},
    error: () => {},
    progress: { quiet: true },
  });
  assertEquals(r.failed, 2);
  assertEquals(await Deno.stat(join(root, "new")).then(() => "made", () => "absent"), "absent");
});

Deno.test("runBatch(): progress lines with the rate and ETA, a heartbeat while a scan runs", async () => {
  const root = await tempDir();
  const lines: string[] = [];
  await runBatch({
    scans: entries("a", "b"),
    out: join(root, "out"),
    stem: "summary",
    title: "t",
    detect: async (s, d, n, onProgress) => {
      await new Promise((r) => setTimeout(r, 120));
      onProgress(16, 70);
      onProgress(70, 70);
      return await fakeDetect(new Set(), [])(s, d, n);
    },
    log: () => {},
    progress: { interval: 40, write: (t) => lines.push(t.trim()) },
  });
  assertMatch(lines[0], /^detect 0\/2 .* elapsed, \? scans\/s, ETA \? \(a\)$/);
  assertEquals(lines.filter((l) => /^detect 0\/2 /.test(l)).length >= 2, true, lines.join("\n"));
  assertMatch(lines.at(-1)!, /^detect 2\/2 .*scans\/s, ETA 0\.0s$/);
  // The scan's last slice batch gets a line of its own (the heartbeat then repeats it).
  assertEquals(lines.some((l) => / \(b: 70\/70 slices\)$/.test(l)), true, lines.join("\n"));
});

Deno.test("mergeShardSummaries(): joins shards; refuses missing, duplicate and overlapping ones", async () => {
  const root = await tempDir();
  const [d0, d1] = [join(root, "n0"), join(root, "n1")];
  await Deno.mkdir(d0);
  await Deno.mkdir(d1);
  const write = (dir: string, k: number, rows: SummaryRow[]) =>
    Deno.writeTextFile(join(dir, `summary-shard-${k}-of-2.csv`), toCsv(rows));
  await write(d0, 0, [row(0, "a"), row(2, "c", { status: "pending", verdict: "" })]);
  await refused(
    () => mergeShardSummaries([d0, d1], join(root, "m")),
    "missing shard 1 of 2",
  );
  await write(d1, 1, [row(1, "b", { outputs: "b.json | b_mask.nii.gz" })]);
  const m = await mergeShardSummaries([d0, d1], join(root, "m"));
  assertEquals(m.rows.map((r) => r.scan), ["a", "b", "c"]);
  assertEquals(m.rows[1].outputs, "../n1/b.json | ../n1/b_mask.nii.gz", "links follow the merge");
  assertMatch(m.warnings.join("\n"), /1 scan\(s\) pending \(shard 0\)/);
  assertEquals(readSummaryCsv(await Deno.readTextFile(m.csv)).length, 3);
  // The same shard twice, a scan in two shards, shards of different lists or jobs.
  await write(d1, 0, [row(0, "a")]);
  await refused(
    () => mergeShardSummaries([d0, d1], root),
    "shard 0 of 2 given twice",
  );
  await Deno.remove(join(d1, "summary-shard-0-of-2.csv"));
  await write(d1, 1, [row(1, "b"), row(3, "a")]);
  await refused(() => mergeShardSummaries([d0, d1], root), "the shards overlap");
  await write(d1, 1, [row(4, "d")]);
  await refused(
    () => mergeShardSummaries([d0, d1], root),
    "is not shard 1 of 2's",
  );
  // A scan added to the archive between the shards' starts: shard 1 found 4 scans, shard 0 3.
  await write(d1, 1, [row(1, "b", { of: "4" }), row(3, "d", { of: "4" })]);
  await refused(() => mergeShardSummaries([d0, d1], root), "the shards found 3 and 4 scans");
  await write(d1, 1, []);
  await refused(() => mergeShardSummaries([d0, d1], root), "scan position 1 is in no shard");
  await Deno.writeTextFile(join(d1, "summary-shard-1-of-3.csv"), toCsv([]));
  await refused(() => mergeShardSummaries([d0, d1], root), "different jobs");
  await refused(
    () => mergeShardSummaries([join(root, "m")], root),
    "no shard summary",
  );
});
