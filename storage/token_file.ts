/**
 * A profile's token file and its lock, below the store: the file's format (`{ "slots": [...] }`,
 * and what makes one damaged), the names of the files kept beside it, profile names that are
 * safe as file names, and the cross-process lock (with the lock a process keeps for its own
 * renewal, see `JsonFileStore.takeOrAwaitLock`).
 *
 * @module
 */

import { abortable, ClauthError, jsonErrorPlace } from "../errors.ts";
import { storageError } from "./private_files.ts";
import type { LockOptions, StoredTokens } from "./token_store.ts";

// Lowercase only: on macOS and Windows "Work" and "work" would share one file and one lock.
const PROFILE_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
// Device names Windows reserves whatever the extension ("nul.json" is the null device).
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/;

/** Throws a usage error unless `name` is safe to use as a file name on every platform. */
export function assertProfileName(name: string): void {
  if (!PROFILE_NAME.test(name) || WINDOWS_DEVICE.test(name)) {
    throw new ClauthError(
      "usage",
      `Invalid profile name "${name}": use lowercase letters, digits, ".", "_" or "-" (at most 64, starting with a letter or digit; not a Windows device name such as "nul" or "con").`,
    );
  }
}

/**
 * Opens and locks a profile's lock file (`<profile>.lock`): a separate file, so the token file itself can be
 * replaced by rename while locked. A logout removes the lock file while holding it, so a
 * lock taken on a file no longer at that path is dropped and taken again on the new one.
 */
export async function lockFileAt(path: string, options: LockOptions): Promise<Deno.FsFile> {
  const kept = keptLocks.get(path);
  if (kept) {
    keptLocks.delete(path);
    if (await sameFile(kept, path).catch(() => false)) return kept;
    kept.close();
  }
  return (await lockOrWait(path, options, "exclusive"))!;
}

/**
 * Takes the lock at `path` when nobody holds it and returns the held file; otherwise waits
 * until its holder releases it and returns undefined, holding nothing. The wait asks for a
 * shared lock: when a renewal ends, all its waiters wake at once rather than one by one.
 */
export function takeLockOrAwaitRelease(
  path: string,
  options: LockOptions,
): Promise<Deno.FsFile | undefined> {
  return lockOrWait(path, options, "shared");
}

/**
 * Locks the file at `path` when free; else waits for a lock of the kind `wait` names and,
 * for "exclusive", holds it; for "shared", lets it go and returns undefined.
 */
async function lockOrWait(
  path: string,
  options: LockOptions,
  wait: "exclusive" | "shared",
): Promise<Deno.FsFile | undefined> {
  let waited = false;
  for (;;) {
    let lockFile: Deno.FsFile;
    try {
      lockFile = await Deno.open(path, { write: true, create: true, mode: 0o600 });
    } catch (error) {
      throw storageError("lock", path, error);
    }
    try {
      const free = await lockFile.tryLock(true);
      if (!free) {
        if (!waited) options.onWait?.();
        waited = true;
        // lock() cannot be cancelled: on abort, stop waiting for it and let the caller exit.
        await abortable(lockFile.lock(wait === "exclusive"), options.signal);
      }
      if (await sameFile(lockFile, path)) {
        if (free || wait === "exclusive") return lockFile;
        lockFile.close();
        return undefined;
      }
    } catch (error) {
      lockFile.close();
      if (error instanceof Error && error.name === "AbortError") throw error;
      if (error === options.signal?.reason) throw error;
      throw storageError("lock", path, error);
    }
    lockFile.close();
  }
}

/** Lock files this process holds for its next withLock, by path (see takeOrAwaitLock). */
export const keptLocks = new Map<string, Deno.FsFile>();

/** Releases the locks `JsonFileStore.takeOrAwaitLock` kept and no withLock used. */
export function releaseKeptLocks(): void {
  for (const lockFile of keptLocks.values()) lockFile.close();
  keptLocks.clear();
}

/** Whether the open `file` is still the one at `path`. */
async function sameFile(file: Deno.FsFile, path: string): Promise<boolean> {
  const [open, named] = await Promise.all([file.stat(), Deno.stat(path).catch(() => undefined)]);
  if (named === undefined) return false;
  // Without file ids (some file systems), trust the path: the old, racy behaviour.
  return open.ino === null || (open.ino === named.ino && open.dev === named.dev);
}

const escape = (text: string) => text.replace(/[.]/g, "\\.");

/** `<profile>.json.damaged-<time>`: a damaged token file kept aside. */
export function damagedFileName(profile: string): RegExp {
  return new RegExp(`^${escape(profile)}\\.json\\.damaged-[0-9T-]+Z$`);
}

/** `<profile>.json.<uuid>.tmp`: a write in progress, a probe, or one a killed writer left. */
export function tempFileName(profile: string): RegExp {
  return new RegExp(`^${escape(profile)}\\.json\\.[^.]+\\.tmp$`);
}

/** A token file's shape. */
interface SlotsFile {
  slots: StoredTokens[];
}

/** The text of a token file holding `slots`. */
export function slotsFileText(slots: StoredTokens[]): string {
  return JSON.stringify({ slots } satisfies SlotsFile, null, 2) + "\n";
}

/**
 * The slots a token file holds, or what is wrong with it. A file from before slots (one
 * token set at the top level) is one slot.
 */
export function parseSlots(text: string): StoredTokens[] | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not valid JSON${jsonErrorPlace(error)}`;
  }
  if (!isRecord(value)) return "not a JSON object";
  const slots = "slots" in value ? value.slots : [value];
  if (!Array.isArray(slots)) return '"slots" is not a list';
  for (const [i, slot] of slots.entries()) {
    const problem = findDamage(slot);
    if (problem) return "slots" in value ? `slot ${i + 1}: ${problem}` : problem;
  }
  return slots as StoredTokens[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Returns what is wrong with one slot, or undefined when it is usable. */
function findDamage(value: unknown): string | undefined {
  if (!isRecord(value)) return "not a JSON object";
  const record = value;
  for (const field of ["access_token", "issuer", "client_id", "token_type"]) {
    if (typeof record[field] !== "string") return `"${field}" is missing or not a string`;
  }
  for (const field of ["obtained_at", "expires_at"]) {
    if (record[field] !== undefined && typeof record[field] !== "number") {
      return `"${field}" is not a number`;
    }
  }
  for (const field of ["audience", "resource"]) {
    if (record[field] !== undefined && typeof record[field] !== "string") {
      return `"${field}" is not a string`;
    }
  }
  if (record.dpop !== undefined && record.dpop !== true) return '"dpop" is not true';
  const key = record.dpop_key;
  if (key !== undefined) {
    if (!isRecord(key) || typeof key.alg !== "string" || !isRecord(key.jwk)) {
      return '"dpop_key" is not a key';
    }
    if (typeof key.jkt !== "string") return '"dpop_key" has no thumbprint';
  }
  // Tokens bound to a key are useless without it: every use must prove possession.
  if (record.dpop === true && key === undefined) return "DPoP-bound tokens without their key";
  return undefined;
}
