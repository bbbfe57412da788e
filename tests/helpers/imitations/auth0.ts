/**
 * A local Auth0 tenant (its domain as `--issuer http://127.0.0.1:PORT/`), written from Auth0's
 * documentation:
 *
 * - Issuer "https://{yourDomain}/", with the slash (ID Token Structure:
 *   https://auth0.com/docs/secure/tokens/id-tokens/id-token-structure); /authorize,
 *   /oauth/token, /oauth/device/code with /activate, /userinfo, /oauth/revoke,
 *   /.well-known/jwks.json (Authentication API: https://auth0.com/docs/api/authentication).
 * - Access tokens: a JWT for the API named by `audience`, its `aud` also listing /userinfo when
 *   `openid` was asked; without an audience an opaque token (a JWE-shaped string) for /userinfo
 *   only (Access Tokens: https://auth0.com/docs/secure/tokens/access-tokens).
 * - Client credentials refused without an audience: 403 access_denied "No audience parameter
 *   was provided, and no default audience has been configured"; an unknown one "Service not
 *   found: ..." (also at /authorize).
 * - Refresh tokens with `offline_access`, non-rotating by default (a refresh answers no new
 *   one); /oauth/revoke revokes refresh tokens only, and answers 200 for anything else
 *   (https://auth0.com/docs/secure/tokens/refresh-tokens/revoke-refresh-tokens).
 * - A wrong or missing client secret: 401 access_denied "Unauthorized"; token endpoint
 *   refusals of grants are HTTP 403 (device polling too: 403 authorization_pending).
 * - Allowed Callback URLs match exactly (the port too).
 *
 * @module
 */

import type { Dialect, ImitationClient } from "./_oidc_config.ts";
import { type ImitationOptions, type OidcImitation, startOidcImitation } from "./_oidc_server.ts";
import { randomToken } from "./_oidc_tokens.ts";

/** The tenant's API (Applications > APIs), by its identifier. */
export const AUTH0_API = "https://api.example.com";

/** A Native application (public, PKCE) with its one allowed callback URL. */
export function auth0NativeApp(callback: string): ImitationClient {
  return {
    id: "n4T1v3Cl1EnT1dXyZ0123456789abcd",
    redirectUris: [callback],
    grants: ["authorization_code", "refresh_token", "device_code"],
  };
}

/** A Machine to Machine application, authorized for {@linkcode AUTH0_API}. */
export const AUTH0_M2M_APP: ImitationClient = {
  id: "m2mCl1EnT1dXyZ0123456789abcdefg",
  secret: "m2m-client-secret-from-the-dashboard",
  redirectUris: [],
  grants: ["client_credentials"],
};

const UNAUTHORIZED = { status: 401, error: "access_denied", description: "Unauthorized" };

/** Auth0 as the imitation speaks it. */
export function auth0Dialect(clients: ImitationClient[]): Dialect {
  const apiAllowed = (audience: string | null) =>
    audience === null || audience === AUTH0_API
      ? undefined
      : { status: 403, error: "access_denied", description: `Service not found: ${audience}` };
  return {
    name: "Auth0",
    issuerPath: "/",
    paths: {
      authorization: "/authorize",
      token: "/oauth/token",
      userinfo: "/userinfo",
      jwks: "/.well-known/jwks.json",
      revocation: "/oauth/revoke",
      device: "/oauth/device/code",
      verification: "/activate",
    },
    metadata: {
      scopes_supported: ["openid", "profile", "offline_access", "name", "email", "nickname"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    },
    clients,
    user: {
      sub: "auth0|64f1c0ffee0123456789abcd",
      profile: { name: "alice@example.com", nickname: "alice", updated_at: "2026-11-01T10:00:00Z" },
      email: { email: "alice@example.com", email_verified: true },
    },
    refusals: {
      unknown_client: UNAUTHORIZED,
      bad_secret: UNAUTHORIZED,
      bad_code: { status: 403, error: "invalid_grant", description: "Invalid authorization code" },
      bad_verifier: {
        status: 403,
        error: "invalid_grant",
        description: "Failed to verify code verifier",
      },
      bad_refresh: {
        status: 403,
        error: "invalid_grant",
        description: "Unknown or invalid refresh token.",
      },
      grant_not_allowed: ({ grantType }) => ({
        status: 403,
        error: "unauthorized_client",
        description: `Grant type '${grantType}' not allowed for the client.`,
      }),
      device_not_allowed: {
        status: 403,
        error: "unauthorized_client",
        description:
          "Grant type 'urn:ietf:params:oauth:grant-type:device_code' not allowed for the client.",
      },
      pending: {
        status: 403,
        error: "authorization_pending",
        description: "User has yet to authorize device code.",
      },
      expired_device: { status: 403, error: "expired_token", description: "Device code expired" },
      denied_device: { status: 403, error: "access_denied", description: "User denied" },
    },
    redirectRefusal:
      "Callback URL mismatch. The provided redirect_uri is not in the list of allowed callback URLs.",
    redirectUriMatches: (registered, given) => registered === given,
    pkce: "public",
    issInAuthorizationResponse: false,
    accessTokenLifetime: 86400,
    refreshTokens: "offline_access",
    rotation: "none",
    revocation: "refresh-only",
    tokenType: "Bearer",
    userCode: () => {
      const letters = [...crypto.getRandomValues(new Uint8Array(8))]
        .map((byte) => "BCDFGHJKLMNPQRSTVWXZ"[byte % 20]).join("");
      return `${letters.slice(0, 4)}-${letters.slice(4)}`;
    },
    deviceInterval: 5,
    async accessToken({ grant, issuer, iat, exp, sign }) {
      if (grant.audience === undefined) {
        // An opaque token: five dot-separated parts, as Auth0's encrypted ones look.
        const header = new TextEncoder().encode(
          JSON.stringify({ alg: "dir", enc: "A256GCM", iss: issuer }),
        ).toBase64({ alphabet: "base64url", omitPadding: true });
        return `${header}..${randomToken(12)}.${randomToken(48)}.${randomToken(16)}`;
      }
      const person = grant.subject !== grant.client.id;
      return await sign({
        iss: issuer,
        sub: person ? grant.subject : `${grant.client.id}@clients`,
        aud: grant.scope.includes("openid")
          ? [grant.audience, `${issuer}userinfo`]
          : grant.audience,
        iat,
        exp,
        azp: grant.client.id,
        scope: grant.scope.join(" "),
        ...(person ? {} : { gty: "client-credentials" }),
      });
    },
    checkAuthorization: (params) => apiAllowed(params.get("audience")),
    checkTokenRequest(grantType, form) {
      if (grantType !== "client_credentials") return undefined;
      if (!form.get("audience")) {
        return {
          status: 403,
          error: "access_denied",
          description:
            "No audience parameter was provided, and no default audience has been configured",
        };
      }
      return apiAllowed(form.get("audience"));
    },
  };
}

/** Starts an Auth0 imitation with a Native app allowing `callback`, and the M2M app. */
export function startAuth0(
  callback: string,
  options: ImitationOptions & { interval?: number } = {},
): Promise<OidcImitation> {
  const dialect = auth0Dialect([auth0NativeApp(callback), AUTH0_M2M_APP]);
  if (options.interval !== undefined) dialect.deviceInterval = options.interval;
  return startOidcImitation(dialect, options);
}
