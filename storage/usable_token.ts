/**
 * The one orchestrator behind every command that needs a token.
 *
 * Cached and fresh -> returned with no network and no lock. Otherwise: take the profile's
 * lock, re-read (another process may have refreshed meanwhile), refresh or fetch anew
 * through the functions it is handed, else run the interactive login if one is allowed,
 * save, release. It knows nothing about HTTP: the caller hands it those functions.
 *
 * @module
 */

import type { Acquisition } from "../acquisition.ts";
import { ClauthError } from "../errors.ts";
import { epochSeconds, type SaveTokensOptions, storedTokensOf } from "./save_tokens.ts";
import {
  isFresh,
  isIdTokenFresh,
  type StoredTokens,
  type TokenBinding,
  type TokenStore,
} from "./token_store.ts";

// getUsableToken takes it; importable from here too.

/**
 * Options for {@linkcode getUsableToken}: where the tokens are kept (as for
 * {@linkcode saveTokens}), how fresh they must be, and how to renew them.
 */
export interface UsableTokenOptions extends SaveTokensOptions {
  /**
   * Seconds a cached token must still have, honoured as given. Left out: 30, capped at half
   * the token's lifetime ({@linkcode isFresh}).
   */
  minTtl?: number;
  /** Ignore a fresh cached token and get a new one. */
  forceRefresh?: boolean;
  /**
   * The token the caller will send. "id_token" (Kubernetes API servers take it): the stored
   * ID token must be fresh, judged by its own `exp` ({@linkcode isIdTokenFresh}), and a
   * refresh runs when it is not, even while the access token is. Default "access_token".
   */
  tokenType?: "access_token" | "id_token";
  /**
   * The caller has just read this slot and found no fresh token: go straight to the lock
   * (which re-reads it) instead of reading it once more first.
   */
  knownStale?: boolean;
  /** Uses a refresh token (user grants). */
  refresh?: (tokens: StoredTokens) => Promise<Acquisition>;
  /** Gets a new token without a person (client credentials). */
  fetchNew?: (previous: StoredTokens | undefined) => Promise<Acquisition>;
  /** Interactive login; leave out when no person can interact. */
  login?: () => Promise<Acquisition>;
  /** The command that logs in, for the "login required" message. */
  loginCommand?: string;
}

/**
 * Where a usable token came from: the store, a refresh, a new client-credentials token, or
 * an interactive login.
 */
export type TokenSource = "cache" | "refresh" | "fetch" | "login";

/** The result of {@linkcode getUsableToken}. */
export interface UsableToken {
  /** The tokens, as now stored; `tokens.access_token` is the one to send. */
  tokens: StoredTokens;
  /** How they were obtained (for a `--verbose` line or a metric). */
  source: TokenSource;
  /**
   * True when even the token just obtained has less than the `minTtl` asked for: the server
   * issues shorter tokens. It is still the best there is; tell the user.
   */
  shorterThanAsked?: boolean;
}

/**
 * Returns a usable token for a profile, refreshing, fetching or logging in as needed, with
 * at most one of those per profile at a time across processes.
 *
 * A stored token is used only when it matches `binding` and is fresh ({@linkcode isFresh}); the
 * fast path reads the store and nothing else. When a refresh fails with `invalid_grant`, the
 * stored tokens are deleted and `login` runs; without `login` that is a "login_required"
 * error naming `loginCommand`, as is having no way to get a token at all.
 *
 * @example Cached, then renewed (offline, with a fake `fetchNew`)
 * ```ts
 * import assert from "node:assert/strict";
 * import { getUsableToken, MemoryStore, type UsableTokenOptions } from "@clauth/clauth";
 *
 * let now = 1_000;
 * let fetched = 0;
 * const options: UsableTokenOptions = {
 *   store: new MemoryStore(),
 *   profile: "default",
 *   binding: { issuer: "https://login.example.com", client_id: "svc", scope: "", grant: "client-credentials" },
 *   now: () => now,
 *   fetchNew: () => {
 *     fetched++;
 *     const response = { access_token: `token-${fetched}`, token_type: "Bearer", expires_in: 300 };
 *     return Promise.resolve({ response });
 *   },
 * };
 *
 * assert.equal((await getUsableToken(options)).source, "fetch");
 * const cached = await getUsableToken(options);
 * assert.equal(cached.source, "cache");
 * assert.equal(cached.tokens.access_token, "token-1");
 *
 * now += 290; // 10 s left: less than the 30 s minimum
 * const renewed = await getUsableToken(options);
 * assert.equal(renewed.source, "fetch");
 * assert.equal(renewed.tokens.access_token, "token-2");
 * ```
 */
