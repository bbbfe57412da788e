/**
 * The refresh token grant.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import { type Client, tokenEndpointCall, type TokenResult } from "./client.ts";
import { verifyIdTokenInResponse } from "./id_token.ts";

/**
 * Trades a refresh token for a new access token (and, with rotation, a new refresh token).
 * A response without `refresh_token` means "keep using the old one"; the caller keeps it.
 * Failures with `invalid_grant` mean the grant is gone: the caller should log in again.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export async function refreshFlow(
  client: Client,
  refreshToken: string,
  options: { scope?: string } = {},
): Promise<TokenResult> {
  const parameters = new URLSearchParams();
  if (options.scope) parameters.set("scope", options.scope);
  return await tokenEndpointCall(client, async (auth) => {
    const response = await oauth.refreshTokenGrantRequest(
      client.as,
      client.client,
      auth,
      refreshToken,
      { ...client.requestOptions, additionalParameters: parameters },
    );
    await verifyIdTokenInResponse(client, response);
    return await oauth.processRefreshTokenResponse(client.as, client.client, response);
  });
}
