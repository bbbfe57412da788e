/**
 * Keycloak: a realm's issuer (`--issuer https://HOST/realms/REALM`).
 *
 * @module
 */

import type { Preset } from "./preset.ts";
import { givenIssuer } from "./_location.ts";

/** Keycloak's preset. */
export const keycloak: Preset = {
  name: "keycloak",
  title: "Keycloak",
  location: [{ setting: "issuer", value: "https://HOST/realms/REALM", what: "the realm" }],
  docs: ["https://www.keycloak.org/securing-apps/oidc-layers"],
  locate({ issuer }) {
    return {
      issuer: givenIssuer(issuer, "Keycloak", "https://HOST/realms/REALM"),
      discovery: true,
    };
  },
  defaults: { scope: "openid profile email offline_access" },
  behaviour: {},
};
