/**
 * assignSplits() is subject-level, seeded and order-independent; healthy subjects go 70/10/20
 * with at least MIN_HEALTHY_PER_SPLIT (3) in validation and in test, pathological ones 1/3 val and
 * 2/3 test; too few healthy subjects keep 70/10/20 with one warning line.
 */
import assert from "node:assert/strict";
import type { Subject } from "../../src/data/mod.ts";
import { assignSplits, healthySplitSizes, MIN_HEALTHY_PER_SPLIT } from "../../src/data/splits.ts";

const cohort = (healthy: number, sick: number): Subject[] => [
  ...Array.from(
    { length: healthy },
    (_, i) => ({ id: `h${i}`, layout: "ixi" as const, image: `h${i}`, pathological: false }),
  ),
  ...Array.from(
    { length: sick },
    (_, i) => ({ id: `p${i}`, layout: "brats" as const, image: `p${i}`, pathological: true }),
  ),
];
const subjects = cohort(20, 9);

function counts(list: Subject[], s: Map<string, string>) {
  const c = (p: boolean, split: string) =>
    list.filter((x) => x.pathological === p && s.get(x.id) === split).length;
  return {
    healthy: [c(false, "train"), c(false, "val"), c(false, "test")],
    sick: [c(true, "train"), c(true, "val"), c(true, "test")],
  };
}

Deno.test("assignSplits() gives healthy 70/10/20 raised to 3 val, pathological 1/3 val, 2/3 test", () => {
  const s = assignSplits(subjects, 3);
  // 70/10/20 of 20 is 14/2/4: validation is raised to 3 from the training share.
  assert.deepEqual(counts(subjects, s), { healthy: [13, 3, 4], sick: [0, 3, 6] });
  assert.equal(s.size, subjects.length, "every subject on exactly one side");
  // Plenty of subjects: the minimums change nothing.
  const big = cohort(100, 30);
  assert.deepEqual(counts(big, assignSplits(big, 3)).healthy, [70, 10, 20]);
});

Deno.test("assignSplits() keeps 3 healthy validation and test subjects in a 12-subject cohort", () => {
  // The demo cohort's 12 healthy subjects: 70/10/20 would leave one healthy validation subject
  // to calibrate every healthy-FPR and volume threshold.
  const demo = cohort(12, 12);
  assert.deepEqual(healthySplitSizes(12, { val: 0, test: 0 }), {
    train: 8,
    val: 1,
    test: 3,
    meetsMinimum: true,
  });
  assert.deepEqual(counts(demo, assignSplits(demo, 1)).healthy, [6, 3, 3]);
  assert.deepEqual(MIN_HEALTHY_PER_SPLIT, { val: 3, test: 3 });
  // Configurable.
  assert.deepEqual(
    counts(demo, assignSplits(demo, 1, { minHealthy: { val: 2, test: 4 } })).healthy,
    [6, 2, 4],
  );
  assert.deepEqual(
    counts(demo, assignSplits(demo, 1, { minHealthy: { val: 0, test: 0 } })).healthy,
    [8, 1, 3],
  );
  // The same subjects keep their order: only the boundaries move.
  const a = assignSplits(demo, 1), b = assignSplits(demo, 1, { minHealthy: { val: 0, test: 0 } });
  const order = (m: Map<string, string>, split: string) =>
    [...m].filter(([id, v]) => id.startsWith("h") && v === split).map(([id]) => id);
  assert.ok(order(a, "train").every((id) => order(b, "train").includes(id)));
});

Deno.test("assignSplits() with too few healthy subjects keeps 70/10/20 and warns once", () => {
  const lines: string[] = [];
  const six = cohort(6, 3);
  const s = assignSplits(six, 3, { warn: (l) => lines.push(l) });
  assert.deepEqual(counts(six, s).healthy, [4, 1, 1]);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^warning: 6 healthy subjects cannot give validation 3 and test 3/);
  assert.match(lines[0], /calibrated on 1 healthy validation subject$/);
  assert.ok(!lines[0].includes("\n"));
  // Exactly enough: 3 + 3 + 1.
  const seven: string[] = [];
  assert.deepEqual(
    counts(cohort(7, 0), assignSplits(cohort(7, 0), 3, { warn: (l) => seven.push(l) })).healthy,
    [1, 3, 3],
  );
  assert.deepEqual(seven, []);
  assert.throws(() => healthySplitSizes(10, { val: -1, test: 3 }), /minHealthy.val -1/);
});

Deno.test("assignSplits() depends on the seed but not on input order", () => {
  const a = assignSplits(subjects, 3);
  const b = assignSplits(subjects.slice().reverse(), 3);
  assert.deepEqual([...a.entries()].sort(), [...b.entries()].sort());
  const c = assignSplits(subjects, 4);
  assert.notDeepEqual([...a.entries()].sort(), [...c.entries()].sort());
});
