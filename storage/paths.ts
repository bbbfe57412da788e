/**
 * Where clauth keeps its files: config (profiles) and state (tokens, caches, locks).
 *
 * CLAUTH_CONFIG_DIR / CLAUTH_STATE_DIR win (tests use them); then XDG on Linux and the BSDs,
 * then the platform's own places on macOS and Windows.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";

type Env = (name: string) => string | undefined;
const readEnv: Env = (name) => Deno.env.get(name);

function home(env: Env): string {
  const dir = env("HOME") ?? env("USERPROFILE");
  if (!dir) {
    throw new ClauthError(
      "usage",
      "Cannot find a home folder: set HOME, or CLAUTH_CONFIG_DIR and CLAUTH_STATE_DIR.",
    );
  }
  return dir;
}

/** The folder holding config.json. */
export function configDir(env: Env = readEnv, os: string = Deno.build.os): string {
  const explicit = env("CLAUTH_CONFIG_DIR");
  if (explicit) return explicit;
  if (os === "windows") {
    return join(env("APPDATA") ?? join(home(env), "AppData", "Roaming"), "clauth");
  }
  if (os === "darwin") return join(home(env), "Library", "Application Support", "clauth");
  return join(env("XDG_CONFIG_HOME") || join(home(env), ".config"), "clauth");
}

/** The folder holding tokens, caches and lock files (created 0700). */
export function stateDir(env: Env = readEnv, os: string = Deno.build.os): string {
  const explicit = env("CLAUTH_STATE_DIR");
  if (explicit) return explicit;
  if (os === "windows") {
    return join(env("LOCALAPPDATA") ?? join(home(env), "AppData", "Local"), "clauth");
  }
  if (os === "darwin") return join(home(env), "Library", "Application Support", "clauth", "state");
  return join(env("XDG_STATE_HOME") || join(home(env), ".local", "state"), "clauth");
}

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
