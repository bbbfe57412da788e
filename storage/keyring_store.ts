/**
 * A token store that keeps each token slot in the operating system's keyring: one secret per
 * slot (account `<profile>.<slot id>`, the id a hash of the slot's binding), holding the same
 * `{ "slots": [...] }` JSON the file store writes for one slot, so moving a profile between
 * the two loses nothing. Locks stay in files (`<profile>.lock` in the file store's folder, the
 * same lock: a profile is never renewed twice whichever store a process uses), and beside it
 * `<profile>.keyring`, which holds no secret: the keyring's name, then the profile's slot
 * accounts in order (listing a keyring would print the secrets).
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import {
  ensurePrivateDir,
  join,
  readTextIfExists,
  storageError,
  writeFileAtomic,
} from "./private_files.ts";
import type { KeyringBackend } from "./keyring_backend.ts";
import {
  type LockOptions,
  matchesBinding,
  type StoredTokens,
  type TokenBinding,
  type TokenStore,
} from "./token_store.ts";
import { assertProfileName, lockFileAt, parseSlots, slotsFileText } from "./token_file.ts";

/** The keyring account of `binding`'s slot in `profile`: `<profile>.<16 hex digits>`. */
export async function slotAccount(profile: string, binding: TokenBinding): Promise<string> {
  const identity = JSON.stringify([
    binding.issuer,
    binding.client_id,
    binding.scope,
    binding.grant,
    binding.audience ?? "",
    binding.resource ?? "",
    binding.dpop === true,
  ]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(identity));
  return `${profile}.${new Uint8Array(digest).toHex().slice(0, 16)}`;
}

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
    return `${this.backend.name}, items "clauth" / "${profile}.*" (one per slot)`;
  }

  #marker(profile: string): string {
    assertProfileName(profile);
    return join(this.#dir, `${profile}.keyring`);
  }

  async get(profile: string, binding: TokenBinding): Promise<StoredTokens | undefined> {
    const account = await slotAccount(profile, binding);
    if (!(await this.#accounts(profile)).includes(account)) return undefined;
    const slot = await this.#readSlot(profile, account);
    return slot && matchesBinding(slot, binding) ? slot : undefined;
  }

  async slots(profile: string): Promise<StoredTokens[]> {
    const slots: StoredTokens[] = [];
    for (const account of await this.#accounts(profile)) {
      const slot = await this.#readSlot(profile, account);
      if (slot) slots.push(slot); // one removed from the keyring by hand: gone
    }
    return slots;
  }

  async set(profile: string, tokens: StoredTokens): Promise<void> {
    const account = await slotAccount(profile, tokens);
    await this.backend.write(account, slotsFileText([tokens]));
    const accounts = await this.#accounts(profile);
    if (!accounts.includes(account)) await this.#writeMarker(profile, [...accounts, account]);
  }

  /** Saves all of a profile's slots (a move from the file store). */
  async setAll(profile: string, slots: StoredTokens[]): Promise<void> {
    for (const slot of slots) await this.set(profile, slot);
  }

  async delete(profile: string, binding?: TokenBinding): Promise<boolean> {
    const accounts = await this.#accounts(profile);
    const gone = binding ? [await slotAccount(profile, binding)] : accounts;
    let removed = false;
    for (const account of gone.filter((account) => accounts.includes(account))) {
      removed = (await this.backend.remove(account)) || removed;
    }
    const kept = accounts.filter((account) => !gone.includes(account));
    if (kept.length > 0) await this.#writeMarker(profile, kept);
    else await Deno.remove(this.#marker(profile)).catch(() => {});
    return removed;
  }

  /** The slot stored under `account`; damaged text is a "storage" error. */
  async #readSlot(profile: string, account: string): Promise<StoredTokens | undefined> {
    const text = await this.backend.read(account);
    if (text === undefined) return undefined;
    const slots = parseSlots(text);
    if (typeof slots === "string" || slots.length !== 1) {
      throw new ClauthError(
        "storage",
        `The tokens of profile "${profile}" in ${this.backend.name} are damaged (${
          typeof slots === "string" ? slots : "not one slot"
        }). Logging in to the profile again replaces them.`,
      );
    }
    return slots[0];
  }

  /** The profile's slot accounts, as its marker lists them. */
  async #accounts(profile: string): Promise<string[]> {
    const text = await readTextIfExists(this.#marker(profile), {
      limit: 64 * 1024,
      what: "a keyring marker",
    });
    if (text === undefined) return [];
    const prefix = `${profile}.`;
    return text.split("\n").slice(1).filter((line) =>
      line.startsWith(prefix) && /^[0-9a-f]{16}$/.test(line.slice(prefix.length))
    );
  }

  async #writeMarker(profile: string, accounts: string[]): Promise<void> {
    await ensurePrivateDir(this.#dir);
    await writeFileAtomic(this.#marker(profile), [this.backend.name, ...accounts, ""].join("\n"));
  }

  /**
   * Asks the keyring for an item nobody has (no slot account starts with a dot): throws what
   * a keyring that is locked, absent or silent throws, before anything depends on it.
   */
  async reachable(): Promise<void> {
    await this.backend.read(".probe");
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
