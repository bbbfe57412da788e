/**
 * An in-memory token store, for tests and for embedding CLIs that keep tokens elsewhere.
 *
 * @module
 */

import {
  matchesBinding,
  putSlot,
  type StoredTokens,
  type TokenBinding,
  type TokenStore,
} from "./token_store.ts";

/**
 * Keeps tokens in a Map; the lock serializes callers within this process. Values are copied
 * in and out, as a file store would, so callers cannot change what is stored by accident.
 *
 * @example Tokens that live only as long as the process
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore, type TokenBinding } from "@clauth/clauth";
 *
 * const store = new MemoryStore();
 * const binding: TokenBinding = {
 *   issuer: "https://login.example.com",
 *   client_id: "my-service",
 *   scope: "",
 *   grant: "client-credentials",
 * };
 * assert.equal(await store.get("default", binding), undefined);
 * await store.set("default", { ...binding, access_token: "token", token_type: "bearer", obtained_at: 0 });
 * assert.equal((await store.get("default", binding))?.access_token, "token");
 * assert.deepEqual(await store.list(), ["default"]);
 * ```
 */
export class MemoryStore implements TokenStore {
  readonly #profiles = new Map<string, StoredTokens[]>();
  readonly #locks = new Map<string, Promise<unknown>>();

  get(profile: string, binding: TokenBinding): Promise<StoredTokens | undefined> {
    const tokens = this.#profiles.get(profile)?.find((slot) => matchesBinding(slot, binding));
    return Promise.resolve(tokens && structuredClone(tokens));
  }

  slots(profile: string): Promise<StoredTokens[]> {
    return Promise.resolve(structuredClone(this.#profiles.get(profile) ?? []));
  }

  set(profile: string, tokens: StoredTokens): Promise<void> {
    const slots = this.#profiles.get(profile) ?? [];
    this.#profiles.set(profile, putSlot(slots, structuredClone(tokens)));
    return Promise.resolve();
  }

  delete(profile: string, binding?: TokenBinding): Promise<boolean> {
    const slots = this.#profiles.get(profile) ?? [];
    const kept = binding ? slots.filter((slot) => !matchesBinding(slot, binding)) : [];
    if (kept.length) this.#profiles.set(profile, kept);
    else this.#profiles.delete(profile);
    return Promise.resolve(kept.length < slots.length);
  }

  list(): Promise<string[]> {
    return Promise.resolve([...this.#profiles.keys()].sort());
  }

  withLock<T>(profile: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(profile) ?? Promise.resolve();
    const result = previous.then(() => fn());
    this.#locks.set(profile, result.catch(() => {}));
    return result;
  }
}
