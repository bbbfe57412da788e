/**
 * Token revocation (RFC 7009): tell the server a token is no longer needed.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import { type Client, requireEndpoint } from "./client.ts";
import { withClientAuth } from "./client_auth.ts";
import { toClauthError } from "./oauth_errors.ts";

/** Whether the server can revoke tokens (it advertises, or the profile sets, an endpoint). */
export function canRevoke(client: Client): boolean {
  return typeof client.as.revocation_endpoint === "string";
}

/**
 * Revokes `token` at the server. Revoking a refresh token also ends the access tokens of its
 * grant at most servers; revoking an unknown or expired token succeeds (RFC 7009 §2.2).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009
 */
export async function revokeToken(
  client: Client,
  token: string,
  options: { tokenTypeHint?: "access_token" | "refresh_token" } = {},
): Promise<void> {
  requireEndpoint(client, "revocation_endpoint", "revoking tokens");
  const additionalParameters = new URLSearchParams();
  if (options.tokenTypeHint) additionalParameters.set("token_type_hint", options.tokenTypeHint);
  try {
    await withClientAuth(client.as, client.settings, async (auth) => {
      const response = await oauth.revocationRequest(client.as, client.client, auth, token, {
        ...client.requestOptions,
        additionalParameters,
      });
      await oauth.processRevocationResponse(response);
    });
  } catch (error) {
    throw toClauthError(error, "revocation endpoint");
  }
}
