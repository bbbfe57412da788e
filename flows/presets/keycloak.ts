/**
 * Keycloak: a realm's issuer (`--issuer https://HOST/realms/REALM`; plain http only on a
 * loopback host). What differs from a plain OpenID provider, each with the page or source
 * that says so:
 *
 * - A client may require PAR or DPoP without the metadata saying so. Keycloak's refusals name
 *   them ("Pushed Authorization Request is only allowed.", "DPoP proof is missing"), which
 *   clauth's own advice already recognises (flows/protocol/oauth_errors.ts settingNamedBy).
 * - A wrong client secret is `unauthorized_client` "Invalid client or Invalid client
 *   credentials" (HTTP 401), and so are grants the client has not turned on: the hint says
 *   which switch in the client's settings it is.
 *
 * @see https://www.keycloak.org/securing-apps/oidc-layers
 * @see https://www.keycloak.org/docs/latest/server_admin/
 * @module
 */

import type { Preset } from "./preset.ts";
import { givenIssuer } from "./_location.ts";

/** Keycloak's preset. */
export const keycloak: Preset = {
  name: "keycloak",
  title: "Keycloak",
  location: [{ setting: "issuer", value: "https://HOST/realms/REALM", what: "the realm" }],
  docs: [
    "https://www.keycloak.org/securing-apps/oidc-layers",
    "https://www.keycloak.org/docs/latest/server_admin/#_oidc_clients",
    "https://www.keycloak.org/securing-apps/dpop",
  ],
  locate({ issuer }) {
    // "https://HOST/realms/REALM" (before Keycloak 17: https://HOST/auth/realms/REALM); the
    // realm's discovery document names it without a trailing slash.
    // https://www.keycloak.org/securing-apps/oidc-layers#_oidc_available_endpoints
    const given = givenIssuer(issuer, "Keycloak", "https://HOST/realms/REALM");
    return { issuer: given.replace(/\/+$/, ""), discovery: true };
  },
  defaults: { scope: "openid profile email offline_access" },
  behaviour: { errorHint: keycloakErrorHint },
};

/**
 * Keycloak's refusals, read for the person at the terminal; the texts are Keycloak's
 * (services/.../ClientIdAndSecretAuthenticator.java, TokenEndpoint.java, DeviceEndpoint.java).
 */
function keycloakErrorHint(message: string): string | undefined {
  if (/unauthorized_client \(Invalid client or Invalid client credentials\)/.test(message)) {
    // reportFailedAuth(): a wrong, missing or expired secret answers unauthorized_client.
    return "Keycloak answers this when the client secret is wrong, missing or expired: check it in the Admin Console (Clients > the client > Credentials > Client Secret). A public client has Client authentication off and sends no secret.";
  }
  if (/Client is not allowed to initiate OAuth 2\.0 Device Authorization Grant/.test(message)) {
    return "Turn on OAuth 2.0 Device Authorization Grant for the client (Clients > the client > Settings > Capability config).";
  }
  if (/(Client not enabled|Public client not allowed) to retrieve service account/.test(message)) {
    return "Client credentials need a confidential client with a service account: turn on Client authentication and Service accounts roles (Clients > the client > Settings > Capability config).";
  }
  if (/Pushed Authorization Request is only allowed/.test(message)) {
    return "This Keycloak client requires PAR (Clients > the client > Advanced > Pushed authorization request required).";
  }
  if (/\bDPoP\b/.test(message)) {
    // https://www.keycloak.org/securing-apps/dpop
    return "This Keycloak client may require DPoP-bound tokens (Clients > the client > Advanced > Require DPoP bound tokens).";
  }
  return undefined;
}
