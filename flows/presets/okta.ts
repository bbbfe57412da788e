/**
 * Okta: the org authorization server (`--issuer https://ORG.okta.com`) or a custom one
 * (`--issuer https://ORG.okta.com/oauth2/default`). What differs from a plain OpenID provider,
 * each with the page that says so:
 *
 * - Two kinds of authorization server under one domain, each its own issuer: the org server's
 *   access tokens are for Okta's own APIs only; tokens for your APIs come from a custom one.
 * - Issuers never end with a slash, and discovery compares them exactly.
 * - Each grant (Device Authorization, Refresh Token, ...) is allowed per app, and a custom
 *   server's access policy must allow it too: refusals say `unauthorized_client` or
 *   "Policy evaluation failed".
 *
 * @see https://developer.okta.com/docs/concepts/auth-servers/
 * @module
 */

import type { Preset } from "./preset.ts";
import { givenIssuer } from "./_location.ts";

/**
 * "You can't use the access token minted by the org authorization server for your own
 * resource servers": its tokens are for Okta's APIs only (Org authorization server).
 * https://developer.okta.com/docs/concepts/auth-servers/#org-authorization-server
 */
const ORG_SERVER_NOTE =
  "the org authorization server, https://ORG.okta.com, issues access tokens for Okta's own APIs only; your APIs take tokens of a custom one";

/** Okta's preset. */
export const okta: Preset = {
  name: "okta",
  title: "Okta",
  location: [
    {
      setting: "issuer",
      value: "https://ORG.okta.com/oauth2/default",
      what: `a custom authorization server (default, or its ID); ${ORG_SERVER_NOTE}`,
    },
  ],
  docs: [
    "https://developer.okta.com/docs/concepts/auth-servers/",
    "https://developer.okta.com/docs/guides/device-authorization-grant/main/",
  ],
  locate({ issuer }) {
    // "https://{yourOktaDomain}" (org) and "https://{yourOktaDomain}/oauth2/{authorizationServerId}"
    // (custom): neither ends with a slash, and a pasted one would fail discovery's exact match.
    const given = givenIssuer(issuer, "Okta", "https://ORG.okta.com/oauth2/default");
    return { issuer: given.replace(/\/+$/, ""), discovery: true };
  },
  defaults: { scope: "openid profile email offline_access" },
  behaviour: { errorHint: oktaErrorHint },
};

/** Okta's refusals, read for the person at the terminal. */
function oktaErrorHint(message: string): string | undefined {
  if (/not authorized to use the provided grant type/i.test(message)) {
    // "In the Grant type section, ... select Device Authorization" (Configure the app).
    // https://developer.okta.com/docs/guides/device-authorization-grant/main/#configure-an-app-to-use-the-device-authorization-grant
    return "Okta allows each grant per app: in the Admin Console, Applications > the app > General > Grant type, select the one this login uses (Authorization Code, Device Authorization, Refresh Token).";
  }
  if (/Policy evaluation failed/i.test(message)) {
    // A custom server answers by its access policies' rules (grant types, users, scopes).
    // https://developer.okta.com/docs/guides/configure-access-policy/main/
    return "The authorization server's access policy has no rule for this app, grant type, user or scope: Security > API > Authorization Servers > the server > Access Policies.";
  }
  if (/does not verify against the issuer's keys/.test(message)) {
    // The org server signs its access tokens with keys its jwks_uri does not list.
    return `If this is an access token of Okta's ${ORG_SERVER_NOTE}: the org server does not publish the keys that sign them.`;
  }
  return undefined;
}
