// `deno task serve`: serves dist/web (the page `deno task web` builds; built first when missing)
// on 127.0.0.1 only and prints the URL. A static file server and nothing more: GET/HEAD of files
// under the folder, no directory listing, no path outside it; the page itself makes no request
// after it loads.
//
//   deno task serve [--port N] [--dir DIR]

import { extname, join, normalize } from "node:path";
import { buildWeb, DEFAULT_OUT } from "./build_web.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".png": "image/png",
  ".neurad": "application/octet-stream",
  ".gz": "application/gzip",
  ".nii": "application/octet-stream",
};

/** A handler serving the files of `dir` (index.html for "/"). */
export function staticHandler(dir: string): (req: Request) => Promise<Response> {
  const root = normalize(dir + "/");
  return async (req) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405 });
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url).pathname);
    } catch {
      return new Response("bad path\n", { status: 400 });
    }
    if (path.endsWith("/")) path += "index.html";
    const file = normalize(join(root, path));
    if (!file.startsWith(root) || path.includes("\0")) {
      return new Response("not found\n", { status: 404 });
    }
    try {
      const body = await Deno.readFile(file);
      return new Response(req.method === "HEAD" ? null : body, {
        headers: {
          "content-type": TYPES[extname(file)] ?? "application/octet-stream",
          "cache-control": "no-store",
        },
      });
    } catch {
      return new Response("not found\n", { status: 404 });
    }
  };
}

if (import.meta.main) {
  const args = [...Deno.args];
  const value = (name: string) => {
    const i = args.indexOf(name);
    return i < 0 ? undefined : args[i + 1];
  };
  const bad = args.find((a, i) =>
    a.startsWith("--")
      ? !["--port", "--dir"].includes(a)
      : !["--port", "--dir"].includes(args[i - 1])
  );
  const port = Number(value("--port") ?? 8080);
  if (bad !== undefined || !Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`error: usage: deno task serve [--port N] [--dir DIR]`);
    Deno.exit(2);
  }
  const dir = value("--dir") ?? join(DEFAULT_OUT, "..");
  try {
    await Deno.stat(join(dir, "index.html"));
  } catch {
    if (value("--dir")) {
      console.error(`error: ${dir}: no index.html (build the page with 'npx deno task web')`);
      Deno.exit(1);
    }
    console.log("dist/web/index.html is missing: building it (npx deno task web)…");
    await buildWeb();
  }
  Deno.serve({
    hostname: "127.0.0.1",
    port,
    onListen: ({ port }) =>
      console.log(
        `neurad page: http://127.0.0.1:${port}/  (Ctrl-C stops; only this machine can reach it)`,
      ),
  }, staticHandler(dir));
}
