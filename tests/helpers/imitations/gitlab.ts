/**
 * A local GitLab (self-managed, as `--host 127.0.0.1:PORT`), written from GitLab's
 * documentation and its Doorkeeper-based source:
 *
 * - https://docs.gitlab.com/api/oauth2/ : /oauth/authorize, /oauth/token, /oauth/revoke,
 *   /oauth/authorize_device with /oauth/device to enter the code; `expires_in` 7200 and
 *   `created_at` in every token response; a refresh "invalidates the existing access_token
 *   and refresh_token" (both stop working, the response brings new ones).
 * - https://docs.gitlab.com/integration/openid_connect_provider/ : issuer = the instance URL,
 *   /.well-known/openid-configuration, /oauth/userinfo, /oauth/discovery/keys; `sub` is the
 *   user's id; name, nickname, preferred_username, email claims.
 * - doorkeeper-openid_connect's discovery lists no device_authorization_endpoint; Doorkeeper
 *   matches loopback IP redirect URIs whatever their port (RFC 8252 §7.3, URIChecker), answers
 *   its own error texts, and refuses scopes GitLab does not define.
 *
 * @module
 */

import { type Dialect, type ImitationClient, sameExceptLoopbackPort } from "./_oidc_config.ts";
import { type ImitationOptions, type OidcImitation, startOidcImitation } from "./_oidc_server.ts";

/** A GitLab application (non-confidential) as a CLI would register it. */
export const GITLAB_APP: ImitationClient = {
  id: "0b3f6c1e9a2d4e5f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f",
  redirectUris: ["http://127.0.0.1/callback"],
  grants: ["authorization_code", "refresh_token", "device_code"],
};

/** Doorkeeper's invalid_grant text (config/locales/doorkeeper.en.yml). */
const INVALID_GRANT =
  "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.";

/** GitLab as the imitation speaks it. */
export function gitlabDialect(clients: ImitationClient[] = [GITLAB_APP]): Dialect {
  return {
    name: "GitLab",
    issuerPath: "",
    paths: {
      authorization: "/oauth/authorize",
      token: "/oauth/token",
      userinfo: "/oauth/userinfo",
      jwks: "/oauth/discovery/keys",
      revocation: "/oauth/revoke",
      device: "/oauth/authorize_device",
      verification: "/oauth/device",
    },
    unadvertised: ["device_authorization_endpoint"],
    metadata: {
      grant_types_supported: [
        "authorization_code",
        "password",
        "client_credentials",
        "refresh_token",
      ],
      token_endpoint_auth_methods_supported: [
        "client_secret_basic",
        "client_secret_post",
        "client_secret_jwt",
      ],
      claims_supported: [
        "iss",
        "sub",
        "aud",
        "exp",
        "iat",
        "sub_legacy",
        "name",
        "nickname",
        "preferred_username",
        "email",
        "email_verified",
        "website",
        "profile",
        "picture",
        "groups",
      ],
    },
    clients,
    user: {
      sub: "4217",
      profile: { name: "Alice Liddell", nickname: "alice", preferred_username: "alice" },
      email: { email: "alice@example.com", email_verified: true },
    },
    scopes: [
      "api",
      "read_api",
      "read_user",
      "create_runner",
      "k8s_proxy",
      "read_repository",
      "write_repository",
      "read_registry",
      "write_registry",
      "sudo",
      "admin_mode",
      "openid",
      "profile",
      "email",
    ],
    refusals: {
      unknown_client: {
        status: 401,
        error: "invalid_client",
        description:
          "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
      },
      bad_secret: {
        status: 401,
        error: "invalid_client",
        description:
          "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
      },
      bad_code: { status: 400, error: "invalid_grant", description: INVALID_GRANT },
      bad_verifier: { status: 400, error: "invalid_grant", description: INVALID_GRANT },
      bad_refresh: { status: 400, error: "invalid_grant", description: INVALID_GRANT },
      pkce_missing: {
        status: 400,
        error: "invalid_request",
        description: "Code challenge is required.",
      },
      invalid_scope: {
        status: 400,
        error: "invalid_scope",
        description: "The requested scope is invalid, unknown, or malformed.",
      },
    },
    redirectRefusal: "The redirect URI included is not valid.",
    redirectUriMatches: sameExceptLoopbackPort,
    // Non-confidential applications must use PKCE; clauth always sends it.
    pkce: "public",
    issInAuthorizationResponse: false,
    accessTokenLifetime: 7200,
    refreshTokens: "always",
    rotation: "replace",
    revocation: "pair",
    tokenType: "Bearer",
    userCode: () => crypto.randomUUID().replace(/-/g, "").slice(0, 8).toUpperCase(),
    deviceInterval: 5,
    // Opaque, 64 hex digits as in the documentation's examples.
    accessToken: () => Promise.resolve(hex(32)),
    tokenResponseExtras: (_grant, now) => ({ created_at: now }),
  };
}

function hex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))]
    .map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Starts a GitLab imitation; `interval` shortens the device flow's polling for tests. */
export function startGitLab(
  options: ImitationOptions & { clients?: ImitationClient[]; interval?: number } = {},
): Promise<OidcImitation> {
  const dialect = gitlabDialect(options.clients);
  if (options.interval !== undefined) dialect.deviceInterval = options.interval;
  return startOidcImitation(dialect, options);
}
