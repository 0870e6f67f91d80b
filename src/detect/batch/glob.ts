/**
 * Glob patterns for `neurad detect DIR_OR_GLOB...`, matched here rather than left to the shell so
 * a quoted pattern (`'archive/**\/*.nii.gz'`) means the same on every machine of a cluster and in
 * a Slurm or Kubernetes job spec, where no shell may expand it. The syntax is the usual one:
 * `*` (any run of characters within one path segment), `?` (one character), `[abc]`, `[a-z]`,
 * `[!abc]`, `{a,b}` (alternatives, nestable) and `**` as a whole segment (zero or more folders).
 * A leading dot is matched like any other character. Paths use `/`.
 * @module
 */

import { UserError } from "../../core/errors.ts";

/** Whether `s` holds a glob character (then a path that does not exist is read as a pattern). */
export function hasGlobMagic(s: string): boolean {
  return /[*?[{]/.test(s);
}

/**
 * The folder a pattern's matches lie under: its leading segments up to the first with a glob
 * character (`/data/ixi/**\/*.nii.gz` → `/data/ixi`). Names of the matches are kept relative to it.
 */
export function globBase(pattern: string): string {
  const segs = pattern.split("/");
  const fixed: string[] = [];
  for (const s of segs.slice(0, -1)) {
    if (hasGlobMagic(s)) break;
    fixed.push(s);
  }
  const base = fixed.join("/");
  return base === "" ? (pattern.startsWith("/") ? "/" : ".") : base;
}

/** A RegExp matching exactly the paths `pattern` names (whole path, `/`-separated). */
export function globToRegExp(pattern: string): RegExp {
  const segs = pattern.split("/");
  let re = "";
  for (let i = 0; i < segs.length; i++) {
    const last = i === segs.length - 1;
    if (segs[i] === "**") {
      // Zero or more whole segments: "a/**/b" matches a/b, a/x/b, a/x/y/b; a final ** anything.
      re += last ? ".*" : "(?:[^/]*/)*";
      continue;
    }
    re += segment(segs[i], pattern) + (last ? "" : "/");
  }
  return new RegExp(`^${re}$`);
}

/** One segment's pattern as a RegExp source (never crossing `/`). */
function segment(s: string, pattern: string): string {
  let out = "";
  let depth = 0; // open `{` groups
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const end = s.indexOf("]", i + 2);
      if (end < 0) throw new UserError(`${pattern}: unclosed '[' in the pattern`);
      let body = s.slice(i + 1, end);
      const negate = body.startsWith("!") || body.startsWith("^");
      if (negate) body = body.slice(1);
      out += `[${negate ? "^/" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = end;
    } else if (c === "{") {
      depth++;
      out += "(?:";
    } else if (c === "," && depth > 0) out += "|";
    else if (c === "}" && depth > 0) {
      depth--;
      out += ")";
    } else out += c.replace(/[.+^$()|\\{}]/g, "\\$&");
  }
  if (depth > 0) throw new UserError(`${pattern}: unclosed '{' in the pattern`);
  return out;
}
