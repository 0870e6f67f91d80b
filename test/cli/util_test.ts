// The one atomic writer, progress reporter, host PRNG and NEURAD_* registry (src/util/).

import { assert, assertEquals, assertRejects, assertThrows } from "../assert.ts";
import { tempDir } from "../temp_dir.ts";
import { tempNameBeside, writeFileAtomic } from "../../src/util/atomic_write.ts";
import { ProgressBar } from "../../src/util/progress.ts";
import { hashU32, Prng } from "../../src/core/prng.ts";
import { envChoice } from "../../src/core/env.ts";
import { checkNeuradEnv } from "../../src/util/env.ts";
import { readSafetensors, writeSafetensors } from "../../src/io/safetensors.ts";

Deno.test("writeFileAtomic: unique temp names; on failure the temp file is removed", async () => {
  const dir = await tempDir("neurad-atomic-");
  const names = new Set(Array.from({ length: 100 }, () => tempNameBeside(`${dir}/x`)));
  assertEquals(names.size, 100);
  // Concurrent writers of one target never share a temp file; the last rename wins whole.
  await Promise.all([1, 2, 3, 4].map((k) => writeFileAtomic(`${dir}/x`, new Uint8Array(k * 1000))));
  assert([1000, 2000, 3000, 4000].includes(Deno.statSync(`${dir}/x`).size));
  // The target is a folder: the rename fails, the error propagates and no temp file remains.
  Deno.mkdirSync(`${dir}/target`);
  Deno.writeTextFileSync(`${dir}/target/keep`, "x");
  await assertRejects(() => writeFileAtomic(`${dir}/target`, new Uint8Array(8)), /./);
  assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["target", "x"]);
});

Deno.test("writeSafetensors writes through the atomic writer (no temp file left on failure)", async () => {
  const dir = await tempDir("neurad-st-");
  const t = new Map([["a", { dtype: "F32" as const, shape: [2], data: new Float32Array([1, 2]) }]]);
  await writeSafetensors(`${dir}/ok.safetensors`, t);
  assertEquals([...(await readSafetensors(`${dir}/ok.safetensors`)).tensors.get("a")!.data], [
    1,
    2,
  ]);
  Deno.mkdirSync(`${dir}/bad.safetensors`);
  Deno.writeTextFileSync(`${dir}/bad.safetensors/x`, "x");
  await assertRejects(() => writeSafetensors(`${dir}/bad.safetensors`, t), /./);
  assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
    "bad.safetensors",
    "ok.safetensors",
  ]);
});

Deno.test("ProgressBar: plain lines off a terminal (first, throttled, last) with an ETA", () => {
  const lines: string[] = [];
  const bar = new ProgressBar("train", 4, {
    tty: false,
    interval: 1e9,
    write: (t) => lines.push(t),
  });
  for (let i = 1; i <= 4; i++) bar.update(i, `loss ${i}`);
  assertEquals(lines.length, 2);
  assert(/^train 1\/4 \d+\.\ds elapsed, ETA \d+\.\ds loss 1\n$/.test(lines[0]), lines[0]);
  assert(/^train 4\/4 .* ETA 0\.0s loss 4\n$/.test(lines[1]), lines[1]);
  assertEquals(bar.format(1, 10), "train 1/4 10.0s elapsed, ETA 30.0s");
  const tty: string[] = [];
  new ProgressBar("x", 2, { tty: true, width: 4, write: (t) => tty.push(t) }).update(1);
  assert(tty[0].startsWith("\r\x1b[2Kx ██░░ 1/2"), JSON.stringify(tty[0]));
  const quiet: string[] = [];
  new ProgressBar("q", 2, { quiet: true, write: (t) => quiet.push(t) }).update(2);
  assertEquals(quiet, []);
});

Deno.test("Prng: a seeded stream over hashU32; uniform, int, normal, shuffle", () => {
  const a = new Prng(42), b = new Prng(42), c = new Prng(43);
  const xs = Array.from({ length: 1000 }, () => a.next());
  assertEquals(xs, Array.from({ length: 1000 }, () => b.next()));
  assert(c.next() !== xs[0], "another seed, another stream");
  assert(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
  const ints = Array.from({ length: 500 }, () => a.int(2, 4));
  assertEquals([...new Set(ints)].sort(), [2, 3, 4]);
  const ns = Array.from({ length: 2000 }, () => a.normal());
  const m = ns.reduce((s, x) => s + x, 0) / ns.length;
  const v = ns.reduce((s, x) => s + (x - m) ** 2, 0) / ns.length;
  assert(Math.abs(m) < 0.1 && Math.abs(v - 1) < 0.1, `normal mean ${m} var ${v}`);
  assertEquals(a.shuffle([1, 2, 3, 4, 5]).sort(), [1, 2, 3, 4, 5]);
  // hashU32 is the counter-based primitive mirrored in tools/fixtures/eval_fixtures.py.
  assertEquals([hashU32(0, 0), hashU32(1, 2)].every((x) => Number.isInteger(x) && x >= 0), true);
});

Deno.test("NEURAD_* settings: unknown names and values are refused in one line", () => {
  checkNeuradEnv({ NEURAD_MATMUL: "register", NEURAD_CONV: "", HOME: "/x" });
  assertThrows(() => checkNeuradEnv({ NEURAD_MATMUL: "foo" }), /^NEURAD_MATMUL=foo: expected/);
  assertThrows(() => checkNeuradEnv({ NEURAD_MATMULL: "tiled" }), /^NEURAD_MATMULL: unknown/);
  const old = Deno.env.get("NEURAD_CONV");
  try {
    Deno.env.set("NEURAD_CONV", "fast");
    assertThrows(
      () => envChoice("NEURAD_CONV"),
      /^NEURAD_CONV=fast: expected one of direct, gemm, phased$/,
    );
    Deno.env.set("NEURAD_CONV", "direct");
    assertEquals(envChoice("NEURAD_CONV"), "direct");
  } finally {
    if (old === undefined) Deno.env.delete("NEURAD_CONV");
    else Deno.env.set("NEURAD_CONV", old);
  }
});
