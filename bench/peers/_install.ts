// Installs a peer bench's packages (pinned versions) into a temporary folder with npm, outside
// the project: they are benchmark peers, not dependencies. The folder is named by the packages
// and versions, so a second run reuses it; `--ignore-scripts` because install scripts of some
// peers download native binaries this machine cannot reach.

import { join } from "node:path";

/** The node_modules folder holding `pkgs` (name → exact version), installing them if needed. */
export async function peerPackages(pkgs: Record<string, string>): Promise<string> {
  const tmp = Deno.env.get("TMPDIR") ?? "/tmp";
  const id = Object.entries(pkgs).map(([n, v]) => `${n}@${v}`).join("+").replace(/[^\w.@+-]/g, "_");
  const dir = join(tmp, "neurad-peers", id);
  const nm = join(dir, "node_modules");
  const installed = () =>
    Object.entries(pkgs).every(([n, v]) => {
      try {
        return JSON.parse(Deno.readTextFileSync(join(nm, n, "package.json"))).version === v;
      } catch {
        return false;
      }
    });
  if (installed()) return nm;
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeTextFileSync(join(dir, "package.json"), JSON.stringify({ private: true }));
  const spec = Object.entries(pkgs).map(([n, v]) => `${n}@${v}`);
  console.error(`installing ${spec.join(", ")} into ${dir} (npm) …`);
  const out = await new Deno.Command("npm", {
    args: ["install", "--ignore-scripts", "--no-audit", "--no-fund", ...spec],
    cwd: dir,
    stdout: "null",
    stderr: "piped",
  }).output().catch((e) => ({ success: false, stderr: new TextEncoder().encode(String(e)) }));
  if (!out.success || !installed()) {
    const why = new TextDecoder().decode(out.stderr).trim().split("\n").pop();
    throw new Error(`peer bench: npm install ${spec.join(" ")} failed: ${why}`);
  }
  return nm;
}

/** A file URL inside an installed package, for dynamic import(). */
export const packageUrl = (nm: string, path: string) => new URL(`file://${join(nm, path)}`).href;
