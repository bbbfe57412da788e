/**
 * Token introspection (RFC 7662): ask the authorization server whether a token is active and
 * what it stands for (scopes, subject, client, audience, expiry).
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import { authenticatedCall, type Client } from "./client.ts";
import { withProofFor } from "./dpop_requests.ts";
import type { AuthMethod } from "./client_auth.ts";
import type { IntrospectionResponse } from "./oauth_types.ts";

/** Options for {@linkcode introspectToken}. */
export interface IntrospectTokenOptions {
  /** A hint for the server: "access_token" or "refresh_token". */
  tokenTypeHint?: string;
}

/** The server's answer, plus the client authentication method that worked. */
export interface IntrospectionResult {
  /** `active` is always there; the rest only for active tokens (and only what the server says). */
  response: IntrospectionResponse;
  /** The client authentication that worked. */
  authMethod: AuthMethod;
}

/**
 * Introspects `token` with the client's own authentication. An inactive token (expired,
 * revoked, unknown, or not the client's to ask about) is an answer, not an error:
 * `response.active` is false.
 *
 * @example Is this token still good?
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientCredentialsFlow, createClient, introspectToken, revokeToken } from "@clauth/clauth";
 * // The dev provider stands in for your server:
 * import { startDevProvider } from "../../dev/provider.ts";
 *
 * const idp = await startDevProvider();
 * // Most servers let only confidential clients introspect.
 * const client = await createClient({
 *   issuer: idp.issuer,
 *   clientId: "demo-service",
 *   clientSecret: idp.clients.confidential.client_secret,
 * });
 * const { response: issued } = await clientCredentialsFlow(client, { scope: "api:read" });
 *
 * const { response } = await introspectToken(client, issued.access_token);
 * assert.equal(response.active, true);
 * assert.equal(response.scope, "api:read");
 *
 * await revokeToken(client, issued.access_token);
 * const after = await introspectToken(client, issued.access_token);
 * assert.equal(after.response.active, false); // an answer, not an error
 * await idp.close();
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662
 */
export async function introspectToken(
  client: Client,
  token: string,
  options: IntrospectTokenOptions = {},
): Promise<IntrospectionResult> {
  const additionalParameters = new URLSearchParams();
  if (options.tokenTypeHint) additionalParameters.set("token_type_hint", options.tokenTypeHint);
  const { result, authMethod } = await authenticatedCall(
    client,
    "introspection_endpoint",
    "token introspection",
    async (auth) => {
      const response = await oauth.introspectionRequest(client.as, client.client, auth, token, {
        ...await withProofFor(client, "introspection_endpoint"),
        additionalParameters,
      });
      return await oauth.processIntrospectionResponse(client.as, client.client, response);
    },
  );
  return { response: result, authMethod };
}
