/**
 * The OpenID Connect UserInfo endpoint: the user's claims (name, email, ...) for an access
 * token, checked to be about the same user as the ID token.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import { isDPoPNonceError } from "../tokens/dpop.ts";
import { ClauthError } from "../../errors.ts";
import { type Client, requireEndpoint } from "./client.ts";
import { shown } from "../tokens/jwt.ts";
import { safeText } from "./safe_text.ts";
import { toClauthError } from "./oauth_errors.ts";
import type { UserInfoResponse } from "./oauth_types.ts";

/** Options for {@linkcode fetchUserInfo}. */
export interface UserInfoOptions {
  /**
   * The `sub` of the verified ID token. The answer must be about that user (OIDC Core §5.3.2);
   * leave out only when there is no ID token to compare with.
   */
  expectedSubject?: string;
}

/**
 * Asks the UserInfo endpoint who the access token's user is and returns the claims.
 *
 * @example Who is logged in?
 * ```ts
 * import assert from "node:assert/strict";
 * import { authorizationCodeFlow, createClient, decodeJwt, fetchUserInfo } from "@clauth/clauth";
 * // The dev provider stands in for your server, and its scripted browser for the user's:
 * import { startDevProvider } from "../../dev/provider.ts";
 * import { followAuthorization } from "../../dev/browser.ts";
 *
 * const idp = await startDevProvider({ autoApprove: true });
 * const client = await createClient({ issuer: idp.issuer, clientId: "demo-cli" });
 * const { response } = await authorizationCodeFlow(client, {
 *   scope: "openid profile email",
 *   openBrowser: async (url) => (await followAuthorization(url)).status === 200,
 * });
 * // The flow verified the ID token: its sub says who logged in. (Verify a stored one first:
 * // `verifyIdToken`.)
 * const sub = String(decodeJwt(response.id_token!).claims.sub);
 * const info = await fetchUserInfo(client, response.access_token, { expectedSubject: sub });
 * assert.equal(info.sub, "alice");
 * assert.ok(info.name && info.email);
 * await idp.close();
 * ```
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
 */
export async function fetchUserInfo(
  client: Client,
  accessToken: string,
  options: UserInfoOptions = {},
): Promise<UserInfoResponse> {
  requireEndpoint(client, "userinfo_endpoint", "reading the user's claims (userinfo)");
  const fetchFn = client.requestOptions[oauth.customFetch];
  const ask = async () => {
    const response = await oauth.userInfoRequest(client.as, client.client, accessToken, {
      ...client.requestOptions,
      // oauth4webapi's GET options carry `body: undefined`, which RequestInit types refuse.
      [oauth.customFetch]: (url, init) => fetchFn(url, { ...init, body: null }),
    });
    return await oauth.processUserInfoResponse(
      client.as,
      client.client,
      options.expectedSubject ?? oauth.skipSubjectCheck,
      response,
    );
  };
  try {
    try {
      return await ask();
    } catch (error) {
      // RFC 9449 §9: a resource server's nonce; the proof of the second try carries it.
      if (!client.dpop || !isDPoPNonceError(error)) throw error;
      return await ask();
    }
  } catch (error) {
    throw userInfoError(error, options.expectedSubject);
  }
}

function userInfoError(error: unknown, expectedSubject: string | undefined): ClauthError {
  if (
    error instanceof oauth.OperationProcessingError &&
    error.code === oauth.JSON_ATTRIBUTE_COMPARISON && expectedSubject !== undefined
  ) {
    const actual = (error.cause as { body?: { sub?: unknown } } | undefined)?.body?.sub;
    return new ClauthError(
      "server",
      `The userinfo endpoint answered for sub ${shown(actual)}, but the ID token is for sub ${
        shown(expectedSubject)
      }: refused (the access token may belong to another user).`,
      { cause: error, endpoint: "userinfo" },
    );
  }
  // A resource server's challenge is about the access token, not the client's credentials.
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const challenge = error.cause[0]?.parameters;
    const detail = challenge?.error
      ? `${safeText(challenge.error, 100)}${
        challenge.error_description ? ` (${shown(challenge.error_description)})` : ""
      }`
      : "no reason given";
    return new ClauthError(
      "server",
      `The userinfo endpoint refused the access token: ${detail}, HTTP ${error.status}. It may have been revoked; log in again.`,
      { cause: error, oauthError: challenge?.error, status: error.status, endpoint: "userinfo" },
    );
  }
  return toClauthError(error, "userinfo");
}
