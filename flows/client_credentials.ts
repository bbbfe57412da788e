/**
 * The Client Credentials grant: a service authenticates as itself, no person involved.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import { type Client, tokenEndpointCall, type TokenResult } from "./client.ts";

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
 * Gets an access token for the client itself.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
export async function clientCredentialsFlow(
  client: Client,
  options: ClientCredentialsOptions = {},
): Promise<TokenResult> {
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
