/**
 * The token store a `storage` setting chooses: files, the OS keyring, or "auto" (the keyring
 * when it answers, else files with a one-line notice).
 *
 * Tokens are always read where they are: a profile whose marker says keyring is read from the
 * keyring whatever the setting, and one with a token file from the file. The setting decides
 * where a profile without tokens saves its first ones; moving a profile is
 * {@linkcode moveProfile}'s job. One lock file per profile serves both stores.
 *
 * @module
 */

import { JsonFileStore } from "./json_file_store.ts";
import { isKeyringUnavailable, type KeyringBackend } from "./keyring_backend.ts";
import { KeyringStore } from "./keyring_store.ts";
import type { LockOptions, StoredTokens, TokenBinding, TokenStore } from "./token_store.ts";

/** Where new tokens go: token files, the OS keyring, or the keyring when it answers. */
export type StorageKind = "file" | "keyring" | "auto";

/** The kinds, for validation and help. */
export const STORAGE_KINDS: readonly StorageKind[] = ["file", "keyring", "auto"];

/** Options of {@linkcode ChosenStore}. */
export interface ChosenStoreOptions {
  /** The keyring, made when first needed (only keyring profiles pay for it). */
  keyring: () => KeyringBackend;
  /** Told once per run when "auto" falls back to files: one line, no secret. */
  notice?: (line: string) => void;
}

/** A {@linkcode TokenStore} that keeps each profile in the file store or the keyring. */
export class ChosenStore implements TokenStore {
  readonly files: JsonFileStore;
  #keyring?: KeyringStore;
  #fellBack = false;

  constructor(
    readonly stateDir: string,
    readonly kind: StorageKind,
    readonly options: ChosenStoreOptions,
  ) {
    this.files = new JsonFileStore(stateDir);
  }

  /** The keyring store (its backend is made now). */
  get keyring(): KeyringStore {
    return this.#keyring ??= new KeyringStore(this.stateDir, this.options.keyring());
  }

  /** Whether the profile's tokens are in the keyring (its marker; no keyring call). */
  inKeyring(profile: string): Promise<boolean> {
    return new KeyringStore(this.stateDir, NO_BACKEND).has(profile);
  }

  /** Where the profile's tokens are kept, or would be by this setting, in words. */
  async whereIs(profile: string): Promise<{ kind: "file" | "keyring"; place: string }> {
    if (await this.inKeyring(profile)) {
      return { kind: "keyring", place: this.keyring.describe(profile) };
    }
    const path = this.files.pathOf(profile);
    const hasFile = await Deno.stat(path).then(() => true, () => false);
    if (hasFile || this.kind === "file") return { kind: "file", place: path };
    return { kind: "keyring", place: this.keyring.describe(profile) };
  }

  /** The store holding the profile's tokens now, or undefined when neither does. */
  async #holding(profile: string): Promise<TokenStore | undefined> {
    if (await this.inKeyring(profile)) return this.keyring;
    const path = this.files.pathOf(profile);
    return await Deno.stat(path).then(() => this.files, () => undefined);
  }

  /** Where reads go: where the tokens are; without any, nowhere (the file store reads empty). */
  async #reading(profile: string): Promise<TokenStore> {
    return await this.#holding(profile) ?? this.files;
  }

  async get(profile: string, binding: TokenBinding): Promise<StoredTokens | undefined> {
    return await (await this.#reading(profile)).get(profile, binding);
  }

  async slots(profile: string): Promise<StoredTokens[]> {
    return await (await this.#reading(profile)).slots(profile);
  }

  async set(profile: string, tokens: StoredTokens): Promise<void> {
    const holding = await this.#holding(profile);
    if (holding) return await holding.set(profile, tokens);
    if (this.kind === "file" || this.#fellBack) return await this.files.set(profile, tokens);
    try {
      await this.keyring.set(profile, tokens);
    } catch (error) {
      if (this.kind !== "auto" || !isKeyringUnavailable(error)) throw error;
      this.#fallBack(error);
      await this.files.set(profile, tokens);
    }
  }

  #fallBack(error: unknown): void {
    this.#fellBack = true;
    const why = (error as Error).message.split(". ")[0]!.replace(/^The keyring /, "");
    this.options.notice?.(`Keeping tokens in files: the keyring ${why}.`);
  }

  /**
   * Before a login or a refresh spends anything: the keyring that will take the tokens
   * answers (it is not locked, not gone), or the token file can be written. With "auto" and
   * no tokens yet, a keyring that does not answer means files, said once.
   */
  async checkWritable(profile: string): Promise<void> {
    const holding = await this.#holding(profile);
    const keyringNext = holding === undefined && this.kind !== "file" && !this.#fellBack;
    if (holding === this.keyring || keyringNext) {
      try {
        await this.keyring.reachable();
        await this.keyring.slots(profile);
        return;
      } catch (error) {
        if (holding || this.kind !== "auto" || !isKeyringUnavailable(error)) throw error;
        this.#fallBack(error);
      }
    }
    await this.files.checkWritable(profile);
  }

  async delete(profile: string, binding?: TokenBinding): Promise<boolean> {
    return await (await this.#reading(profile)).delete(profile, binding);
  }

  async list(): Promise<string[]> {
    const names = new Set([...await this.files.list(), ...await this.keyringList()]);
    return [...names].sort();
  }

  /** The profiles the keyring markers name (no keyring call). */
  keyringList(): Promise<string[]> {
    return new KeyringStore(this.stateDir, NO_BACKEND).list();
  }

  withLock<T>(profile: string, fn: () => Promise<T>, options?: LockOptions): Promise<T> {
    return this.files.withLock(profile, fn, options);
  }
}

/** For reading markers only: no keyring call is made through it. */
const NO_BACKEND: KeyringBackend = {
  name: "no keyring",
  read: () => Promise.reject(new Error("no keyring")),
  write: () => Promise.reject(new Error("no keyring")),
  remove: () => Promise.reject(new Error("no keyring")),
};

/**
 * Moves a profile's tokens to `to`, losing none: all its slots are written there, read back
 * and compared, and only then removed from where they were. Call under the profile's lock.
 * Resolves to how many slots moved (0 when there was nothing, or they were there already).
 */
export async function moveProfile(
  store: ChosenStore,
  profile: string,
  to: "file" | "keyring",
): Promise<number> {
  const fromKeyring = await store.inKeyring(profile);
  if ((to === "keyring") === fromKeyring) return 0;
  const source: TokenStore = fromKeyring ? store.keyring : store.files;
  const slots = await source.slots(profile);
  if (slots.length === 0) return 0;
  if (to === "keyring") await store.keyring.setAll(profile, slots);
  else for (const slot of slots) await store.files.set(profile, slot);
  const target: TokenStore = to === "keyring" ? store.keyring : store.files;
  const written = await target.slots(profile);
  if (JSON.stringify(written) !== JSON.stringify(slots)) {
    throw new Error(`the tokens of profile "${profile}" read back differently; nothing removed`);
  }
  if (fromKeyring) await store.keyring.delete(profile);
  else {
    // The file store's delete would also drop the lock file the caller holds: remove the file.
    await Deno.remove(store.files.pathOf(profile));
  }
  return slots.length;
}
