/**
 * The issuer's signing keys: the JWK Set at its `jwks_uri`, fetched once and then cached, in
 * memory for the {@linkcode Client} and across runs in the dependencies' `metadataCache`
 * (keyed by the jwks_uri), so repeated commands do not ask again. A token signed with a key
 * the cached set lacks makes the verifier ask once more (`refetch`): that is how a key
 * rotation at the server reaches a long-lived cache.
 *
 * @module
 */

import type { JSONWebKeySet } from "jose";
import * as oauth from "oauth4webapi";
import { ClauthError } from "../errors.ts";
import { type Client, requireEndpoint } from "./client.ts";
import { describeUrl, followSameOriginRedirects } from "./http.ts";

/** A key set and where it came from. */
export interface IssuerKeys {
  /** The JWK Set as the server published it. */
  jwks: JSONWebKeySet;
  /** The jwks_uri it was read from. */
  uri: string;
  /** Whether this call fetched it (asking again right away would tell nothing new). */
  fresh: boolean;
}

const inMemory = new WeakMap<Client, JSONWebKeySet>();

/**
 * Returns the issuer's JWK Set: from memory or the metadata cache when present, else (or when
 * `refetch` is set) from the jwks_uri, then cached.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata (jwks_uri)
 */
export async function issuerKeys(
  client: Client,
  options: { refetch?: boolean } = {},
): Promise<IssuerKeys> {
  const uri = requireEndpoint(client, "jwks_uri", "verifying signed tokens");
  if (!options.refetch) {
    const known = inMemory.get(client) ?? asKeySet(await client.deps.metadataCache?.get(uri));
    if (known) {
      inMemory.set(client, known);
      return { jwks: known, uri, fresh: false };
    }
  }
  const jwks = await fetchKeySet(client, uri);
  inMemory.set(client, jwks);
  await client.deps.metadataCache?.set(uri, jwks);
  return { jwks, uri, fresh: true };
}

async function fetchKeySet(client: Client, uri: string): Promise<JSONWebKeySet> {
  const where = describeUrl(uri);
  // createClient() already refused a jwks_uri that is not https (or loopback http).
  const fetchKeys = followSameOriginRedirects(client.requestOptions[oauth.customFetch]);
  const response = await fetchKeys(uri, {
    headers: { accept: "application/json, application/jwk-set+json" },
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new ClauthError(
      "server",
      `The issuer's key set at ${where} could not be fetched: HTTP ${response.status}.`,
    );
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new ClauthError("server", `The issuer's key set at ${where} is not JSON.`, {
      cause: error,
    });
  }
  const jwks = asKeySet(body);
  if (!jwks) {
    throw new ClauthError(
      "server",
      `The issuer's key set at ${where} is not a JWK Set (it has no "keys" list of keys).`,
    );
  }
  return jwks;
}

function asKeySet(value: unknown): JSONWebKeySet | undefined {
  const keys = (value as { keys?: unknown } | undefined)?.keys;
  if (!Array.isArray(keys)) return undefined;
  if (!keys.every((key) => typeof key === "object" && key !== null && !Array.isArray(key))) {
    return undefined;
  }
  return value as JSONWebKeySet;
}
