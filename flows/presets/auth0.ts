/**
 * Auth0, a tenant's domain as the issuer (`--issuer https://TENANT.auth0.com/`).
 *
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
    what: "the tenant's domain or your custom domain",
  }],
  docs: ["https://auth0.com/docs/get-started/authentication-and-authorization-flow"],
  locate({ issuer }) {
    // Auth0's issuer ends with a slash, and discovery compares it exactly.
    const given = givenIssuer(issuer, "Auth0", "https://TENANT.auth0.com/");
    return { issuer: given.endsWith("/") ? given : `${given}/`, discovery: true };
  },
  defaults: { scope: "openid profile email offline_access" },
  behaviour: {},
};
