/**
 * The token store clauth uses by default: one JSON file per profile, holding its slots.
 *
 * `<state>/tokens/<profile>.json` (0600) in a 0700 folder, `{ "slots": [...] }`, replaced
 * atomically, with a cross-process lock on `<profile>.lock` around read-refresh-write. A file
 * written before slots existed (the tokens themselves at the top level) reads as one slot and
 * is rewritten with slots on the next save, losing nothing. A damaged file is never silently
 * dropped: reading it fails with a message naming it, and the next save moves it aside as
 * `<profile>.json.damaged-<time>` before writing.
 *
 * @module
 */

import { abortable, ClauthError, jsonErrorPlace } from "../errors.ts";
import { join } from "./paths.ts";
import { ensurePrivateDir, readTextIfExists, writeFileAtomic } from "./private_files.ts";
import {
  type LockOptions,
  matchesBinding,
  putSlot,
  type StoredTokens,
  type TokenBinding,
  type TokenStore,
} from "./token_store.ts";

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
 * Token store backed by one JSON file per profile under `<stateDir>/tokens`: files 0600 in a
 * 0700 folder, replaced atomically, and an OS file lock per profile, so several processes
 * (parallel `git` or `kubectl` calls) share one login and renew it once. Save and delete under
 * {@linkcode JsonFileStore.withLock}: they rewrite the profile's whole file.
 *
 * Profile names are file names: letters, digits, ".", "_" and "-", at most 64 characters.
 *
 * @example Keep tokens in your CLI's own state folder
 * ```ts
 * import assert from "node:assert/strict";
 * import { JsonFileStore } from "@clauth/clauth";
 *
 * const stateDir = await Deno.makeTempDir(); // e.g. ~/.local/state/my-cli
 * const store = new JsonFileStore(stateDir);
 * const user = {
 *   issuer: "https://login.example.com",
 *   client_id: "my-cli",
 *   scope: "openid",
 *   grant: "user",
 * } as const;
 * const now = Math.floor(Date.now() / 1000);
 * await store.withLock("work", async () => {
 *   await store.set("work", { ...user, access_token: "a", token_type: "bearer", obtained_at: now });
 *   // Other settings, another slot: the first login stays.
 *   await store.set("work", { ...user, scope: "admin", access_token: "b", token_type: "bearer", obtained_at: now });
 * });
 * assert.deepEqual(await store.list(), ["work"]);
 * assert.equal((await store.get("work", user))?.access_token, "a");
 * assert.equal((await store.slots("work")).length, 2);
 * assert.ok(store.pathOf("work").endsWith("work.json"));
 * assert.equal(await store.delete("work"), true);
 * await Deno.remove(stateDir, { recursive: true });
 * ```
 */
export class JsonFileStore implements TokenStore {
  readonly #dir: string;
  /**
   * What this store read of each file whose lock it holds: nobody else writes a locked file,
   * so a save under the lock need not read it again.
   */
  readonly #readUnderLock = new Map<string, string | undefined | null>();

  /**
   * Creates a store; nothing is touched on disk until the first save or lock.
   *
   * @param stateDir the state folder; tokens go in its `tokens` subfolder, created on first save
   */
  constructor(stateDir: string) {
    this.#dir = join(stateDir, "tokens");
  }

  /** The file holding a profile's tokens (whether or not it exists yet). */
  pathOf(profile: string): string {
    assertProfileName(profile);
    return join(this.#dir, `${profile}.json`);
  }

  async get(profile: string, binding: TokenBinding): Promise<StoredTokens | undefined> {
    return (await this.slots(profile)).find((slot) => matchesBinding(slot, binding));
  }

  async slots(profile: string): Promise<StoredTokens[]> {
    const path = this.pathOf(profile);
    const text = await this.#read(profile);
    if (text === undefined) return [];
    const slots = parseSlots(text);
    if (typeof slots === "string") {
      throw new ClauthError(
        "storage",
        `The token file ${path} is damaged (${slots}). Logging in to profile "${profile}" again replaces it; the damaged file will be kept beside it.`,
      );
    }
    return slots;
  }

  async set(profile: string, tokens: StoredTokens): Promise<void> {
    const path = this.pathOf(profile);
    await ensurePrivateDir(this.#dir);
    const old = await this.#read(profile);
    let slots = old === undefined ? [] : parseSlots(old);
    if (typeof slots === "string") {
      await Deno.rename(path, `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, "-")}`);
      slots = [];
    }
    await this.#write(profile, putSlot(slots, tokens));
    await this.#removeStaleTempFiles(profile);
  }

  async #write(profile: string, slots: StoredTokens[]): Promise<void> {
    const text = slotsFileText(slots);
    await writeFileAtomic(this.pathOf(profile), text);
    if (this.#readUnderLock.has(profile)) this.#readUnderLock.set(profile, text);
  }

  /** The file's text (undefined when absent), read once per lock held. */
  async #read(profile: string): Promise<string | undefined> {
    const known = this.#readUnderLock.get(profile);
    if (known !== null && this.#readUnderLock.has(profile)) return known;
    const text = await readTextIfExists(this.pathOf(profile));
    if (this.#readUnderLock.has(profile)) this.#readUnderLock.set(profile, text);
    return text;
  }

  /**
   * A writer killed between writing its temporary file and renaming it leaves the file
   * behind (0600, but holding tokens). Remove those older than a minute: no live write takes
   * that long.
   */
  async #removeStaleTempFiles(profile: string): Promise<void> {
    const cutoff = Date.now() - 60_000;
    for await (const entry of Deno.readDir(this.#dir)) {
      if (!entry.name.startsWith(`${profile}.json.`) || !entry.name.endsWith(".tmp")) continue;
      const file = join(this.#dir, entry.name);
      const modified = (await Deno.stat(file).catch(() => undefined))?.mtime?.getTime();
      if (modified !== undefined && modified < cutoff) await Deno.remove(file).catch(() => {});
    }
  }

  async delete(profile: string, binding?: TokenBinding): Promise<boolean> {
    if (binding) {
      const slots = await this.slots(profile);
      const kept = slots.filter((slot) => !matchesBinding(slot, binding));
      if (kept.length === slots.length) return false;
      if (kept.length > 0) {
        await this.#write(profile, kept);
        return true;
      }
    }
    try {
      await Deno.remove(this.pathOf(profile));
      return true;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw error;
    } finally {
      if (this.#readUnderLock.has(profile)) this.#readUnderLock.set(profile, undefined);
    }
  }

  async list(): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const entry of Deno.readDir(this.#dir)) {
        if (entry.isFile && entry.name.endsWith(".json")) names.push(entry.name.slice(0, -5));
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return names.sort();
  }

  async withLock<T>(profile: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
    assertProfileName(profile);
    await ensurePrivateDir(this.#dir);
    // A separate lock file, so the token file itself can be replaced by rename while locked.
    const lockFile = await Deno.open(join(this.#dir, `${profile}.lock`), {
      write: true,
      create: true,
      mode: 0o600,
    });
    try {
      if (!(await lockFile.tryLock(true))) {
        options.onWait?.();
        // lock() cannot be cancelled: on abort, stop waiting for it and let the caller exit.
        await abortable(lockFile.lock(true), options.signal);
      }
      this.#readUnderLock.set(profile, null);
      return await fn();
    } finally {
      this.#readUnderLock.delete(profile);
      lockFile.close(); // closing releases the lock
    }
  }
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
function parseSlots(text: string): StoredTokens[] | string {
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
  return undefined;
}
