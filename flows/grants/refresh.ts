/**
 * The refresh token grant.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import type { Acquisition } from "../../acquisition.ts";
import { type Client, tokenEndpointCall } from "../protocol/client.ts";
import { checkSameLogin, processTokenResponse } from "../tokens/id_token.ts";

/** Options for {@linkcode refreshFlow}. */
export interface RefreshFlowOptions {
  /** Ask for fewer scopes than the grant has (default: all of them). */
  scope?: string;
  /**
   * The ID token of the login being refreshed. A new ID token in the response must then be
   * about the same login: same iss, sub, aud (OIDC Core §12.2).
   */
  previousIdToken?: string;
  /** Resource indicators (RFC 8707 §2.2) for the new access token. */
  resource?: string[];
}

/**
 * Trades a refresh token for a new access token (and, with rotation, a new refresh token).
 * A response without `refresh_token` means "keep using the old one"; the caller keeps it.
 * Failures with `invalid_grant` mean the grant is gone: the caller should log in again.
 * `getUsableToken` does all that when it is handed
 * `refresh: (stored) => refreshFlow(client, stored.refresh_token!)`.
 *
 * @example Renew the tokens of a login
 * ```ts
 * import assert from "node:assert/strict";
 * import { authorizationCodeFlow, createClient, refreshFlow } from "@clauth/clauth";
 * // The dev provider stands in for your server, and its scripted browser for the user's:
 * import { startDevProvider } from "../../dev/provider.ts";
 * import { followAuthorization } from "../../dev/browser.ts";
 *
 * const idp = await startDevProvider({ autoApprove: true });
 * const client = await createClient({ issuer: idp.issuer, clientId: "demo-cli" });
 * const login = await authorizationCodeFlow(client, {
 *   scope: "openid offline_access", // offline_access asks for a refresh token
 *   openBrowser: async (url) => (await followAuthorization(url)).status === 200,
 * });
 *
 * const renewed = await refreshFlow(client, login.response.refresh_token!, {
 *   previousIdToken: login.response.id_token!, // a new ID token must be about the same login
 * });
 * assert.notEqual(renewed.response.access_token, login.response.access_token);
 * // This server rotates refresh tokens: keep the new one (without one, keep the old).
 * assert.notEqual(renewed.response.refresh_token, login.response.refresh_token);
 * await idp.close();
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export async function refreshFlow(
  client: Client,
  refreshToken: string,
  options: RefreshFlowOptions = {},
): Promise<Acquisition> {
  const parameters = new URLSearchParams();
  if (options.scope) parameters.set("scope", options.scope);
  for (const resource of options.resource ?? []) parameters.append("resource", resource);
  return await tokenEndpointCall(client, async (auth) => {
    const response = await oauth.refreshTokenGrantRequest(
      client.as,
      client.client,
      auth,
      refreshToken,
      { ...client.requestOptions, additionalParameters: parameters },
    );
    const result = await processTokenResponse(
      client,
      (metadata) => oauth.processRefreshTokenResponse(client.as, metadata, response),
    );
    const claims = oauth.getValidatedIdTokenClaims(result);
    if (claims && options.previousIdToken) checkSameLogin(claims, options.previousIdToken);
    return result;
  });
}
