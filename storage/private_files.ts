/**
 * Small file helpers for secrets: folders 0700, files 0600, atomic replacement, reads
 * that refuse what is not a regular file and what is larger than its limit, and path helpers
 * (join, parentDir, isAbsolutePath: no @std/path, JSR is out of reach). Every failure
 * is a "storage" {@linkcode ClauthError} naming the file and the operation.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";

const isWindows = Deno.build.os === "windows";

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * The most clauth reads from each kind of file or stream, in bytes, so that a file pointing
 * at `/dev/zero`, a runaway server answer or a pasted blob cannot grow without bound. Past a
 * limit, the read fails with a message naming the file and the limit; nothing is stored.
 */
export const SIZE_LIMITS = {
  /** The config file (config.json): 1 MiB. */
  configFile: MiB,
  /** A profile's token file, read or written (every slot together): 1 MiB. */
  tokenFile: MiB,
  /** Other state files: what a profile remembers, a cached discovery document or key set: 1 MiB. */
  stateFile: MiB,
  /** A client secret, private key or token file named by the user: 64 KiB. */
  userFile: 64 * KiB,
  /** A token (or pasted address) read from stdin: 64 KiB. */
  stdin: 64 * KiB,
} as const;

/** "1 MiB", "64 KiB": a limit as the messages say it. */
export function describeSize(bytes: number): string {
  return bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${Math.ceil(bytes / KiB)} KiB`;
}

/** What failed, for the message of a {@linkcode storageError}. */
export type FileOperation =
  | "read"
  | "write"
  | "rename"
  | "remove"
  | "lock"
  | "list"
  | "create the folder";

/**
 * A "storage" error for a failed file operation: "Cannot write /x/y.json: no space left on
 * device." The reason in words ({@linkcode describeFileError}), the path said once.
 */
export function storageError(
  operation: FileOperation,
  path: string,
  error: unknown,
  what = "",
): ClauthError {
  if (error instanceof ClauthError) return error;
  return new ClauthError(
    "storage",
    `Cannot ${operation} ${what ? `${what} ` : ""}${path}: ${describeFileError(error)}.`,
    { cause: error },
  );
}

/** Deno's error classes for file operations, in words (the path is the caller's to say). */
const FILE_ERRORS: [new (...args: never[]) => Error, string][] = [
  [Deno.errors.NotFound, "it does not exist"],
  [Deno.errors.PermissionDenied, "the system denied access (check its owner and permissions)"],
  [Deno.errors.AlreadyExists, "it already exists"],
  [Deno.errors.IsADirectory, "it is a folder"],
  [Deno.errors.NotADirectory, "a part of its path is a file, not a folder"],
  [Deno.errors.FilesystemLoop, "its path loops through symbolic links"],
  [Deno.errors.Busy, "it is busy (in use by another program)"],
  [Deno.errors.WriteZero, "nothing could be written (is the disk full?)"],
  [Deno.errors.UnexpectedEof, "it ended too early"],
  [Deno.errors.InvalidData, "its content could not be read as text"],
  [Deno.errors.Interrupted, "the operation was interrupted"],
];

/**
 * Why a file operation failed, in words and without runtime internals: Deno's messages
 * carry "(os error 2)", the operation's internal name ("readfile '/x'") and, when a
 * permission is missing (`Deno.errors.NotCapable`), a Deno flag to run again with, which a
 * compiled program cannot be given. `program` names the program in that last case.
 */
export function describeFileError(error: unknown, program = "the program"): string {
  if (error instanceof Deno.errors.NotCapable) {
    // "Requires read access to "/x", run again with the --allow-read flag": which permission.
    const permission = /^Requires (\w+) access/.exec(error.message)?.[1];
    if (permission === "all") {
      // Deno lets only fully trusted programs open /dev/fd, /proc and similar special paths.
      return `${program} may not open it: Deno opens such special paths (/dev/stdin, /dev/fd, /proc) only for programs granted every permission`;
    }
    return `${program} lacks Deno's ${permission ?? "needed"} permission for it`;
  }
  for (const [kind, text] of FILE_ERRORS) if (error instanceof kind) return text;
  // Others (ENOSPC, EROFS...): the system's own words, without the code and the path.
  const message = String((error as Error)?.message ?? error)
    .replace(/ \(os error \d+\)/, "")
    .replace(/: [a-z ]+ '.*'$/s, "");
  return message.charAt(0).toLowerCase() + message.slice(1);
}

