/**
 * Auth0, a tenant's domain (or a custom domain) as the issuer
 * (`--issuer https://TENANT.REGION.auth0.com/`). What differs from a plain OpenID provider,
 * each with the page that says so:
 *
 * - The issuer ends with a slash, and discovery compares it exactly.
 * - An access token for an API needs `audience` (the API's identifier); without it Auth0
 *   issues an opaque token good for its /userinfo only (Access Tokens, "Access token formats":
 *   https://auth0.com/docs/secure/tokens/access-tokens). Client credentials need it always.
 *   clauth sends the profile's audience in the authorization, device and token requests.
 * - /oauth/revoke revokes refresh tokens only (and answers 200 for anything else).
 * - A wrong client secret is `access_denied` "Unauthorized" (HTTP 401), not invalid_client.
 *
 * @see https://auth0.com/docs/get-started/authentication-and-authorization-flow
 * @module
 */

import type { Preset } from "./preset.ts";
import { givenIssuer } from "./_location.ts";

/** Auth0's preset. */
export const auth0: Preset = {
  name: "auth0",
  title: "Auth0",
  location: [{
    setting: "issuer",
    value: "https://TENANT.REGION.auth0.com/",
    what:
      "the tenant's domain or your custom domain; set the audience to your API's identifier for access tokens your API accepts",
  }],
  docs: [
    "https://auth0.com/docs/get-started/authentication-and-authorization-flow",
    "https://auth0.com/docs/secure/tokens/access-tokens",
    "https://auth0.com/docs/secure/tokens/refresh-tokens/revoke-refresh-tokens",
  ],
  locate({ issuer }) {
    // "iss: ... https://{yourDomain}/" with the slash; discovery's issuer has it too, and
    // clauth compares the two exactly (OpenID Connect Discovery §4.3).
    // https://auth0.com/docs/secure/tokens/id-tokens/id-token-structure
    const given = givenIssuer(issuer, "Auth0", "https://TENANT.auth0.com/");
    return { issuer: given.endsWith("/") ? given : `${given}/`, discovery: true };
  },
  defaults: { scope: "openid profile email offline_access" },
  behaviour: {
    // "Revoke a refresh token": /oauth/revoke takes refresh tokens; an access token sent there
    // is answered 200 like an unknown token, and stays valid until it expires.
    // https://auth0.com/docs/secure/tokens/refresh-tokens/revoke-refresh-tokens
    revokesRefreshTokensOnly: true,
    errorHint: auth0ErrorHint,
  },
};

/** Auth0's refusals, read for the person at the terminal. */
function auth0ErrorHint(message: string): string | undefined {
  if (/No audience parameter was provided/i.test(message)) {
    // "audience: The unique identifier of the target API you want to access" is required for
    // the client credentials flow unless the tenant has a Default Audience.
    // https://auth0.com/docs/get-started/authentication-and-authorization-flow/client-credentials-flow/call-your-api-using-the-client-credentials-flow
    return "Auth0 issues client-credentials tokens for an API only: set the audience to the API's identifier (Applications > APIs in the Auth0 dashboard), or give the tenant a Default Audience (Settings > General > API Authorization Settings).";
  }
  if (/Service not found/i.test(message)) {
    return "Auth0 knows no API with that audience: use the API's Identifier exactly as Applications > APIs shows it.";
  }
  if (/Client is not authorized to access/i.test(message)) {
    return "Authorize the application for that API in the Auth0 dashboard (Applications > APIs > the API > Machine To Machine Applications).";
  }
  if (/\baccess_denied \(Unauthorized\), HTTP 401\b/.test(message)) {
    // Auth0 refuses client authentication with 401 access_denied "Unauthorized".
    return "Auth0 answers this when the client secret is wrong or missing, or when a Native application's Token Endpoint Authentication Method is not None (Applications > the application > Credentials).";
  }
  return undefined;
}
