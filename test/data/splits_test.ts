/** assignSplits() is subject-level, seeded, order-independent and follows 70/10/20 and 1/3–2/3. */
import assert from "node:assert/strict";
import { assignSplits, type Subject } from "../../src/data/mod.ts";

const subjects: Subject[] = [
  ...Array.from(
    { length: 20 },
    (_, i) => ({ id: `h${i}`, layout: "ixi" as const, image: `h${i}`, pathological: false }),
  ),
  ...Array.from(
    { length: 9 },
    (_, i) => ({ id: `p${i}`, layout: "brats" as const, image: `p${i}`, pathological: true }),
  ),
];

Deno.test("assignSplits() gives healthy 70/10/20 and pathological 1/3 val, 2/3 test", () => {
  const s = assignSplits(subjects, 3);
  const count = (p: boolean, split: string) =>
    subjects.filter((x) => x.pathological === p && s.get(x.id) === split).length;
  assert.deepEqual([count(false, "train"), count(false, "val"), count(false, "test")], [14, 2, 4]);
  assert.deepEqual([count(true, "train"), count(true, "val"), count(true, "test")], [0, 3, 6]);
  assert.equal(s.size, subjects.length, "every subject on exactly one side");
});

Deno.test("assignSplits() depends on the seed but not on input order", () => {
  const a = assignSplits(subjects, 3);
  const b = assignSplits(subjects.slice().reverse(), 3);
  assert.deepEqual([...a.entries()].sort(), [...b.entries()].sort());
  const c = assignSplits(subjects, 4);
  assert.notDeepEqual([...a.entries()].sort(), [...c.entries()].sort());
});
