/**
 * A local Keycloak realm (`--issuer http://127.0.0.1:PORT/realms/demo`), written from
 * Keycloak's documentation and source:
 *
 * - Endpoints under /realms/REALM/protocol/openid-connect/: auth, token, userinfo, certs,
 *   revoke, auth/device (with /realms/REALM/device to enter the code), ext/par/request
 *   (Securing apps, OIDC layers: https://www.keycloak.org/securing-apps/oidc-layers).
 * - `iss` in the authorization response; JWT access tokens (300 s) and refresh tokens that
 *   stay valid after a refresh unless the realm revokes them (Server admin guide, Sessions
 *   and tokens: https://www.keycloak.org/docs/latest/server_admin/#_timeouts).
 * - Redirect URIs: exact, a trailing `*` wildcard, and "http://127.0.0.1 ... allows any port"
 *   for native apps (OIDC layers, Redirect URIs).
 * - Per client, without the metadata saying so: "Pushed authorization request required" (the
 *   authorization endpoint redirects invalid_request "Pushed Authorization Request is only
 *   allowed.") and "Require DPoP bound tokens" (token requests without a proof: invalid_request
 *   "DPoP proof is missing"; https://www.keycloak.org/securing-apps/dpop).
 * - Refusals in Keycloak's words (ClientIdAndSecretAuthenticator, TokenEndpoint,
 *   DeviceEndpoint, DPoPUtil): a wrong or missing secret is 401 unauthorized_client "Invalid
 *   client or Invalid client credentials"; client credentials without a service account 401
 *   unauthorized_client "Client not enabled to retrieve service account"; the device grant
 *   turned off 400 unauthorized_client "Client is not allowed to initiate OAuth 2.0 Device
 *   Authorization Grant. The flow is disabled for the client."
 *
 * @module
 */

import {
  type Dialect,
  type ImitationClient,
  type RefusalContext,
  sameExceptLoopbackPort,
} from "./_oidc_config.ts";
import { type ImitationOptions, type OidcImitation, startOidcImitation } from "./_oidc_server.ts";

/** The realm every imitation serves. */
export const KEYCLOAK_REALM = "demo";

/** A public client for people (Client authentication off, Standard flow and device on). */
export const KEYCLOAK_CLI: ImitationClient = {
  id: "clauth-cli",
  redirectUris: ["http://127.0.0.1/callback"],
  grants: ["authorization_code", "refresh_token", "device_code"],
};

/** A confidential client with a service account (Client authentication and Service accounts roles on). */
export const KEYCLOAK_SERVICE: ImitationClient = {
  id: "clauth-service",
  secret: "a8Kq2vR7xYz0TbN4mW6pL1sC9dF3gH5j",
  redirectUris: [],
  grants: ["client_credentials"],
};

const INVALID_CLIENT = "Invalid client or Invalid client credentials";

/** Keycloak's refusal of a grant the client does not have turned on. */
function grantNotAllowed({ client, grantType }: RefusalContext) {
  if (grantType === "client_credentials") {
    return {
      status: 401,
      error: "unauthorized_client",
      description: client?.secret
        ? "Client not enabled to retrieve service account"
        : "Public client not allowed to retrieve service account",
    };
  }
  return {
    status: 400,
    error: "unauthorized_client",
    description: grantType?.endsWith("device_code")
      ? "Client not allowed OAuth 2.0 Device Authorization Grant"
      : `Client not allowed for ${grantType}`,
  };
}

