/**
 * A token store that keeps each profile's tokens in the operating system's keyring: one
 * secret per profile, holding the same `{ "slots": [...] }` JSON the file store writes, so
 * moving a profile between the two loses nothing. Locks stay in files (`<profile>.lock` in the
 * file store's folder, the same lock: a profile is never renewed twice whichever store a
 * process uses), and beside it `<profile>.keyring`, which holds no secret and says the profile
 * has tokens in the keyring (listing a keyring would print the secrets).
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import { ensurePrivateDir, join, readTextIfExists, storageError } from "./private_files.ts";
import type { KeyringBackend } from "./keyring_backend.ts";
import {
  type LockOptions,
  matchesBinding,
  putSlot,
  type StoredTokens,
  type TokenBinding,
  type TokenStore,
} from "./token_store.ts";
import { assertProfileName, lockFileAt, parseSlots, slotsFileText } from "./token_file.ts";

/** Token store in an OS keyring (see the module); `backend` is the keyring's program. */
export class KeyringStore implements TokenStore {
  readonly #dir: string;

  /**
   * @param stateDir the state folder: locks and markers go in its `tokens` subfolder
   * @param backend the keyring (storage/keyring_backend.ts, storage/keyring_windows.ts)
   */
  constructor(stateDir: string, readonly backend: KeyringBackend) {
    this.#dir = join(stateDir, "tokens");
  }

  /** Where the profile's tokens are kept, in words: "the Secret Service (secret-tool)". */
  describe(profile: string): string {
    assertProfileName(profile);
    return `${this.backend.name}, item "clauth" / "${profile}"`;
  }

  #marker(profile: string): string {
    assertProfileName(profile);
    return join(this.#dir, `${profile}.keyring`);
  }

  async get(profile: string, binding: TokenBinding): Promise<StoredTokens | undefined> {
    return (await this.slots(profile)).find((slot) => matchesBinding(slot, binding));
  }

  async slots(profile: string): Promise<StoredTokens[]> {
    assertProfileName(profile);
    const text = await this.backend.read(profile);
    if (text === undefined) return [];
    const slots = parseSlots(text);
    if (typeof slots === "string") {
      throw new ClauthError(
        "storage",
        `The tokens of profile "${profile}" in ${this.backend.name} are damaged (${slots}). Logging in to the profile again replaces them.`,
      );
    }
    return slots;
  }

  async set(profile: string, tokens: StoredTokens): Promise<void> {
    let slots: StoredTokens[];
    try {
      slots = await this.slots(profile);
    } catch (error) {
      // Damaged: the new login replaces it (the keyring keeps no copies aside).
      if (!(error instanceof ClauthError && error.message.includes("are damaged"))) throw error;
      slots = [];
    }
    await this.#write(profile, putSlot(slots, tokens));
  }

  /** Saves all of a profile's slots at once (a move from the file store). */
  async setAll(profile: string, slots: StoredTokens[]): Promise<void> {
    await this.#write(profile, slots);
  }

  async #write(profile: string, slots: StoredTokens[]): Promise<void> {
    await this.backend.write(profile, slotsFileText(slots));
    await ensurePrivateDir(this.#dir);
    const marker = this.#marker(profile);
    try {
      await Deno.writeTextFile(marker, `${this.backend.name}\n`, { mode: 0o600 });
    } catch (error) {
      throw storageError("write", marker, error);
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
    const removed = await this.backend.remove(profile);
    await Deno.remove(this.#marker(profile)).catch(() => {});
    return removed;
  }

  /** Profiles with tokens in the keyring, as their markers say. */
  async list(): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const entry of Deno.readDir(this.#dir)) {
        if (entry.isFile && entry.name.endsWith(".keyring")) names.push(entry.name.slice(0, -8));
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw storageError("list", this.#dir, error);
    }
    return names.sort();
  }

  /** Whether the marker says the profile has tokens in the keyring (no keyring call). */
  async has(profile: string): Promise<boolean> {
    const marker = this.#marker(profile);
    return (await readTextIfExists(marker, { limit: 4096, what: "a keyring marker" })) !==
      undefined;
  }

  async withLock<T>(profile: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
    assertProfileName(profile);
    await ensurePrivateDir(this.#dir);
    const lockFile = await lockFileAt(join(this.#dir, `${profile}.lock`), options);
    try {
      return await fn();
    } finally {
      lockFile.close();
    }
  }
}
