/**
 * An in-memory token store, for tests and for embedding CLIs that keep tokens elsewhere.
 *
 * @module
 */

import type { StoredTokens, TokenStore } from "./token_store.ts";

/**
 * Keeps tokens in a Map; the lock serializes callers within this process. Values are copied
 * in and out, as a file store would, so callers cannot change what is stored by accident.
 *
 * @example Tokens that live only as long as the process
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "@clauth/clauth";
 *
 * const store = new MemoryStore();
 * assert.equal(await store.get("default"), undefined);
 * await store.set("default", {
 *   issuer: "https://login.example.com",
 *   client_id: "my-service",
 *   scope: "",
 *   grant: "client-credentials",
 *   access_token: "token",
 *   token_type: "bearer",
 *   obtained_at: 0,
 * });
 * assert.deepEqual(await store.list(), ["default"]);
 * ```
 */
export class MemoryStore implements TokenStore {
  readonly #tokens = new Map<string, StoredTokens>();
  readonly #locks = new Map<string, Promise<unknown>>();

  get(profile: string): Promise<StoredTokens | undefined> {
    const tokens = this.#tokens.get(profile);
    return Promise.resolve(tokens && structuredClone(tokens));
  }

  set(profile: string, tokens: StoredTokens): Promise<void> {
    this.#tokens.set(profile, structuredClone(tokens));
    return Promise.resolve();
  }

  delete(profile: string): Promise<boolean> {
    return Promise.resolve(this.#tokens.delete(profile));
  }

  list(): Promise<string[]> {
    return Promise.resolve([...this.#tokens.keys()].sort());
  }

  withLock<T>(profile: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(profile) ?? Promise.resolve();
    const result = previous.then(() => fn());
    this.#locks.set(profile, result.catch(() => {}));
    return result;
  }
}