/** Keycloak as the imitation speaks it. */
export function keycloakDialect(clients: ImitationClient[]): Dialect {
  const realm = `/realms/${KEYCLOAK_REALM}`;
  const oidc = `${realm}/protocol/openid-connect`;
  return {
    name: "Keycloak",
    issuerPath: realm,
    paths: {
      authorization: `${oidc}/auth`,
      token: `${oidc}/token`,
      userinfo: `${oidc}/userinfo`,
      jwks: `${oidc}/certs`,
      revocation: `${oidc}/revoke`,
      device: `${oidc}/auth/device`,
      verification: `${realm}/device`,
      par: `${oidc}/ext/par/request`,
    },
    metadata: {
      authorization_response_iss_parameter_supported: true,
      require_pushed_authorization_requests: false,
      dpop_signing_alg_values_supported: ["ES256", "ES384", "ES512", "PS256", "RS256", "EdDSA"],
      code_challenge_methods_supported: ["plain", "S256"],
      token_endpoint_auth_methods_supported: [
        "private_key_jwt",
        "client_secret_basic",
        "client_secret_post",
        "tls_client_auth",
        "client_secret_jwt",
      ],
    },
    clients,
    user: {
      sub: "5b0f1a52-7c4e-4d8a-9e3b-2f6c1d0e9a87",
      profile: {
        name: "Alice Liddell",
        preferred_username: "alice",
        given_name: "Alice",
        family_name: "Liddell",
      },
      email: { email: "alice@example.com", email_verified: true },
    },
    scopes: [
      "openid",
      "profile",
      "email",
      "address",
      "phone",
      "offline_access",
      "roles",
      "web-origins",
      "acr",
      "basic",
      "microprofile-jwt",
      "organization",
    ],
    refusals: {
      unknown_client: { status: 401, error: "invalid_client", description: INVALID_CLIENT },
      bad_secret: { status: 401, error: "unauthorized_client", description: INVALID_CLIENT },
      bad_code: { status: 400, error: "invalid_grant", description: "Code not valid" },
      bad_verifier: {
        status: 400,
        error: "invalid_grant",
        description: "PKCE verification failed: Code mismatch",
      },
      bad_refresh: { status: 400, error: "invalid_grant", description: "Invalid refresh token" },
      grant_not_allowed: grantNotAllowed,
      device_not_allowed: {
        status: 400,
        error: "unauthorized_client",
        description:
          "Client is not allowed to initiate OAuth 2.0 Device Authorization Grant. The flow is disabled for the client.",
      },
      pending: {
        status: 400,
        error: "authorization_pending",
        description: "The authorization request is still pending",
      },
      expired_device: {
        status: 400,
        error: "expired_token",
        description: "Device code is expired",
      },
      // DPoPUtil: invalid_request at the token endpoint; a bound refresh token without a proof
      // is invalid_dpop_proof.
      dpop_missing: ({ grantType }) => ({
        status: 400,
        error: grantType === "refresh_token" ? "invalid_dpop_proof" : "invalid_request",
        description: "DPoP proof is missing",
      }),
      dpop_invalid: ({ detail }) => ({
        status: 400,
        error: "invalid_request",
        description: detail === "dpop_jkt mismatch"
          ? "DPoP Proof public key thumbprint does not match dpop_jkt"
          : `DPoP verification failure: ${detail}`,
      }),
      par_required: {
        status: 400,
        error: "invalid_request",
        description: "Pushed Authorization Request is only allowed.",
      },
      pkce_missing: {
        status: 400,
        error: "invalid_request",
        description: "Missing parameter: code_challenge_method",
      },
      invalid_scope: ({ detail }) => ({
        status: 400,
        error: "invalid_scope",
        description: `Invalid scopes: ${detail}`,
      }),
    },
    redirectRefusal: "Invalid parameter: redirect_uri",
    redirectUriMatches: (registered, given) =>
      registered.endsWith("*")
        ? given.startsWith(registered.slice(0, -1))
        : sameExceptLoopbackPort(registered, given),
    pkce: "optional",
    issInAuthorizationResponse: true,
    accessTokenLifetime: 300,
    refreshTokens: "always",
    rotation: "new-keep-old",
    revocation: "pair",
    tokenType: "Bearer",
    userCode: () => {
      const letters = [...crypto.getRandomValues(new Uint8Array(8))]
        .map((byte) => "BCDFGHJKLMNPQRSTVWXZ"[byte % 20]).join("");
      return `${letters.slice(0, 4)}-${letters.slice(4)}`;
    },
    deviceInterval: 5,
    async accessToken({ grant, issuer, iat, exp, jti, sign }) {
      return await sign({
        exp,
        iat,
        jti,
        iss: issuer,
        aud: "account",
        sub: grant.subject,
        typ: "Bearer",
        azp: grant.client.id,
        scope: grant.scope.join(" "),
        ...(grant.jkt ? { cnf: { jkt: grant.jkt } } : {}),
      });
    },
    tokenResponseExtras: (grant) => ({
      // Client credentials get no refresh token: 0.
      refresh_expires_in: grant.subject === grant.client.id ? 0 : 1800,
      "not-before-policy": 0,
    }),
  };
}

/** Starts a Keycloak realm imitation with `clients` (default: the CLI and the service). */
export function startKeycloak(
  options: ImitationOptions & { clients?: ImitationClient[]; interval?: number } = {},
): Promise<OidcImitation> {
  const dialect = keycloakDialect(options.clients ?? [KEYCLOAK_CLI, KEYCLOAK_SERVICE]);
  if (options.interval !== undefined) dialect.deviceInterval = options.interval;
  return startOidcImitation(dialect, options);
}
