/**
 * The Client Credentials grant: a service authenticates as itself, no person involved.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import type { Acquisition } from "../../acquisition.ts";
import { type Client, tokenEndpointCall } from "../protocol/client.ts";

/** Options for {@linkcode clientCredentialsFlow}. */
export interface ClientCredentialsOptions {
  /** Space-separated scopes to request. */
  scope?: string;
  /** Resource indicators (RFC 8707). */
  resource?: string[];
  /** Audience values, for servers that take `audience`. */
  audience?: string[];
}

/**
 * Gets an access token for the client itself, authenticating with its secret or private key.
 * There is no refresh token: when the token runs out, ask again (the orchestrator's
 * `fetchNew`).
 *
 * @example A service's own token
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientCredentialsFlow, createClient } from "@clauth/clauth";
 * // The dev provider stands in for your server:
 * import { startDevProvider } from "../../dev/provider.ts";
 *
 * const idp = await startDevProvider();
 * const client = await createClient({
 *   issuer: idp.issuer,
 *   clientId: "demo-service",
 *   clientSecret: idp.clients.confidential.client_secret, // yours: from the CI's secret store
 * });
 * const { response, authMethod } = await clientCredentialsFlow(client, { scope: "api:read" });
 * assert.equal(response.token_type, "bearer");
 * assert.equal(response.refresh_token, undefined); // when it runs out, ask again
 * assert.equal(authMethod, "client_secret_basic");
 * await idp.close();
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @see https://www.rfc-editor.org/rfc/rfc8707 (resource)
 */
export async function clientCredentialsFlow(
  client: Client,
  options: ClientCredentialsOptions = {},
): Promise<Acquisition> {
  const parameters = new URLSearchParams();
  if (options.scope) parameters.set("scope", options.scope);
  for (const resource of options.resource ?? []) parameters.append("resource", resource);
  for (const audience of options.audience ?? []) parameters.append("audience", audience);
  return await tokenEndpointCall(client, async (auth) => {
    const response = await oauth.clientCredentialsGrantRequest(
      client.as,
      client.client,
      auth,
      parameters,
      client.requestOptions,
    );
    return await oauth.processClientCredentialsResponse(client.as, client.client, response);
  });
}