export async function getUsableToken(options: UsableTokenOptions): Promise<UsableToken> {
  const { store, profile, binding, forceRefresh = false, minTtl } = options;
  const now = options.now ?? epochSeconds;
  const fresh = options.tokenType === "id_token" ? isIdTokenFresh : isFresh;
  const usable = (tokens: StoredTokens | undefined): tokens is StoredTokens =>
    tokens !== undefined && fresh(tokens, minTtl, now());

  // A damaged file is an error for user logins (a person should know), but a client can
  // simply get a new token: the save moves the damaged file aside.
  const read = () =>
    store.get(profile, binding).catch((error) => {
      if (options.fetchNew && error instanceof ClauthError && error.code === "storage") {
        return undefined;
      }
      throw error;
    });
  const seen = options.knownStale ? undefined : await read();
  if (!forceRefresh && usable(seen)) return { tokens: seen, source: "cache" };

  return await store.withLock(profile, async () => {
    let current = await read();
    // Someone else renewed while we waited for the lock: theirs is as good as ours.
    const renewedMeanwhile = !options.knownStale && current?.access_token !== seen?.access_token;
    if ((!forceRefresh || renewedMeanwhile) && usable(current)) {
      return { tokens: current, source: "cache" };
    }
    // Why the stored tokens cannot serve, for the "login required" message below.
    const why = async () =>
      current && !current.refresh_token
        ? "the stored access token has expired and there is no refresh token (ask for the offline_access scope to get one)"
        : current
        ? undefined
        : await otherSettings(store, profile, binding);

    const save = async (
      acquired: Acquisition,
      source: TokenSource,
      previous?: StoredTokens,
    ): Promise<UsableToken> => {
      const tokens = storedTokensOf(acquired, binding, now(), previous);
      await store.set(profile, tokens);
      return fresh(tokens, minTtl, now())
        ? { tokens, source }
        : { tokens, source, shorterThanAsked: true };
    };

    const refreshing = current?.refresh_token !== undefined && options.refresh !== undefined;
    // A refresh may rotate the refresh token, and a login costs the person an effort: make
    // sure the answer can be saved first. A client-credentials token can simply be fetched
    // again.
    if (refreshing || options.login) await store.checkWritable?.(profile);
    if (current?.refresh_token && options.refresh) {
      try {
        return await save(await options.refresh(current), "refresh", current);
      } catch (error) {
        if (!(error instanceof ClauthError && error.code === "invalid_grant")) throw error;
        // The grant is dead (revoked, expired, or a rotated token was reused): drop its slot.
        await store.delete(profile, binding);
        if (!options.login) {
          throw new ClauthError(
            "login_required",
            `${error.message}. The stored tokens were removed; ${loginAdvice(options)}.`,
            { cause: error },
          );
        }
        current = undefined;
      }
    }
    if (options.fetchNew) return await save(await options.fetchNew(current), "fetch", current);
    if (options.login) return await save(await options.login(), "login");
    const reason = await why();
    throw new ClauthError(
      "login_required",
      `No usable token for profile "${profile}"${
        reason ? ` (${reason})` : ""
      } and no terminal to log in from: ${loginAdvice(options)}.`,
    );
  }, options.lock);
}

/**
 * When the profile has tokens only for other settings, says which setting differs from the
 * nearest of them (same issuer and client first), for the "login required" message.
 */
async function otherSettings(
  store: TokenStore,
  profile: string,
  wanted: TokenBinding,
): Promise<string | undefined> {
  const slots = await store.slots(profile).catch(() => []);
  const fields = [
    ["issuer", "issuer"],
    ["client_id", "client"],
    ["scope", "scope"],
    ["grant", "grant"],
    ["audience", "audience"],
    ["resource", "resource"],
  ] as const;
  const differing = (slot: TokenBinding) =>
    fields.findIndex(([f]) => (slot[f] ?? "") !== (wanted[f] ?? ""));
  // Past the fields: the slots differ in DPoP only.
  const rank = (slot: TokenBinding) => differing(slot) < 0 ? fields.length : differing(slot);
  const nearest = slots.sort((a, b) => rank(b) - rank(a))[0];
  if (!nearest) return undefined;
  if (differing(nearest) < 0) {
    return `the profile's stored tokens are ${
      nearest.dpop ? "DPoP-bound" : "Bearer tokens"
    }, this run asks for ${wanted.dpop ? "DPoP-bound ones" : "Bearer ones"}`;
  }
  const [field, label] = fields[differing(nearest)]!;
  return `the profile's stored tokens are for ${label} "${
    nearest[field] ?? ""
  }", this run asks for "${wanted[field] ?? ""}"`;
}

function loginAdvice(options: UsableTokenOptions): string {
  return options.loginCommand ? `run "${options.loginCommand}"` : "log in again";
}
