// node:path for the browser build: the POSIX functions the application imports (join, basename,
// dirname, extname, normalize, resolve, relative, isAbsolute; win32.join), pure string work with
// no host. The web build (tools/build_web.ts) aliases `node:path` to this file, so application
// code that joins paths (run directories, output names) bundles unchanged; in the page paths are
// only names.

export const sep = "/";
export const delimiter = ":";

/** Collapses `.`, `..` and repeated slashes; keeps a leading slash and a trailing one. */
export function normalize(p: string): string {
  if (p === "") return ".";
  const abs = p.startsWith("/");
  const trailing = p.endsWith("/");
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length && out[out.length - 1] !== "..") out.pop();
      else if (!abs) out.push("..");
    } else out.push(part);
  }
  let s = (abs ? "/" : "") + out.join("/");
  if (s === "") s = abs ? "/" : ".";
  if (trailing && s !== "/") s += "/";
  return s;
}

export function isAbsolute(p: string): boolean {
  return p.startsWith("/");
}

export function join(...parts: string[]): string {
  const kept = parts.filter((p) => p !== "");
  return kept.length ? normalize(kept.join("/")) : ".";
}

/** Resolves against "/" (the page has no working directory). */
export function resolve(...parts: string[]): string {
  let s = "";
  for (let i = parts.length - 1; i >= 0 && !s.startsWith("/"); i--) {
    if (parts[i]) s = s ? `${parts[i]}/${s}` : parts[i];
  }
  const n = normalize("/" + s);
  return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
}

export function relative(from: string, to: string): string {
  const a = resolve(from).split("/").filter(Boolean);
  const b = resolve(to).split("/").filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => ".."), ...b.slice(i)].join("/");
}

function trimTrailing(p: string): string {
  let e = p.length;
  while (e > 1 && p[e - 1] === "/") e--;
  return p.slice(0, e);
}

export function basename(p: string, ext?: string): string {
  const t = trimTrailing(p);
  let b = t.slice(t.lastIndexOf("/") + 1);
  if (ext && b.endsWith(ext) && b !== ext) b = b.slice(0, -ext.length);
  return b;
}

/** Everything before the last component, as node:path writes it (repeated slashes kept). */
export function dirname(p: string): string {
  if (p.length === 0) return ".";
  const root = p[0] === "/";
  let end = -1, trailing = true;
  for (let i = p.length - 1; i >= 1; i--) {
    if (p[i] === "/") {
      if (!trailing) {
        end = i;
        break;
      }
    } else trailing = false;
  }
  if (end === -1) return root ? "/" : ".";
  if (root && end === 1) return "//";
  return p.slice(0, end);
}

export function extname(p: string): string {
  const b = basename(p);
  const i = b.lastIndexOf(".");
  return i <= 0 || b === ".." ? "" : b.slice(i);
}

/** Windows joins (cache folders under %LOCALAPPDATA%): both separators read, `\\` written. */
function win32Join(...parts: string[]): string {
  const kept = parts.filter((p) => p !== "");
  if (kept.length === 0) return ".";
  const n = normalize(kept.join("/").replace(/\\/g, "/"));
  return n.replace(/\//g, "\\");
}

export const win32 = { sep: "\\", delimiter: ";", join: win32Join };

export const posix = {
  sep,
  delimiter,
  normalize,
  isAbsolute,
  join,
  resolve,
  relative,
  basename,
  dirname,
  extname,
};
export default posix;