/**
 * Test hook, not part of the library: called before every write this module makes, with the
 * path written; throwing there stands for a failing disk (ENOSPC). Not exported from mod.ts.
 */
export const writeFaults: { beforeWrite?: ((path: string) => void) | undefined } = {};

/** Creates `dir` (and parents) and makes sure the folder itself is 0700. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    // mkdir's mode is filtered by the umask, and an existing folder keeps its old mode.
    if (!isWindows) await Deno.chmod(dir, 0o700);
  } catch (error) {
    throw storageError("create the folder", dir, error);
  }
}

/** Options for {@linkcode writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** Test hook: runs after the temporary file is written and before it replaces `path`. */
  beforeRename?: (tempPath: string) => Promise<void>;
}

/**
 * Replaces `path` with `data` so that readers see either the old or the new file, never a
 * mix: write a 0600 temp file beside it, fsync, then rename over the target. On failure the
 * temp file is removed and a "storage" error names `path` and the operation.
 */
export async function writeFileAtomic(
  path: string,
  data: string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const tempPath = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await writeNewFile(tempPath, new TextEncoder().encode(data));
  } catch (error) {
    await Deno.remove(tempPath).catch(() => {});
    throw storageError("write", path, error);
  }
  try {
    await options.beforeRename?.(tempPath);
    await Deno.rename(tempPath, path);
  } catch (error) {
    await Deno.remove(tempPath).catch(() => {});
    throw storageError("rename", `${tempPath} to ${path}`, error);
  }
}

/**
 * Writes `bytes` to a new 0600 file and syncs it to disk (unless `sync` is false: a probe for
 * room needs no durability). Throws what the system says.
 */
export async function writeNewFile(
  path: string,
  bytes: Uint8Array,
  options: { sync?: boolean } = {},
): Promise<void> {
  const file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
  try {
    if (!isWindows) await Deno.chmod(path, 0o600);
    writeFaults.beforeWrite?.(path);
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    if (options.sync !== false) await file.sync();
  } finally {
    file.close();
  }
}

/** Options for {@linkcode readTextIfExists}. */
export interface ReadOptions {
  /** The most bytes to read (default {@linkcode SIZE_LIMITS}.stateFile). */
  limit?: number;
  /** What the file is, for messages: "the token file". */
  what?: string;
}

/**
 * Reads a small text file, or undefined when it does not exist. Refuses, with a "storage"
 * error naming it, a path that is not a regular file (a folder, or a FIFO or device, which
 * would block or never end) and a file larger than `limit`. Synchronous inside: for files
 * this small it is several times cheaper than an async read, and the cached-token path is
 * measured in milliseconds; checking the kind first is what keeps it from blocking.
 */
export function readTextIfExists(
  path: string,
  options: ReadOptions = {},
): Promise<string | undefined> {
  const limit = options.limit ?? SIZE_LIMITS.stateFile;
  const what = options.what ? `${options.what} ` : "";
  try {
    const info = Deno.statSync(path);
    if (!info.isFile) {
      const kind = info.isDirectory ? "a folder" : "not a regular file (a pipe, socket or device)";
      throw new ClauthError("storage", `Cannot read ${what}${path}: it is ${kind}.`);
    }
    if (info.size > limit) throw tooLarge(path, what, limit);
    // A regular file no larger than the limit a moment ago: read it whole (one call, the
    // cheapest), and refuse it still if it grew past the limit meanwhile.
    const text = Deno.readTextFileSync(path);
    if (text.length > limit) throw tooLarge(path, what, limit);
    return Promise.resolve(text);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return Promise.resolve(undefined);
    return Promise.reject(storageError("read", path, error, options.what));
  }
}

function tooLarge(path: string, what: string, limit: number): ClauthError {
  return new ClauthError(
    "storage",
    `Cannot read ${what}${path}: it is larger than the ${
      describeSize(limit)
    } such a file may hold.`,
  );
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
