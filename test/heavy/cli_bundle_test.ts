// `deno task bundle` → one file that runs without the repository: built into an empty temp
// folder, then every step runs from there (`deno run -A neurad.js …`, paths relative to it).
// Adding a step is one line in STEPS. The size docs/cli.md states is the size built.

import { assert, assertEquals } from "../assert.ts";
import { tempDir } from "../temp_dir.ts";
import { DENO, runNeurad } from "../cli/_run.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** [what, arguments, what stdout must match], run in order from the empty folder. */
const STEPS: [string, string[], RegExp][] = [
  ["info", ["info"], /^backend: {3}(vulkan|gl|metal|dx12)$/m],
  ["demo-data", [
    "demo-data",
    "--out",
    "cohort",
    "--healthy",
    "5",
    "--tumour",
    "0",
    "--stroke",
    "0",
    "-q",
  ], /^wrote 5 subjects to /],
  [
    "inspect",
    ["inspect", "cohort/ixi/IXI9001-DEMO-0001-T1.nii.gz"],
    /^cohort\/ixi\/IXI9001-DEMO-0001-T1\.nii\.gz {2}dims 181×217×181 /,
  ],
  ["train", [
    "train",
    "--preset",
    "demo",
    "--data",
    "cohort",
    "--out",
    "run",
    "--steps",
    "2",
    "--model.options.widthMultiplier",
    "0.125",
    "-q",
  ], /step 2\b/],
  [
    "detect",
    ["detect", "--run", "run", "--out", "maps", "cohort/ixi/IXI9005-DEMO-0005-T1.nii.gz"],
    /cohort\/ixi\/IXI9005-DEMO-0005-T1\.nii\.gz: unknown \(volume score \d/,
  ],
  ["--version", ["--version"], /^neurad \d+\.\d+\.\d+/],
];

Deno.test({
  name: "bundle: dist/neurad.js runs info, demo-data, inspect, train, detect from an empty folder",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const build = await tempDir("neurad-bundle-");
    const b = await new Deno.Command(DENO, {
      args: ["run", "-A", "tools/bundle.ts", "--out", `${build}/neurad.js`],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(b.code, 0, new TextDecoder().decode(b.stderr));
    const text = Deno.readTextFileSync(`${build}/neurad.js`);
    assert(text.includes("@compute"), "the WGSL shaders are inside the bundle");
    // docs/cli.md states the size it measured: within 10 % of the bundle built now.
    const doc = Deno.readTextFileSync(`${ROOT}docs/cli.md`);
    const stated = /`dist\/neurad\.js` \(([\d.]+) MiB/.exec(doc);
    assert(stated, "docs/cli.md states the bundle's size");
    const mib = Deno.statSync(`${build}/neurad.js`).size / 2 ** 20;
    assert(
      Math.abs(mib / Number(stated[1]) - 1) < 0.1,
      `docs/cli.md says ${stated[1]} MiB, the bundle is ${mib.toFixed(2)} MiB`,
    );
    const empty = await tempDir("neurad-bundle-run-");
    Deno.copyFileSync(`${build}/neurad.js`, `${empty}/neurad.js`);
    for (const [what, args, re] of STEPS) {
      const r = await runNeurad(args, {
        entry: "neurad.js",
        cwd: empty,
        env: { INIT_CWD: null, NEURAD_DEBUG: "1" },
      });
      if (r.code !== 0 || !re.test(r.stdout)) {
        throw new Error(`bundle step ${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
      }
    }
  },
});
