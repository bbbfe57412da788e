/**
 * What clauth stores per profile, and the interface every token store implements.
 *
 * A profile holds one slot per set of settings that obtained tokens (issuer, client, scopes,
 * grant): logging in with other settings adds a slot and never replaces another login.
 *
 * Stored JSON keeps the spec's wire names (`access_token`, `refresh_token`) and an absolute
 * `expires_at` (seconds since the epoch), so a file can be read without knowing when it was
 * written.
 *
 * @module
 */

import type { DPoPKey, TokenResponse } from "../acquisition.ts";

/** The grant a stored token came from. User flows can refresh; client credentials re-fetch. */
export type GrantKind = "user" | "client-credentials";

/**
 * What a token was obtained for; a stored token is used only when all of it matches. It names
 * the token's slot within its profile.
 */
export interface TokenBinding {
  /** The issuer identifier the token came from. */
  issuer: string;
  /** The client the token was issued to. */
  client_id: string;
  /** The requested scopes, space separated, sorted ("" when none were requested). */
  scope: string;
  /** Whether a person logged in or the client authenticated as itself. */
  grant: GrantKind;
  /** The audience asked for (`audience`, as Auth0 takes it); absent when none was. */
  audience?: string;
  /** The resource indicators asked for (RFC 8707), sorted, space separated; absent when none. */
  resource?: string;
  /** True when the tokens are bound to a DPoP key (RFC 9449); absent for Bearer tokens. */
  dpop?: true;
}

/** The tokens kept in one slot of a profile. */
export interface StoredTokens extends TokenBinding {
  /** The access token, sent as the bearer credential. */
  access_token: string;
  /** Lower-case token type, e.g. "bearer" or "dpop". */
  token_type: string;
  /** Seconds since the epoch when the access token was obtained. */
  obtained_at: number;
  /** Seconds since the epoch when the access token expires; absent when the server did not say. */
  expires_at?: number;
  /** Renews the access token without the user; servers rarely issue one for client credentials. */
  refresh_token?: string;
  /** The latest ID token (verified when it arrived), kept across refreshes that omit it. */
  id_token?: string;
  /** The scope the server granted, when it said (it may differ from the requested one). */
  granted_scope?: string;
  /** The client authentication method that worked, remembered for next time. */
  auth_method?: string;
  /** The DPoP key the tokens are bound to; every use of them must prove it holds it. */
  dpop_key?: DPoPKey;
}

/**
 * Storage for tokens: per profile, one slot per {@linkcode TokenBinding}, with a lock around
 * read-refresh-write. {@linkcode getUsableToken} needs only this; implement it to keep tokens
 * elsewhere (a keychain, a database). `JsonFileStore` and `MemoryStore` come with clauth.
 */
export interface TokenStore {
  /**
   * The tokens in the profile's slot for `binding`, or undefined when it has none. Throws
   * "storage" when what is stored is damaged.
   */
  get(profile: string, binding: TokenBinding): Promise<StoredTokens | undefined>;
  /** Every slot of the profile, in the order they were first saved. Throws when damaged. */
  slots(profile: string): Promise<StoredTokens[]>;
  /** Saves `tokens` in the slot of their own binding, atomically; other slots stay as they are. */
  set(profile: string, tokens: StoredTokens): Promise<void>;
  /**
   * Removes the slot for `binding`, or every slot of the profile when `binding` is left out;
   * resolves to whether anything was removed.
   */
  delete(profile: string, binding?: TokenBinding): Promise<boolean>;
  /** Names of the profiles that have stored tokens. */
  list(): Promise<string[]>;
  /**
   * Optional: fails with a "storage" error when saving the profile's tokens would fail (a full
   * disk, no permission). {@linkcode getUsableToken} calls it under the lock before it spends
   * a refresh token: the server may rotate it, and the new one must not be lost.
   */
  checkWritable?(profile: string): Promise<void>;
  /** Runs `fn` while holding the profile's exclusive lock (across processes for file stores). */
  withLock<T>(profile: string, fn: () => Promise<T>, options?: LockOptions): Promise<T>;
}

/** How to wait for a profile's lock, which another process may hold through a whole login. */
export interface LockOptions {
  /** Stops waiting (rejecting with its reason) when it aborts, e.g. on Ctrl-C. */
  signal?: AbortSignal;
  /** Called once when the lock is taken by someone else, before waiting for it. */
  onWait?: () => void;
}

/**
 * Normalizes a scope string: split on spaces, drop duplicates, sort. Use it for
 * {@linkcode TokenBinding.scope}, so that "b a" and "a b" find the same stored token.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeScope } from "@clauth/clauth";
 *
 * assert.equal(normalizeScope("openid  profile openid"), "openid profile");
 * assert.equal(normalizeScope(undefined), "");
 * ```
 */
export function normalizeScope(scope: string | undefined): string {
  return [...new Set((scope ?? "").split(/\s+/).filter(Boolean))].sort().join(" ");
}

/**
 * Whether stored tokens were obtained for exactly this issuer, client, scope and grant, that
 * is, whether they are in the slot of `binding`. Tokens for other settings are never handed
 * out, even when the profile name matches.
 */
