/**
 * Path helpers for the stores (no @std/path: JSR is out of reach). Where clauth's own folders
 * are is the CLI's business: cli/folders.ts.
 *
 * @module
 */

/** Joins path parts with the platform separator (no @std/path: JSR is out of reach). */
export function join(...parts: string[]): string {
  const sep = Deno.build.os === "windows" ? "\\" : "/";
  return parts.map((
    part,
    i,
  ) => (i === 0 ? part.replace(/[\\/]+$/, "") : part.replace(/^[\\/]+|[\\/]+$/g, "")))
    .filter((part, i) => i === 0 || part !== "")
    .join(sep);
}

/** The folder part of a path ("/a/b/c.json" -> "/a/b"). */
export function parentDir(path: string): string {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return cut <= 0 ? (cut === 0 ? path.slice(0, 1) : ".") : path.slice(0, cut);
}

/** Whether a path is absolute: "/x", "C:\\x", "C:/x" or "\\\\server\\share". */
export function isAbsolutePath(path: string): boolean {
  return /^([\\/]|[A-Za-z]:[\\/])/.test(path);
}
