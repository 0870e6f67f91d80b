// The module graph of a source file as Deno resolves it (`deno info --json`: static, dynamic and
// type-only imports, transitively), as repository-relative paths, for tests that pin which parts
// of the application a module may reach.

const ROOT = new URL("../../", import.meta.url).href;

/** Repository-relative paths of every local module `entry` (repository-relative) reaches. */
export async function moduleGraph(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: new URL(ROOT),
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`deno info ${entry}: ${new TextDecoder().decode(out.stderr)}`);
  }
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string }[];
  };
  return graph.modules.map((m) => m.specifier).filter((s) => s.startsWith(ROOT)).map((s) =>
    s.slice(ROOT.length)
  ).sort();
}
