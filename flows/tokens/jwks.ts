/**
 * The issuer's signing keys, the JWK Set at its `jwks_uri`, as jose fetches, validates and
 * picks them ({@linkcode createRemoteJWKSet}). We hand jose the set we already have (its
 * `jwksCache` option) and keep the set it fetches: in memory for the {@linkcode Client}, and
 * across runs in the dependencies' `metadataCache` under the jwks_uri, whose time to live
 * decides when the set is fetched anew.
 *
 * @module
 */

import type { JSONWebKeySet, JWKSCacheInput, RemoteJWKSet } from "jose";
import { createRemoteJWKSet, customFetch, jwksCache } from "jose/jwks/remote";
import * as oauth from "oauth4webapi";
import { ClauthError } from "../../errors.ts";
import { type Client, requireEndpoint } from "../protocol/client.ts";
import { DEFAULT_TIMEOUT_MS, describeUrl, followSameOriginRedirects } from "../protocol/http.ts";
import { withEndpoint } from "../protocol/oauth_errors.ts";

/** jose fetches the set again for a kid it lacks once the set is this old (its cooldown). */
const COOLDOWN_MS = 30_000;

const inMemory = new WeakMap<Client, JSONWebKeySet>();

/**
 * Runs `verify` with the issuer's key set, then keeps the set jose fetched, if it fetched one
 * (also when `verify` failed: the set was good). A set we had counts as past jose's cooldown,
 * so a kid it lacks (a key rotation) makes jose fetch it once more; a set jose has just
 * fetched is not fetched twice.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata (jwks_uri)
 */
export async function withIssuerKeys<T>(
  client: Client,
  verify: (keys: RemoteJWKSet, uri: string) => Promise<T>,
): Promise<T> {
  const uri = requireEndpoint(client, "jwks_uri", "verifying signed tokens");
  const known = inMemory.get(client) ?? await client.deps.metadataCache?.get(uri);
  const stamp = Date.now() - COOLDOWN_MS;
  // jose seeds itself only from a valid JWK Set; anything else in the cache is ignored.
  const cache: { jwks?: JSONWebKeySet; uat?: number } = known
    ? { jwks: known as JSONWebKeySet, uat: stamp }
    : {};
  const keys = createRemoteJWKSet(new URL(uri), {
    [customFetch]: keySetFetch(client),
    [jwksCache]: cache as JWKSCacheInput,
    cacheMaxAge: Infinity, // the metadata cache's time to live decides
    timeoutDuration: Math.ceil(client.deps.timeoutMs ?? DEFAULT_TIMEOUT_MS), // as our fetch's
  });
  try {
    return await verify(keys, uri);
  } finally {
    if (cache.uat !== stamp && cache.jwks) {
      inMemory.set(client, cache.jwks);
      await client.deps.metadataCache?.set(uri, cache.jwks);
    }
  }
}

/**
 * jose's fetch for the jwks_uri: redirects followed only within its origin (createClient()
 * already refused a jwks_uri that is not https or loopback http), an answer other than
 * HTTP 200 refused in our words, and the size limit of every answer (1 MiB, see http.ts).
 */
function keySetFetch(client: Client) {
  const fetchSameOrigin = followSameOriginRedirects(client.requestOptions[oauth.customFetch]);
  return async (url: string, init: { headers: Headers; signal: AbortSignal }) => {
    let response: Response;
    try {
      response = await fetchSameOrigin(url, init);
    } catch (error) {
      // Our fetch's errors (the network's, an answer over the size limit) name the key set.
      throw error instanceof ClauthError ? withEndpoint(error, "jwks") : error;
    }
    if (response.status === 200) return response;
    await response.body?.cancel();
    throw new ClauthError(
      "server",
      `The issuer's key set at ${describeUrl(url)} could not be fetched: HTTP ${response.status}.`,
      { status: response.status, endpoint: "jwks" },
    );
  };
}
