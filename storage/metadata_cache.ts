/**
 * A small file cache for provider metadata (discovery documents), so that repeated commands
 * do not ask the server again until the entry is older than its time to live.
 *
 * @module
 */

import { ensurePrivateDir, join, readTextIfExists, writeFileAtomic } from "./private_files.ts";

/** Default time to live of a cached discovery document: one hour. */
export const DEFAULT_METADATA_TTL_SECONDS = 3600;

interface Entry {
  key: string;
  stored_at: number;
  value: unknown;
}

/**
 * Caches JSON values under `<stateDir>/metadata`, one file per key. Hand it to
 * `createClient` as `deps.metadataCache` so that discovery documents and the issuer's keys
 * are not fetched again on every run (entries live an hour by default).
 *
 * @example Discover once an hour, not on every run
 * ```ts
 * import assert from "node:assert/strict";
 * import { createClient, MetadataFileCache } from "@clauth/clauth";
 * // The dev provider stands in for your server:
 * import { startDevProvider } from "../dev/provider.ts";
 *
 * const idp = await startDevProvider();
 * const stateDir = await Deno.makeTempDir(); // your CLI's state folder
 * const deps = { metadataCache: new MetadataFileCache(stateDir) };
 * const settings = { issuer: idp.issuer, clientId: "demo-cli" };
 *
 * await createClient(settings, deps); // asks the server
 * await createClient(settings, deps); // the next run reads the cache
 * assert.equal(idp.counts.discovery, 1);
 * await idp.close();
 * await Deno.remove(stateDir, { recursive: true });
 * ```
 */
export class MetadataFileCache {
  readonly #dir: string;
  readonly #ttlSeconds: number;
  readonly #now: () => number;

  /**
   * Creates a cache; the folder is made on the first `set`.
   *
   * @param stateDir the state folder; entries go in its `metadata` subfolder
   * @param options `ttlSeconds` (default one hour) and `now`, the clock in seconds (default:
   *   the system clock; a CLI with its own clock hands it in)
   */
  constructor(
    stateDir: string,
    options: { ttlSeconds?: number; now?: () => number } = {},
  ) {
    this.#dir = join(stateDir, "metadata");
    this.#ttlSeconds = options.ttlSeconds ?? DEFAULT_METADATA_TTL_SECONDS;
    this.#now = options.now ?? (() => Date.now() / 1000);
  }

  /**
   * The value stored for `key`, or undefined when absent, expired, unreadable or larger than
   * `SIZE_LIMITS.stateFile` (1 MiB).
   */
  async get(key: string): Promise<unknown | undefined> {
    // Unreadable (not a file, larger than SIZE_LIMITS.stateFile) is a miss too.
    const text = await readTextIfExists(await this.#pathOf(key)).catch(() => undefined);
    if (text === undefined) return undefined;
    try {
      const entry = JSON.parse(text) as Entry;
      const age = this.#now() - entry.stored_at;
      // A damaged or foreign entry is just a cache miss; the next set() replaces it.
      if (entry.key !== key || !(age >= 0 && age < this.#ttlSeconds)) return undefined;
      return entry.value;
    } catch {
      return undefined;
    }
  }

  /** Stores `value` for `key` (a 0600 file, replaced atomically), restarting its time to live. */
  async set(key: string, value: unknown): Promise<void> {
    await ensurePrivateDir(this.#dir);
    const entry: Entry = { key, stored_at: this.#now(), value };
    await writeFileAtomic(await this.#pathOf(key), JSON.stringify(entry));
  }

  async #pathOf(key: string): Promise<string> {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
    return join(this.#dir, `${new Uint8Array(digest).toHex().slice(0, 32)}.json`);
  }
}