export function matchesBinding(tokens: TokenBinding, binding: TokenBinding): boolean {
  return tokens.issuer === binding.issuer && tokens.client_id === binding.client_id &&
    tokens.scope === binding.scope && tokens.grant === binding.grant &&
    (tokens.audience ?? "") === (binding.audience ?? "") &&
    (tokens.resource ?? "") === (binding.resource ?? "") &&
    (tokens.dpop === true) === (binding.dpop === true);
}

/** Seconds a token must have left when the caller does not say: {@linkcode isFresh}. */
export const DEFAULT_MIN_TTL = 30;

/**
 * Whether the access token is still fresh: it has more than `minTtl` seconds left. Without a
 * `minTtl`, {@linkcode DEFAULT_MIN_TTL} applies, capped at half the token's lifetime so that
 * short-lived tokens stay usable; a `minTtl` given is honoured as it is (a job that needs ten
 * minutes needs them). A token without `expires_at` is always fresh. `now` is in seconds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isFresh, type StoredTokens } from "@clauth/clauth";
 *
 * const tokens: StoredTokens = {
 *   issuer: "https://login.example.com",
 *   client_id: "my-cli",
 *   scope: "openid",
 *   grant: "user",
 *   access_token: "token",
 *   token_type: "bearer",
 *   obtained_at: 1000,
 *   expires_at: 1600, // ten minutes
 * };
 * assert.equal(isFresh(tokens, undefined, 1500), true); // 100 s left
 * assert.equal(isFresh(tokens, undefined, 1580), false); // 20 s left: renew now
 * // By default a 40 s token needs only half its lifetime left, not 30 s...
 * assert.equal(isFresh({ ...tokens, expires_at: 1040 }, undefined, 1015), true); // 25 s left
 * // ...but a minimum asked for is honoured.
 * assert.equal(isFresh(tokens, 120, 1500), false); // 100 s left, 120 wanted
 * ```
 */
export function isFresh(tokens: StoredTokens, minTtl: number | undefined, now: number): boolean {
  if (tokens.expires_at === undefined) return true;
  const lifetime = tokens.expires_at - tokens.obtained_at;
  const margin = minTtl ?? Math.min(DEFAULT_MIN_TTL, Math.max(0, lifetime) / 2);
  return tokens.expires_at - now > margin;
}

/**
 * The `exp` and `iat` claims of a JWT (seconds), read from its payload without checking
 * anything: an ID token is verified when it is stored, and afterwards only its lifetime
 * matters. Undefined for what is not a JWT with a numeric `exp`.
 */
export function jwtLifetime(jwt: string): { exp: number; iat?: number } | undefined {
  try {
    const payload = JSON.parse(
      new TextDecoder().decode(
        Uint8Array.fromBase64(jwt.split(".")[1] ?? "", { alphabet: "base64url" }),
      ),
    );
    if (typeof payload?.exp !== "number") return undefined;
    return typeof payload.iat === "number"
      ? { exp: payload.exp, iat: payload.iat }
      : { exp: payload.exp };
  } catch {
    return undefined;
  }
}

/**
 * {@linkcode isFresh} for the stored ID token (`kubectl` and other tools that send it rather
 * than the access token): judged by its own `exp`, with the same margin, capped at half its
 * lifetime (`exp - iat`). Tokens without an ID token are left to the caller (true): renewing
 * them gives none.
 */
export function isIdTokenFresh(
  tokens: StoredTokens,
  minTtl: number | undefined,
  now: number,
): boolean {
  if (tokens.id_token === undefined) return true;
  const lifetime = jwtLifetime(tokens.id_token);
  if (lifetime === undefined) return false;
  const { exp, iat = exp } = lifetime;
  const margin = minTtl ?? Math.min(DEFAULT_MIN_TTL, Math.max(0, exp - iat) / 2);
  return exp - now > margin;
}

/**
 * Builds what to store from a token response. A refresh response without `refresh_token`
 * keeps the previous one (RFC 6749 §6), and likewise for the ID token.
 */
export function toStoredTokens(
  response: TokenResponse,
  binding: TokenBinding,
  now: number,
  previous?: StoredTokens,
): StoredTokens {
  const stored: StoredTokens = {
    ...binding,
    access_token: response.access_token,
    token_type: response.token_type.toLowerCase(),
    obtained_at: now,
  };
  if (response.expires_in !== undefined) stored.expires_at = now + response.expires_in;
  const refresh = response.refresh_token ?? previous?.refresh_token;
  if (refresh !== undefined) stored.refresh_token = refresh;
  const idToken = response.id_token ?? previous?.id_token;
  if (idToken !== undefined) stored.id_token = idToken;
  if (response.scope !== undefined) stored.granted_scope = response.scope;
  if (previous?.auth_method !== undefined) stored.auth_method = previous.auth_method;
  if (previous?.dpop_key !== undefined) stored.dpop_key = previous.dpop_key;
  return stored;
}

/**
 * The profile's slots with `tokens` saved in the slot of their binding: replaced where it
 * was, or added last. For {@linkcode TokenStore} implementations.
 */
export function putSlot(slots: readonly StoredTokens[], tokens: StoredTokens): StoredTokens[] {
  const at = slots.findIndex((slot) => matchesBinding(slot, tokens));
  return at < 0 ? [...slots, tokens] : slots.map((slot, i) => (i === at ? tokens : slot));
}
