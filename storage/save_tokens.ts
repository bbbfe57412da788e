/**
 * Saving the tokens of a login you ran yourself, where `getUsableToken` will find them.
 *
 * @module
 */

import type { Acquisition } from "../acquisition.ts";
import {
  type LockOptions,
  type StoredTokens,
  type TokenBinding,
  type TokenStore,
  toStoredTokens,
} from "./token_store.ts";

/** Where tokens are kept: the store, the profile, and the slot's binding. */
export interface SaveTokensOptions {
  /** Where the profile's tokens live. */
  store: TokenStore;
  /** The profile name (the store key). */
  profile: string;
  /** Issuer, client, scope and grant the tokens were obtained for: their slot. */
  binding: TokenBinding;
  /** Current time in seconds since the epoch (default: the system clock). */
  now?: () => number;
  /** How to wait when another process holds the profile's lock (a login in progress). */
  lock?: LockOptions;
}

/** The system clock in seconds since the epoch. */
export const epochSeconds = (): number => Math.floor(Date.now() / 1000);

/**
 * Saves the tokens a flow just got in the slot of `options.binding`, under the profile's lock,
 * and resolves to what was stored: an absolute `expires_at`, the lower-cased `token_type`, and
 * the client authentication that worked. The slot is replaced, not merged: a new login keeps
 * nothing of the one before it (which may have been another user's). Other slots stay.
 *
 * Use it after a login you run yourself; {@linkcode getUsableToken} then serves the tokens
 * from the store and renews them, saving its own renewals. Hand both the same store, profile
 * and binding.
 *
 * @example Log in with the browser, save, and use the saved tokens
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   authorizationCodeFlow,
 *   createClient,
 *   getUsableToken,
 *   JsonFileStore,
 *   refreshFlow,
 *   saveTokens,
 *   type SaveTokensOptions,
 * } from "@clauth/clauth";
 * // The dev provider stands in for your server, and its scripted browser for the user's:
 * import { startDevProvider } from "../dev/provider.ts";
 * import { followAuthorization } from "../dev/browser.ts";
 *
 * const idp = await startDevProvider({ autoApprove: true });
 * const stateDir = await Deno.makeTempDir(); // your CLI's state folder
 * const scope = "offline_access openid"; // normalized: sorted, no duplicates
 *
 * const client = await createClient({ issuer: idp.issuer, clientId: "demo-cli" });
 * const login = await authorizationCodeFlow(client, {
 *   scope,
 *   openBrowser: async (url) => (await followAuthorization(url)).status === 200,
 * });
 * const slot: SaveTokensOptions = {
 *   store: new JsonFileStore(stateDir),
 *   profile: "default",
 *   binding: { issuer: client.as.issuer, client_id: "demo-cli", scope, grant: "user" },
 * };
 * const saved = await saveTokens(login, slot);
 * assert.equal(saved.access_token, login.response.access_token);
 * assert.ok(saved.refresh_token && saved.expires_at);
 *
 * // Later, maybe in another process: the saved login serves, and is renewed when due.
 * const { tokens, source } = await getUsableToken({
 *   ...slot,
 *   refresh: (stored) => refreshFlow(client, stored.refresh_token!),
 * });
 * assert.equal(source, "cache");
 * assert.equal(tokens.access_token, saved.access_token);
 *
 * await idp.close();
 * await Deno.remove(stateDir, { recursive: true });
 * ```
 */
export async function saveTokens(
  acquired: Acquisition,
  options: SaveTokensOptions,
): Promise<StoredTokens> {
  const { store, profile } = options;
  const tokens = storedTokensOf(acquired, options.binding, (options.now ?? epochSeconds)());
  await store.withLock(profile, () => store.set(profile, tokens), options.lock);
  return tokens;
}

/**
 * What to store for tokens just obtained: {@linkcode toStoredTokens} plus the client
 * authentication that worked (else the one `previous` remembers).
 */
export function storedTokensOf(
  acquired: Acquisition,
  binding: TokenBinding,
  now: number,
  previous?: StoredTokens,
): StoredTokens {
  const tokens = toStoredTokens(acquired.response, binding, now, previous);
  if (acquired.authMethod) tokens.auth_method = acquired.authMethod;
  if (acquired.dpopKey) tokens.dpop_key = acquired.dpopKey;
  return tokens;
}
