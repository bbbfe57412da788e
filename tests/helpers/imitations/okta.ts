/**
 * A local Okta org (its domain on 127.0.0.1), with either authorization server, written from
 * Okta's documentation:
 *
 * - Authorization servers (https://developer.okta.com/docs/concepts/auth-servers/): the org
 *   server, issuer https://{yourOktaDomain}, endpoints under /oauth2/v1/; a custom one, issuer
 *   https://{yourOktaDomain}/oauth2/{id} ("default"), endpoints under /oauth2/{id}/v1/. Both
 *   mint JWT access tokens; the org server's are for Okta's APIs (audience the org URL) and
 *   signed with keys it does not publish, a custom server's carry aud "api://default".
 * - OpenID Connect & OAuth 2.0 API (https://developer.okta.com/docs/api/openapi/okta-oauth/):
 *   /v1/authorize, /v1/token, /v1/device/authorize with /activate, /v1/userinfo, /v1/revoke,
 *   /v1/keys; refresh tokens need `offline_access` and the Refresh Token grant on the app.
 * - Device Authorization (https://developer.okta.com/docs/guides/device-authorization-grant/):
 *   allowed per app; otherwise unauthorized_client "The client is not authorized to use the
 *   provided grant type. Configured grant types: [...]".
 * - Sign-in redirect URIs match exactly; PKCE is required for apps without a secret.
 *
 * @module
 */

import type { Dialect, ImitationClient } from "./_oidc_config.ts";
import { type ImitationOptions, type OidcImitation, startOidcImitation } from "./_oidc_server.ts";

/** An OIDC Native app (public, PKCE) with `grants`, allowing one sign-in redirect URI. */
export function oktaNativeApp(
  callback: string,
  grants: ImitationClient["grants"] = ["authorization_code", "refresh_token", "device_code"],
): ImitationClient {
  return { id: "0oa1b2c3d4E5F6g7h8i9", redirectUris: [callback], grants };
}

const grantList = (client: ImitationClient | undefined) =>
  (client?.grants ?? []).map((grant) =>
    grant === "device_code" ? "urn:ietf:params:oauth:grant-type:device_code" : grant
  ).join(", ");

/** Okta as the imitation speaks it: the org server ("org") or the custom server "default". */
export function oktaDialect(server: "org" | "default", clients: ImitationClient[]): Dialect {
  const base = server === "org" ? "/oauth2/v1" : "/oauth2/default/v1";
  const notAllowed = ({ client }: { client?: ImitationClient }) => ({
    status: 400,
    error: "unauthorized_client",
    description:
      `The client is not authorized to use the provided grant type. Configured grant types: [${
        grantList(client)
      }].`,
  });
  return {
    name: "Okta",
    issuerPath: server === "org" ? "" : "/oauth2/default",
    paths: {
      authorization: `${base}/authorize`,
      token: `${base}/token`,
      userinfo: `${base}/userinfo`,
      jwks: `${base}/keys`,
      revocation: `${base}/revoke`,
      device: `${base}/device/authorize`,
      verification: "/activate",
    },
    clients,
    user: {
      sub: "00u1abcd2EFGH3ijk4x7",
      profile: { name: "Alice Liddell", preferred_username: "alice@example.com", locale: "en_US" },
      email: { email: "alice@example.com", email_verified: true },
    },
    scopes: [
      "openid",
      "profile",
      "email",
      "address",
      "phone",
      "offline_access",
      "groups",
      ...(server === "org" ? ["okta.users.read.self", "okta.users.manage.self"] : []),
    ],
    refusals: {
      unknown_client: {
        status: 401,
        error: "invalid_client",
        description: "Invalid value for 'client_id' parameter.",
      },
      bad_secret: {
        status: 401,
        error: "invalid_client",
        description: "The client secret supplied for a confidential client is invalid.",
      },
      bad_code: {
        status: 400,
        error: "invalid_grant",
        description: "The authorization code is invalid or has expired.",
      },
      bad_verifier: {
        status: 400,
        error: "invalid_grant",
        description: "PKCE verification failed.",
      },
      bad_refresh: {
        status: 400,
        error: "invalid_grant",
        description: "The refresh token is invalid or expired.",
      },
      grant_not_allowed: notAllowed,
      device_not_allowed: notAllowed,
      pending: {
        status: 400,
        error: "authorization_pending",
        description: "The device authorization is pending. Please try again later.",
      },
      expired_device: {
        status: 400,
        error: "expired_token",
        description: "The device code has expired.",
      },
      pkce_missing: {
        status: 400,
        error: "invalid_request",
        description:
          "PKCE code challenge is required when the token endpoint authentication method is 'NONE'.",
      },
      invalid_scope: {
        status: 400,
        error: "invalid_scope",
        description: "One or more scopes are not configured for the authorization server resource.",
      },
    },
    redirectRefusal:
      "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.",
    redirectUriMatches: (registered, given) => registered === given,
    pkce: "public",
    issInAuthorizationResponse: false,
    accessTokenLifetime: 3600,
    refreshTokens: "offline_access",
    rotation: "none",
    revocation: "token",
    tokenType: "Bearer",
    userCode: () =>
      [...crypto.getRandomValues(new Uint8Array(8))]
        .map((byte) => "ABCDEFGHJKLMNPQRSTUVWXYZ"[byte % 24]).join(""),
    deviceInterval: 5,
    async accessToken({ grant, issuer, iat, exp, jti, sign }) {
      const org = server === "org";
      return await sign({
        ver: 1,
        jti: `AT.${jti}`,
        iss: issuer,
        // The org server's tokens are for Okta itself; a custom server's for your APIs.
        aud: org ? new URL(issuer).origin : "api://default",
        iat,
        exp,
        cid: grant.client.id,
        uid: grant.subject,
        scp: grant.scope,
        auth_time: grant.authTime,
        sub: "alice@example.com",
      }, { unpublished: org });
    },
  };
}

/** Starts an Okta imitation: `server` "org" or "default", Native apps allowing `callback`. */
export function startOkta(
  server: "org" | "default",
  clients: ImitationClient[],
  options: ImitationOptions & { interval?: number } = {},
): Promise<OidcImitation> {
  const dialect = oktaDialect(server, clients);
  if (options.interval !== undefined) dialect.deviceInterval = options.interval;
  return startOidcImitation(dialect, options);
}
