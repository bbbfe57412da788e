/**
 * Google (OAuth 2.0 for Desktop apps, and for TVs and limited-input devices), with OpenID
 * Connect. What differs from a plain OpenID provider, each with the page that says so:
 *
 * - Desktop and TV clients send their client secret to the token endpoint, PKCE or not; Google
 *   says that secret is not treated as a secret, so the profile may keep it in the config.
 * - Refresh tokens come from `access_type=offline`, not from the `offline_access` scope, which
 *   Google refuses.
 * - The device flow has its own endpoint, answers `verification_url`, and takes only a few
 *   scopes; a Desktop client cannot use it (nor a TV client the browser flow).
 * - ID tokens carry `iss` "https://accounts.google.com" or "accounts.google.com".
 * - Revoking a token revokes its whole grant, and revoking a revoked token is an error.
 *
 * @module
 */

import { ClauthError } from "../../errors.ts";
import { checkIssuer, isLoopbackHost } from "../protocol/endpoints.ts";
import type { IssuerClaims, Preset } from "./preset.ts";
import { googleErrorHint, googleTransport } from "./google_wire.ts";

/** Google's one issuer: https://accounts.google.com/.well-known/openid-configuration. */
export const GOOGLE_ISSUER = "https://accounts.google.com";

/**
 * The other `iss` Google's ID tokens may carry: "The value of iss in the ID token is equal to
 * https://accounts.google.com or accounts.google.com."
 * https://developers.google.com/identity/openid-connect/openid-connect#validatinganidtoken
 */
export const GOOGLE_BARE_ISSUER = "accounts.google.com";

/** Google's preset. */
export const google: Preset = {
  name: "google",
  title: "Google",
  location: [],
  docs: [
    "https://developers.google.com/identity/protocols/oauth2/native-app",
    "https://developers.google.com/identity/protocols/oauth2/limited-input-device",
    "https://developers.google.com/identity/openid-connect/openid-connect",
  ],
  locate({ issuer }) {
    return { issuer: googleIssuer(issuer), discovery: true };
  },
  defaults: {
    // "Use that flow even if your app is a command-line tool without a graphical interface":
    // Google's Desktop app clients (loopback redirect) are meant for CLIs; the device flow is
    // for TVs, takes few scopes and needs another client type.
    // https://developers.google.com/identity/protocols/oauth2/limited-input-device
    flow: "browser",
    scope: "openid email profile",
  },
  behaviour: {
    transport: googleTransport,
    expectedIssuer: bareIssuerAccepted,
    // The authorization endpoint's `access_type`: "Set the value to offline if your application
    // needs to refresh access tokens when the user is not present at the browser"; "the client
    // does not receive a refresh token unless offline is specified" (OpenID Connect page).
    // Desktop clients get one anyway ("refresh tokens are always returned for installed
    // applications", native-app page), other client types only with it: always ask.
    // No `prompt=consent`, not even for `offline_access`: Google needs it only to hand a web
    // client a second refresh token (web-server page, #offline); Desktop and TV clients get one
    // every time, and forcing the consent page on every login would gain them nothing.
    // https://developers.google.com/identity/openid-connect/openid-connect#authenticationuriparameters
    // https://developers.google.com/identity/protocols/oauth2/native-app#exchange-authorization-code
    authorizationParameters: { access_type: "offline" },
    scope: withoutOfflineAccess,
    errorHint: googleErrorHint,
    // "The client ID and client secret obtained from the API Console are embedded in the source
    // code of your application. In this context, the client secret is obviously not treated as
    // a secret." Google still requires it at the token endpoint, PKCE or not.
    // https://developers.google.com/identity/protocols/oauth2/native-app
    publicClientSecret:
      "Google's Desktop app and TV clients have a client secret that Google does not treat as a secret (https://developers.google.com/identity/protocols/oauth2/native-app), and its token endpoint requires it.",
  },
};

/**
 * The `iss` an ID token must carry: "accounts.google.com" when it says exactly that and the
 * issuer is Google's (or a loopback imitation of it, whose tests need the form too); else
 * undefined, the issuer itself. So the two forms Google documents pass, and nothing else.
 */
export function bareIssuerAccepted(claims: IssuerClaims, issuer: string): string | undefined {
  if (claims.iss !== GOOGLE_BARE_ISSUER) return undefined;
  const accepted = issuer === GOOGLE_ISSUER || isLoopbackHost(new URL(issuer).hostname);
  return accepted ? GOOGLE_BARE_ISSUER : undefined;
}

/**
 * The scope without `offline_access`: Google answers it with invalid_scope ("Some requested
 * scopes were invalid"); its refresh tokens come from `access_type=offline`, which the preset
 * always sends. The stored login keeps the scope as the user wrote it.
 */
export function withoutOfflineAccess(scope: string | undefined): string | undefined {
  if (scope === undefined) return undefined;
  const kept = scope.split(/\s+/).filter((name) => name && name !== "offline_access");
  return kept.length ? kept.join(" ") : undefined;
}

/**
 * Google's issuer, or a loopback issuer given to point the preset at a local imitation (tests).
 * Nothing else: the preset's allowances (a client secret in the config, `iss`
 * "accounts.google.com") hold for Google, and for another real server they would be wrong.
 */
function googleIssuer(given: string | undefined): string {
  if (given === undefined) return GOOGLE_ISSUER;
  const url = checkIssuer(given);
  const issuer = url.href.replace(/\/$/, "");
  if (issuer === GOOGLE_ISSUER || isLoopbackHost(url.hostname)) return issuer;
  throw new ClauthError(
    "usage",
    `The Google preset talks to ${GOOGLE_ISSUER} only (another issuer is taken on a loopback address, for a local test server), not to ${issuer}. For another server, leave the provider out and give its issuer alone.`,
    { setting: "issuer" },
  );
}
