/**
 * What clauth stores per profile, and the interface every token store implements.
 *
 * Stored JSON keeps the spec's wire names (`access_token`, `refresh_token`) and an absolute
 * `expires_at` (seconds since the epoch), so a file can be read without knowing when it was
 * written.
 *
 * @module
 */

/** The grant a stored token came from. User flows can refresh; client credentials re-fetch. */
export type GrantKind = "user" | "client-credentials";

/** What a token was obtained for; a stored token is used only when all of it matches. */
export interface TokenBinding {
  /** The issuer identifier the token came from. */
  issuer: string;
  /** The client the token was issued to. */
  client_id: string;
  /** The requested scopes, space separated, sorted ("" when none were requested). */
  scope: string;
  /** Whether a person logged in or the client authenticated as itself. */
  grant: GrantKind;
}

/** The tokens kept for one profile. */
export interface StoredTokens extends TokenBinding {
  access_token: string;
  /** Lower-case token type, e.g. "bearer" or "dpop". */
  token_type: string;
  /** Seconds since the epoch when the access token was obtained. */
  obtained_at: number;
  /** Seconds since the epoch when the access token expires; absent when the server did not say. */
  expires_at?: number;
  refresh_token?: string;
  id_token?: string;
  /** The scope the server granted, when it said (it may differ from the requested one). */
  granted_scope?: string;
  /** The client authentication method that worked, remembered for next time. */
  auth_method?: string;
}

/** A token endpoint response, the part of it clauth keeps. */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
}

/** Storage for tokens, one entry per profile, with a lock around read-refresh-write. */
export interface TokenStore {
  /** The profile's tokens, or undefined when there are none. Throws "storage" when damaged. */
  get(profile: string): Promise<StoredTokens | undefined>;
  /** Replaces the profile's tokens atomically. */
  set(profile: string, tokens: StoredTokens): Promise<void>;
  /** Removes the profile's tokens; resolves to whether there were any. */
  delete(profile: string): Promise<boolean>;
  /** Names of the profiles that have stored tokens. */
  list(): Promise<string[]>;
  /** Runs `fn` while holding the profile's exclusive lock (across processes for file stores). */
  withLock<T>(profile: string, fn: () => Promise<T>): Promise<T>;
}

/** Normalizes a scope string: split on spaces, drop duplicates, sort. */
export function normalizeScope(scope: string | undefined): string {
  return [...new Set((scope ?? "").split(/\s+/).filter(Boolean))].sort().join(" ");
}

/** Whether stored tokens were obtained for exactly this issuer, client, scope and grant. */
export function matchesBinding(tokens: StoredTokens, binding: TokenBinding): boolean {
  return tokens.issuer === binding.issuer && tokens.client_id === binding.client_id &&
    tokens.scope === binding.scope && tokens.grant === binding.grant;
}

/**
 * Whether the access token is still fresh: it has more than `minTtl` seconds left, where
 * `minTtl` is capped at half the token's lifetime so short-lived tokens stay usable.
 */
export function isFresh(tokens: StoredTokens, minTtl: number, now: number): boolean {
  if (tokens.expires_at === undefined) return true;
  const lifetime = tokens.expires_at - tokens.obtained_at;
  const margin = Math.min(minTtl, Math.max(0, lifetime) / 2);
  return tokens.expires_at - now > margin;
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
  return stored;
}
