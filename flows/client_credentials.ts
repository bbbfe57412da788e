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
 * Gets an access token for the client itself, authenticating with its secret or private key.
 * There is no refresh token: when the token runs out, ask again (the orchestrator's
 * `fetchNew`).
 *
 * @example A CI job's token, cached in the job's state folder
 * ```ts ignore
 * import { clientCredentialsFlow, createClient, getUsableToken, JsonFileStore } from "@clauth/clauth";
 *
 * const clientSecret = Deno.env.get("DEPLOY_CLIENT_SECRET");
 * if (!clientSecret) throw new Error("Set DEPLOY_CLIENT_SECRET");
 * const client = await createClient({
 *   issuer: "https://login.example.com",
 *   clientId: "deployer",
 *   clientSecret,
 * });
 * const { tokens } = await getUsableToken({
 *   store: new JsonFileStore(".state"),
 *   profile: "deploy",
 *   binding: { issuer: client.as.issuer, client_id: "deployer", scope: "deploy", grant: "client-credentials" },
 *   fetchNew: () => clientCredentialsFlow(client, { scope: "deploy" }),
 * });
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @see https://www.rfc-editor.org/rfc/rfc8707 (resource)
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
