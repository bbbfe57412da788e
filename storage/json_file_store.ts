/**
 * The token store clauth uses by default: one JSON file per profile, holding its slots.
 *
 * `<state>/tokens/<profile>.json` (0600) in a 0700 folder, `{ "slots": [...] }`, replaced
 * atomically, with a cross-process lock on `<profile>.lock` around read-refresh-write. A file
 * written before slots existed (the tokens themselves at the top level) reads as one slot and
 * is rewritten with slots on the next save, losing nothing. A damaged file is never silently
 * dropped: reading it fails with a message naming it, and the next save moves it aside as
 * `<profile>.json.damaged-<time>` before writing. Deleting a profile removes every file named
 * after it: its tokens, damaged copies, temporary files and lock.
 *
 * Every failure of the disk is a "storage" error naming the file and the operation (read,
 * write, rename, remove, lock, list, create the folder). A token file holds at most
 * {@linkcode SIZE_LIMITS}.tokenFile bytes.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import {
  describeSize,
  ensurePrivateDir,
  join,
  readTextIfExists,
  SIZE_LIMITS,
  storageError,
  writeFileAtomic,
  writeNewFile,
} from "./private_files.ts";
import {
  type LockOptions,
  matchesBinding,
  putSlot,
  type StoredTokens,
  type TokenBinding,
  type TokenStore,
} from "./token_store.ts";
import {
  assertProfileName,
  damagedFileName,
  keptLocks,
  lockFileAt,
  parseSlots,
  slotsFileText,
  takeLockOrAwaitRelease,
  tempFileName,
} from "./token_file.ts";

export { assertProfileName, releaseKeptLocks, slotsFileText } from "./token_file.ts";

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
  /** Profiles deleted under the lock: their lock file goes when the lock is released. */
  readonly #removeLockOnRelease = new Set<string>();

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

  /**
   * Saves `tokens` in their slot. When the disk refuses the write, the error says so, and
   * the new tokens are kept in a 0600 rescue file in the system's temporary folder when one
   * can be written (its path is in the message); the file in place is left as it was.
   */
  async set(profile: string, tokens: StoredTokens): Promise<void> {
    const path = this.pathOf(profile);
    await ensurePrivateDir(this.#dir);
    const old = await this.#read(profile);
    let slots = old === undefined ? [] : parseSlots(old);
    if (typeof slots === "string") {
      const aside = `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, "-")}`;
      try {
        await Deno.rename(path, aside);
      } catch (error) {
        throw storageError("rename", `${path} to ${aside}`, error);
      }
      slots = [];
    }
    try {
      await this.#write(profile, putSlot(slots, tokens));
    } catch (error) {
      if (!(error instanceof ClauthError && error.code === "storage")) throw error;
      throw await this.#rescue(profile, [tokens], error);
    }
    await this.#removeStaleTempFiles(profile);
  }

  /**
   * The error for a save that failed: the new tokens (a rotated refresh token may be the only
   * one that still works) go to a rescue file outside the token folder, when possible.
   */
  async #rescue(profile: string, slots: StoredTokens[], error: ClauthError): Promise<ClauthError> {
    const path = this.pathOf(profile);
    let rescue: string | undefined;
    try {
      rescue = await Deno.makeTempFile({ prefix: `clauth-${profile}-`, suffix: ".json" });
      await Deno.remove(rescue); // makeTempFile picked the name; writeNewFile makes it 0600
      await writeNewFile(rescue, new TextEncoder().encode(slotsFileText(slots)));
    } catch {
      if (rescue) await Deno.remove(rescue).catch(() => {});
      rescue = undefined;
    }
    const base = error.message.replace(/\.$/, "");
    return new ClauthError(
      "storage",
      rescue
        ? `${base}. The new tokens were not saved there; they are kept in ${rescue} (readable by you only): once there is room, move that file to ${path}, or log in again.`
        : `${base}. The new tokens could not be saved anywhere and are lost (a refresh token the server has just replaced no longer works either): once there is room, log in again.`,
      { cause: error },
    );
  }

  async #write(profile: string, slots: StoredTokens[]): Promise<void> {
    const path = this.pathOf(profile);
    const text = slotsFileText(slots);
    const size = new TextEncoder().encode(text).length;
    if (size > SIZE_LIMITS.tokenFile) {
      throw new ClauthError(
        "storage",
        `Cannot write ${path}: the tokens of profile "${profile}" take ${size} bytes, more than the ${
          describeSize(SIZE_LIMITS.tokenFile)
        } a token file may hold.`,
      );
    }
    await writeFileAtomic(path, text);
    if (this.#readUnderLock.has(profile)) this.#readUnderLock.set(profile, text);
  }

  /**
   * Fails with a "storage" error, before anything is spent, when saving the profile's tokens
   * would fail: the token folder cannot be created or written (a full disk, no permission), or
   * something other than a file stands where the token file goes. Call it under the lock
   * before using a refresh token the server may rotate; {@linkcode getUsableToken} does.
   */
  async checkWritable(profile: string): Promise<void> {
    const path = this.pathOf(profile);
    await ensurePrivateDir(this.#dir);
    try {
      const info = await Deno.stat(path);
      if (!info.isFile) {
        throw new ClauthError(
          "storage",
          `Cannot write ${path}: it is ${info.isDirectory ? "a folder" : "not a regular file"}.`,
        );
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw storageError("read", path, error);
    }
    // As much as the save will write, and some: the room must be there now.
    const size = ((await this.#read(profile))?.length ?? 0) + 16 * 1024;
    const probe = `${path}.${crypto.randomUUID()}.tmp`;
    try {
      await writeNewFile(probe, new Uint8Array(size), { sync: false });
    } catch (error) {
      throw storageError("write", path, error);
    } finally {
      await Deno.remove(probe).catch(() => {});
    }
  }

  /** The file's text (undefined when absent), read once per lock held. */
  async #read(profile: string): Promise<string | undefined> {
    const known = this.#readUnderLock.get(profile);
    if (known !== null && this.#readUnderLock.has(profile)) return known;
    const text = await readTextIfExists(this.pathOf(profile), {
      limit: SIZE_LIMITS.tokenFile,
      what: "the token file",
    });
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
    const temp = tempFileName(profile);
    for (const name of await this.#names()) {
      if (!temp.test(name)) continue;
      const file = join(this.#dir, name);
      const modified = (await Deno.stat(file).catch(() => undefined))?.mtime?.getTime();
      if (modified !== undefined && modified < cutoff) await Deno.remove(file).catch(() => {});
    }
  }

  /** The names in the token folder (none when it does not exist). */
  async #names(): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const entry of Deno.readDir(this.#dir)) names.push(entry.name);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw storageError("list", this.#dir, error);
    }
    return names;
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
    const path = this.pathOf(profile);
    try {
      await Deno.remove(path);
      return true;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw storageError("remove", path, error);
    } finally {
      if (this.#readUnderLock.has(profile)) this.#readUnderLock.set(profile, undefined);
      // The whole profile goes: its damaged copies (which may hold live tokens), temporary
      // files, and its lock (removed when released, see withLock).
      if (!binding) await this.#removeLeftovers(profile);
    }
  }

  async #removeLeftovers(profile: string): Promise<void> {
    const leftovers = [damagedFileName(profile), tempFileName(profile)];
    for (const name of await this.#names()) {
      if (!leftovers.some((pattern) => pattern.test(name))) continue;
      const file = join(this.#dir, name);
      await Deno.remove(file).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw storageError("remove", file, error);
      });
    }
    if (this.#readUnderLock.has(profile)) this.#removeLockOnRelease.add(profile);
    else if ((await this.#names()).includes(`${profile}.lock`)) {
      // Nobody may hold it while it goes: take it, and withLock removes it on release.
      await this.withLock(profile, () => {
        this.#removeLockOnRelease.add(profile);
        return Promise.resolve();
      });
    }
  }

  async list(): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const entry of Deno.readDir(this.#dir)) {
        if (entry.isFile && entry.name.endsWith(".json")) names.push(entry.name.slice(0, -5));
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw storageError("list", this.#dir, error);
    }
    return names.sort();
  }

  /**
   * For a process that found the profile's tokens stale, before it loads what renews them:
   * when another process holds the lock (a renewal or login in progress), waits until it is
   * released and returns "waited" without keeping it, so the caller can read the renewed
   * tokens. When nobody holds it, takes it and returns "taken": this process keeps it, and
   * its next {@linkcode JsonFileStore.withLock} on the profile, in any store of the same
   * folder, starts with it instead of waiting for itself; {@linkcode releaseKeptLocks} drops
   * it unused. With no token folder there is nothing to wait for: returns "taken", keeping
   * nothing and creating nothing.
   */
  async takeOrAwaitLock(profile: string, options: LockOptions = {}): Promise<"taken" | "waited"> {
    assertProfileName(profile);
    const path = join(this.#dir, `${profile}.lock`);
    if (keptLocks.has(path)) return "taken";
    try {
      await Deno.stat(this.#dir);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return "taken";
      throw storageError("lock", path, error);
    }
    const lockFile = await takeLockOrAwaitRelease(path, options);
    if (!lockFile) return "waited";
    keptLocks.set(path, lockFile);
    return "taken";
  }

  async withLock<T>(profile: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
    assertProfileName(profile);
    await ensurePrivateDir(this.#dir);
    const lockFile = await lockFileAt(join(this.#dir, `${profile}.lock`), options);
    try {
      this.#readUnderLock.set(profile, null);
      return await fn();
    } finally {
      this.#readUnderLock.delete(profile);
      if (this.#removeLockOnRelease.delete(profile)) {
        // Removed while still held: a process waiting on this file gets it next, sees it is no
        // longer the profile's lock file, and takes the new one (see #lock).
        await Deno.remove(join(this.#dir, `${profile}.lock`)).catch(() => {});
      }
      lockFile.close(); // closing releases the lock
    }
  }
}
