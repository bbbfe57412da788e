/**
 * The refresh token grant.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import { type Client, tokenEndpointCall, type TokenResult } from "./client.ts";
import { checkSameLogin, processTokenResponse } from "./id_token.ts";

/** Options for {@linkcode refreshFlow}. */
export interface RefreshFlowOptions {
  /** Ask for fewer scopes than the grant has (default: all of them). */
  scope?: string;
  /**
   * The ID token of the login being refreshed. A new ID token in the response must then be
   * about the same login: same iss, sub, aud (OIDC Core §12.2).
   */
  previousIdToken?: string;
}

/**
 * Trades a refresh token for a new access token (and, with rotation, a new refresh token).
 * A response without `refresh_token` means "keep using the old one"; the caller keeps it.
 * Failures with `invalid_grant` mean the grant is gone: the caller should log in again.
 *
 * @example The orchestrator's `refresh` function
 * ```ts ignore
 * import { createClient, getUsableToken, JsonFileStore, refreshFlow } from "@clauth/clauth";
 *
 * const client = await createClient({ issuer: "https://login.example.com", clientId: "my-cli" });
 * const { tokens } = await getUsableToken({
 *   store: new JsonFileStore(".state"),
 *   profile: "default",
 *   binding: { issuer: client.as.issuer, client_id: "my-cli", scope: "openid", grant: "user" },
 *   // Called only for stored tokens that have a refresh token.
 *   refresh: (stored) => refreshFlow(client, stored.refresh_token!),
 * });
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export async function refreshFlow(
  client: Client,
  refreshToken: string,
  options: RefreshFlowOptions = {},
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
    const result = await processTokenResponse(
      client,
      (metadata) => oauth.processRefreshTokenResponse(client.as, metadata, response),
    );
    const claims = oauth.getValidatedIdTokenClaims(result);
    if (claims && options.previousIdToken) checkSameLogin(claims, options.previousIdToken);
    return result;
  });
}
