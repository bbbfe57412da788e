/**
 * Requests with DPoP (RFC 9449): a client whose every request proves possession of a key,
 * the proof for the requests oauth4webapi sends without one, and the one retry a server's
 * nonce asks for (§8). The key and proofs themselves are flows/tokens/dpop.ts.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import type { DPoPKey } from "../../acquisition.ts";
import { dpopProofs, isDPoPNonceError } from "../tokens/dpop.ts";
import type { Client } from "./client.ts";

/**
 * The same client with DPoP (RFC 9449): every request to the token endpoint (each grant,
 * refresh, exchange), PAR, userinfo, revocation and introspection carries a proof signed
 * with `key`, and the tokens it gets are bound to that key. A server's `use_dpop_nonce`
 * answer is retried once with the nonce it sent, which is then used for that server for
 * the rest of the run.
 *
 * @example Client credentials bound to a key
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientCredentialsFlow, createClient, generateDPoPKey, withDPoP } from "@clauth/clauth";
 * import { startDevProvider } from "../../dev/provider.ts";
 *
 * const idp = await startDevProvider();
 * const client = await createClient({
 *   issuer: idp.issuer,
 *   clientId: "demo-service",
 *   clientSecret: "demo-service-secret",
 * });
 * const key = await generateDPoPKey("ES256"); // store it with the tokens: they need it
 * const { response, dpopKey } = await clientCredentialsFlow(await withDPoP(client, key));
 * assert.equal(response.token_type, "dpop");
 * assert.equal(dpopKey?.jkt, key.jkt);
 * await idp.close();
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449
 */
export async function withDPoP(client: Client, key: DPoPKey): Promise<Client> {
  const dpop = await dpopProofs(key);
  return { ...client, dpop, requestOptions: { ...client.requestOptions, DPoP: dpop.handle } };
}

/**
 * oauth4webapi's options for a request it adds no DPoP proof to itself (revocation,
 * introspection): the client's, plus, when it has a DPoP key, a proof for `endpoint` and a
 * fetch that learns the server's nonce from the answer. Call once per request: a proof is
 * good for one request only.
 */
export async function withProofFor(
  client: Client,
  endpoint: "revocation_endpoint" | "introspection_endpoint",
): Promise<Client["requestOptions"] & { headers?: Record<string, string> }> {
  const { dpop } = client;
  const url = client.as[endpoint];
  if (!dpop || typeof url !== "string") return client.requestOptions;
  const inner = client.requestOptions[oauth.customFetch];
  return {
    ...client.requestOptions,
    headers: { dpop: await dpop.proof("POST", url) },
    [oauth.customFetch]: async (input, init) => {
      const response = await inner(input, init);
      dpop.remember(response, url);
      return response;
    },
  };
}

/**
 * `send`, sent once more when the server answers `use_dpop_nonce` (RFC 9449 §8): oauth4webapi
 * has by then learned the nonce from the answer's DPoP-Nonce header, and puts it in the new
 * proof. Once only: a server that keeps asking is refused with its own error.
 */
export function retryingOnDPoPNonce<T>(
  send: (auth: oauth.ClientAuth) => Promise<T>,
): (auth: oauth.ClientAuth) => Promise<T> {
  return async (auth) => {
    try {
      return await send(auth);
    } catch (error) {
      if (!isDPoPNonceError(error)) throw error;
      return await send(auth);
    }
  };
}
