/** Names and values of the dev provider: clients, the user, grant and token type URNs. */

export const PUBLIC_CLIENT_ID = "demo-cli";
export const CONFIDENTIAL_CLIENT_ID = "demo-service";
export const CONFIDENTIAL_CLIENT_SECRET = "demo-service-secret";
export const JWT_CLIENT_ID = "demo-jwt-service";
/** Like demo-cli, but every access token must be DPoP-bound (RFC 9449 §5.2). */
export const DPOP_CLIENT_ID = "demo-dpop";
/** Like demo-cli, but authorization requests must be pushed first (RFC 9126 §6). */
export const PAR_CLIENT_ID = "demo-par";
export const USER_ID = "alice";

export const GRANT_DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code";
export const GRANT_TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
export const TOKEN_TYPE_ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";
export const JWT_TOKEN_TYPES = [
  "urn:ietf:params:oauth:token-type:jwt",
  "urn:ietf:params:oauth:token-type:id_token",
];

/**
 * A resource indicator (RFC 8707) the dev provider accepts; any https URL, and any http URL on
 * a loopback host, is accepted too. Access tokens for a resource are JWTs with that `aud`.
 */
export const EXAMPLE_RESOURCE = "https://api.example.com/";
/** The scopes an access token for a resource may carry (the OIDC scopes stay with userinfo). */
export const RESOURCE_SCOPES = ["api:read", "api:write"];

export const SCOPES = ["openid", "offline_access", "profile", "email", "api:read", "api:write"];
export const USER_CLAIMS = {
  sub: USER_ID,
  name: "Alice Example",
  email: "alice@example.com",
  email_verified: true,
  preferred_username: "alice",
};
