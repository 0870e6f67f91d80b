// `neurad` end to end (subprocesses): help, version, one-line errors for bad flags and unknown
// NEURAD_* settings, `info` naming the backend really in use and every kernel choice, paths from
// INIT_CWD, and nothing left in the temp folder.

import { assert, assertEquals } from "../assert.ts";
import { tempDir } from "../temp_dir.ts";
import { assertOneLineError, runNeurad } from "../cli/_run.ts";
import { main } from "../../src/cli/main.ts";
import { defineCommand, int } from "../../src/cli/command.ts";
import pkg from "../../package.json" with { type: "json" };

Deno.test("neurad --help lists every command; --version prints package.json's version", async () => {
  const help = await runNeurad(["--help"]);
  assertEquals(help.code, 0);
  for (const c of ["info", "inspect", "demo-data", "demo", "bench"]) {
    assert(new RegExp(`^  ${c} `, "m").test(help.stdout), `--help lacks ${c}`);
  }
  const v = await runNeurad(["--version"]);
  assertEquals(v.stdout.trim(), `neurad ${pkg.version}`);
  const sub = await runNeurad(["demo-data", "--help"]);
  assert(sub.code === 0 && sub.stdout.includes("--healthy N"), sub.stdout);
});

Deno.test("bad flags, stray arguments and unknown NEURAD_* values: one line, exit 1", async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["demo-data", "--seed", "abc"], {}, /--seed: expected an integer, got "abc"/],
    [["demo", "--steps", "1.5"], {}, /--steps: expected an integer, got "1\.5"/],
    [["demo-data", "--healthy", "1e9"], {}, /--healthy: 1e9 is above the maximum/],
    [["info", "--bogus"], {}, /--bogus: unknown flag for 'info'/],
    [["info", "stray"], {}, /"stray": 'info' takes no arguments/],
    [["nonsense"], {}, /nonsense: unknown command/],
    [["info"], { NEURAD_MATMUL: "foo" }, /NEURAD_MATMUL=foo: expected one of tiled/],
    [["info"], { NEURAD_TYPO: "1" }, /NEURAD_TYPO: unknown setting/],
  ];
  for (const [args, env, re] of cases) assertOneLineError(await runNeurad(args, { env }), re);
});

Deno.test("in-process: a command's errors and return code go through the one error style", async () => {
  const spec = defineCommand({
    name: "boom",
    summary: "fails",
    flags: { n: int({ help: "n" }) },
    run: ({ n }) => {
      if (n === 2) return Promise.resolve(3);
      throw new Error("first line\nsecond line");
    },
  });
  const errors: string[] = [];
  const orig = console.error;
  console.error = (...a: unknown[]) => errors.push(a.join(" "));
  try {
    assertEquals(await main(["boom"], [spec]), 1);
    assertEquals(await main(["boom", "--n", "2"], [spec]), 3);
  } finally {
    console.error = orig;
  }
  assertEquals(errors, ["error: first line"]);
});

Deno.test({
  name: "info: the backend really in use (vulkan or gl), a vendor name, every kernel choice",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const vk = await runNeurad(["info", "--json"]);
    assertEquals(vk.code, 0, vk.stderr);
    const info = JSON.parse(vk.stdout);
    assert(!/^\d+$/.test(info.vendor) && !/^0x/i.test(info.vendor), `vendor ${info.vendor}`);
    assertEquals(Object.keys(info.kernels).sort(), [
      "conv",
      "conv (transposed, stride-dilated input)",
      "matmul",
      "nearestCode",
    ]);
    // The same adapter through wgpu's GL backend is recognised as GL, without being told.
    const gl = await runNeurad(["info", "--json"], {
      env: { VK_ICD_FILENAMES: "/nonexistent", DENO_WEBGPU_BACKEND: null },
    });
    if (gl.code === 0) assertEquals(JSON.parse(gl.stdout).backend, "gl");
    // The backend asked for, else on Linux Vulkan where a Vulkan driver is installed, else GL.
    const asked = Deno.env.get("DENO_WEBGPU_BACKEND");
    if (asked) assertEquals(info.backend, asked);
    else if (Deno.build.os === "linux") {
      assertEquals(info.backend, vulkanDriverInstalled() ? "vulkan" : "gl");
    }
    assertEquals(info.selfCheck.status, "passed");
    const forced = await runNeurad(["info", "--json"], { env: { NEURAD_MATMUL: "register" } });
    assertEquals(JSON.parse(forced.stdout).kernels.matmul, "register");
  },
});

Deno.test("no adapter: `deno task test` prints one line saying why and fails", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    // The filter matches no test, so a wrongly passing preflight cannot recurse into the suite.
    args: ["task", "test", "--filter", "__no_test_has_this_name__"],
    cwd: new URL("../../", import.meta.url).pathname,
    env: { VK_ICD_FILENAMES: "/nonexistent", DENO_WEBGPU_BACKEND: "vulkan" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr).trim().split("\n")
    // deno-lint-ignore no-control-regex -- strips ANSI colours
    .map((l) => l.replace(/\x1b\[[0-9;]*m/g, ""))
    .filter((l) => !l.startsWith("Task ")); // deno task echoes the command it runs
  assert(out.code !== 0, "deno task test passed without an adapter");
  assertEquals(err.length, 1, err.join("\n"));
  assert(/needs WebGPU: no WebGPU adapter found.*mesa-vulkan-drivers/.test(err[0]), err[0]);
});

Deno.test("paths resolve from INIT_CWD; nothing is left in the temp folder", async () => {
  const user = await tempDir("neurad-user-");
  const tmp = await tempDir("neurad-tmpdir-");
  Deno.copyFileSync(
    new URL("../fixtures/data/handmade/int16_le_ASL.nii", import.meta.url),
    `${user}/scan.nii`,
  );
  const r = await runNeurad(["inspect", "scan.nii"], {
    env: { INIT_CWD: user, TMPDIR: tmp, XDG_RUNTIME_DIR: null },
  });
  assertEquals(r.code, 0, r.stderr);
  assert(r.stdout.startsWith("scan.nii  dims"), r.stdout);
  const i = await runNeurad(["info"], { env: { TMPDIR: tmp, XDG_RUNTIME_DIR: null } });
  assertEquals(i.code, 0, i.stderr);
  assertEquals(i.stderr, "", "no loader warnings without XDG_RUNTIME_DIR");
  assertEquals([...Deno.readDirSync(tmp)].map((e) => e.name), []);
});

/** True when a Vulkan ICD manifest is installed (Mesa's lavapipe on CI). */
function vulkanDriverInstalled(): boolean {
  for (const dir of ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d"]) {
    try {
      for (const e of Deno.readDirSync(dir)) if (e.name.endsWith(".json")) return true;
    } catch { /* no such folder */ }
  }
  return false;
}
