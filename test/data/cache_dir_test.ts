// The preprocessing cache lives in one place, the user's cache folder (src/data/cache_dir.ts), not
// relative to the folder a command runs in: the platform rules, NEURAD_CACHE_DIR, the config's
// "auto" / "" / path, and a preset's data really cached there (it went to ./.cache/neurad).

import { assert, assertEquals } from "../assert.ts";
import { tempDir } from "../temp_dir.ts";
import { AUTO_CACHE_DIR, preprocessCacheDir, userCacheDir } from "../../src/data/cache_dir.ts";
import { PRESET_NAMES, presetConfig } from "../../src/train/presets.ts";
import { loadTrainData } from "../../src/train/train_data.ts";
import { writeTinyNiftiSet } from "../train/_tiny_data.ts";
import { checkNeuradEnv } from "../../src/util/env.ts";
import { main } from "../../src/cli/main.ts";

Deno.test("userCacheDir(): XDG or ~/.cache on Linux, ~/Library/Caches on macOS, LOCALAPPDATA on Windows", () => {
  const cases: [Record<string, string>, typeof Deno.build.os, string | undefined][] = [
    [{ HOME: "/home/u" }, "linux", "/home/u/.cache/neurad"],
    [{ HOME: "/home/u", XDG_CACHE_HOME: "/var/c" }, "linux", "/var/c/neurad"],
    [{ HOME: "/home/u", XDG_CACHE_HOME: "rel" }, "linux", "/home/u/.cache/neurad"],
    [{ HOME: "/home/u" }, "freebsd", "/home/u/.cache/neurad"],
    [{ HOME: "/Users/u", XDG_CACHE_HOME: "/x" }, "darwin", "/Users/u/Library/Caches/neurad"],
    [
      { LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" },
      "windows",
      "C:\\Users\\u\\AppData\\Local\\neurad",
    ],
    [{ USERPROFILE: "C:\\Users\\u" }, "windows", "C:\\Users\\u\\AppData\\Local\\neurad"],
    [{ HOME: "/home/u", NEURAD_CACHE_DIR: "/big/disk" }, "linux", "/big/disk"],
    [{ NEURAD_CACHE_DIR: "c", INIT_CWD: "/work" }, "darwin", "/work/c"],
    [{}, "linux", undefined],
  ];
  for (const [env, os, want] of cases) {
    assertEquals(userCacheDir(env, os), want, `${os} ${JSON.stringify(env)}`);
  }
});

Deno.test("data.cacheDir: 'auto' (and the old '.cache/neurad') is the user's folder, '' none", () => {
  const user = userCacheDir();
  assert(user !== undefined && user.startsWith("/"), `${user}`);
  assertEquals(preprocessCacheDir(AUTO_CACHE_DIR), user);
  assertEquals(preprocessCacheDir(".cache/neurad"), user);
  assertEquals(preprocessCacheDir(""), undefined);
  assertEquals(preprocessCacheDir("/abs/c"), "/abs/c");
  for (const name of PRESET_NAMES) {
    const d = presetConfig(name).data;
    assert(d.cacheDir === AUTO_CACHE_DIR || d.cacheDir === "", `${name}: ${d.cacheDir}`);
  }
});

Deno.test("a preset's data is cached in NEURAD_CACHE_DIR, never under the working folder", async () => {
  const tmp = await tempDir("neurad-cache-test-");
  await writeTinyNiftiSet(`${tmp}/data`, 4);
  const old = Deno.env.get("NEURAD_CACHE_DIR");
  Deno.env.set("NEURAD_CACHE_DIR", `${tmp}/cache`);
  try {
    const d = presetConfig("demo").data;
    await loadTrainData({ ...d, dir: `${tmp}/data`, preprocess: { smoothing: "none" } }, true);
  } finally {
    if (old === undefined) Deno.env.delete("NEURAD_CACHE_DIR");
    else Deno.env.set("NEURAD_CACHE_DIR", old);
  }
  const entries = [...Deno.readDirSync(`${tmp}/cache`)].filter((e) => e.name.endsWith(".bin"));
  assert(entries.length >= 2, "an entry per training and validation subject");
});

Deno.test("the test suite's own cache is a temp folder, not the user's", () => {
  const dir = Deno.env.get("NEURAD_CACHE_DIR") ?? "";
  const home = Deno.env.get("HOME");
  assert(dir !== "" && !(home && dir.startsWith(`${home}/.cache`)), dir);
});

Deno.test("neurad info prints the cache folder; NEURAD_CACHE_DIR is a known setting", async () => {
  checkNeuradEnv({ NEURAD_CACHE_DIR: "/any/where" });
  const out: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  try {
    assertEquals(await main(["info"]), 0);
  } finally {
    console.log = log;
  }
  const want = `cache:     ${Deno.env.get("NEURAD_CACHE_DIR")} `;
  assert(out.some((l) => l.startsWith(want)), out.join("\n"));
});
