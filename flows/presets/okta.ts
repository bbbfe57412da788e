/**
 * Okta: the org authorization server or a custom one (`--issuer`).
 *
 * @module
 */

import type { Preset } from "./preset.ts";
import { givenIssuer } from "./_location.ts";

/** Okta's preset. */
export const okta: Preset = {
  name: "okta",
  title: "Okta",
  location: [
    {
      setting: "issuer",
      value: "https://ORG.okta.com/oauth2/default",
      what: "a custom authorization server, or https://ORG.okta.com for the org's",
    },
  ],
  docs: ["https://developer.okta.com/docs/concepts/auth-servers/"],
  locate({ issuer }) {
    return {
      issuer: givenIssuer(issuer, "Okta", "https://ORG.okta.com/oauth2/default"),
      discovery: true,
    };
  },
  defaults: { scope: "openid profile email offline_access" },
  behaviour: {},
};
