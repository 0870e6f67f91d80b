// `deno task compile` for real: either it builds dist-like binary that answers --version, or (no
// network, no DENORT_BIN) it says in one line how to provide the runtime. Downloads ~100 MB.

import { assert } from "../assert.ts";
import { tempDir } from "../temp_dir.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("compile: a binary that runs, or one line naming DENORT_BIN", async () => {
  const out = `${await tempDir("neurad-compile-")}/neurad`;
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tools/compile.ts", "--out", out],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(r.stderr).trim();
  if (r.code !== 0) {
    assert(err.split("\n").length === 1 && /DENORT_BIN/.test(err), err);
    return;
  }
  const v = await new Deno.Command(out, { args: ["--version"], stdout: "piped" }).output();
  assert(/^neurad \d/.test(new TextDecoder().decode(v.stdout)), "the binary prints its version");
});
