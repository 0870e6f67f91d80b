// Path joining for run directories without a std dependency ("/" works on every Deno platform).

/** Joins path segments with "/" (collapsing duplicate separators). */
export function join(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/").replace(/\/+/g, "/");
}
