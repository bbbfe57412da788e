/**
 * Readable advice for the AADSTS codes Entra ID puts at the head of its error descriptions
 * ("AADSTS70011: The provided value for the input parameter 'scope' isn't valid..."). The
 * codes are for people, not programs ("Never use this field to react to an error in your
 * code"): clauth only adds a hint after the message, it never acts on them.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
 * @module
 */

/** A hint for one code, given the whole message (some hints quote from it). */
type Hint = (message: string) => string;

/**
 * "Due to ephemeral port ranges often required by native applications, the port component
 * ... is ignored for the purposes of matching a redirect URI"; http is allowed for loopback
 * only; "The IPv6 loopback address ([::1]) is not currently supported"; and the portal's text
 * box refuses `http://127.0.0.1`, which the manifest's replyUrlsWithType takes.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reply-url#localhost-exceptions
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-app-manifest#replyurlswithtype-attribute
 */
function redirectMismatch(message: string): string {
  const sent = message.match(/(?:redirect URI|reply address|reply url) '([^']+)'/i)?.[1];
  const where =
    "the app registration's Authentication page, under Mobile and desktop applications (not Web)";
  let url: URL | undefined;
  try {
    url = sent === undefined ? undefined : new URL(sent);
  } catch {
    url = undefined;
  }
  if (!url) {
    return `Entra (AADSTS50011): the redirect URI sent is not registered for the app. Register it in ${where}.`;
  }
  const path = url.pathname;
  if (url.hostname === "[::1]") {
    return `Entra (AADSTS50011): Entra does not support the IPv6 loopback address. Register http://127.0.0.1${path} (or http://localhost${path}) in ${where}, and use that redirect URI.`;
  }
  if (url.hostname !== "127.0.0.1" && url.hostname !== "localhost") {
    return `Entra (AADSTS50011): register ${url.href} exactly in the app registration's Authentication page.`;
  }
  const registered = `${url.protocol}//${url.hostname}${path}`;
  const portal = url.hostname === "127.0.0.1" && url.protocol === "http:"
    ? ` The portal's text box refuses http://127.0.0.1: add it to the manifest's replyUrlsWithType with type InstalledClient, or register http://localhost${path} and set the profile's redirect_uri to it.`
    : "";
  return `Entra (AADSTS50011): register ${registered} in ${where}. Entra ignores the port of a loopback redirect URI, so it matches whichever port clauth listens on.${portal}`;
}

/**
 * AADSTS90014 and AADSTS900144, with the parameter named ("The request body must contain the
 * following parameter: 'client_id'").
 */
function missingParameter(message: string): string {
  const name = message.match(/parameter: '([^']+)'/)?.[1];
  if (name === "client_assertion" || name === "client_secret") return PUBLIC_CLIENT_FLOWS;
  return `Entra: the request lacks a parameter Entra requires${
    name ? ` (${name})` : ""
  }. Check the settings it comes from (client ID, scope, redirect URI).`;
}

/**
 * AADSTS7000218 ("The request body must contain the following parameter: 'client_assertion'
 * or 'client_secret'"): Entra treats the app as a confidential client. A CLI is a public
 * client: "Allow public client flows" (needed for the device code flow) and a "Mobile and
 * desktop applications" redirect URI make it one.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/msal-client-applications
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code
 */
const PUBLIC_CLIENT_FLOWS =
  'Entra (AADSTS7000218): Entra wants a client secret, so it takes the app for a confidential client. clauth logs in as a public client: in the app registration\'s Authentication page set "Allow public client flows" to Yes (the device flow needs it), and register the redirect URI under Mobile and desktop applications rather than Web.';

const MFA =
  "multifactor authentication is required (a Conditional Access policy, a per-user setting, or a new location), and a refresh token cannot satisfy it: log in again interactively.";

const EXPIRED_GRANT =
  "the refresh token has expired or was revoked (inactivity, a password change, a sign-out everywhere, or an administrator): log in again.";

/** Advice by AADSTS code (without its prefix). */
const HINTS: Record<string, Hint> = {
  "50011": redirectMismatch,
  "700016": () =>
    "Entra (AADSTS700016): no application has this client ID in the tenant the login went to. Use the app registration's Application (client) ID; a single-tenant app (accounts in its own directory only) signs in at its tenant's GUID or domain, not at organizations or common.",
  "65001": () =>
    "Entra (AADSTS65001): nobody has consented to the app's permissions for this user. Log in with the browser flow, whose sign-in page asks for consent, or have an administrator grant consent for the tenant (Enterprise applications > the app > Permissions).",
  "65004": () =>
    "Entra (AADSTS65004): the consent was declined on the sign-in page; log in again and accept it, or ask an administrator to grant it.",
  "50076": () => `Entra (AADSTS50076): ${MFA}`,
  "50074": () => `Entra (AADSTS50074): ${MFA}`,
  "50078": () => `Entra (AADSTS50078): ${MFA}`,
  "50079": () =>
    "Entra (AADSTS50079): the account must register security info for multifactor authentication first (https://mysignins.microsoft.com/security-info), then log in again interactively.",
  "50072": () =>
    "Entra (AADSTS50072): the account must register security info for multifactor authentication first (https://mysignins.microsoft.com/security-info), then log in again interactively.",
  "7000218": () => PUBLIC_CLIENT_FLOWS,
  "700025": () =>
    "Entra (AADSTS700025): the app is a public client, which must not send a client secret or assertion: remove the secret (or private key) from the settings of this login.",
  "7000215": () =>
    "Entra (AADSTS7000215): the client secret is wrong. Use the secret's Value (shown once, when it was created), not its Secret ID.",
  "7000222": () =>
    "Entra (AADSTS7000222): the client secret has expired: create a new one in the app registration's Certificates & secrets page.",
  "70011": () =>
    "Entra (AADSTS70011): Entra refused the scope. A scope is a resource's App ID URI and one of its permissions (api://my-api/read, https://graph.microsoft.com/User.Read; a bare name such as User.Read is Microsoft Graph's), or RESOURCE/.default for every permission the app registered for it; client credentials take only RESOURCE/.default.",
  "28000": () =>
    "Entra (AADSTS28000): a token is for one resource only. Ask for one resource's scopes (openid, profile, email and offline_access go with any), and log in to another resource with another profile.",
  "700022": () =>
    "Entra (AADSTS700022): a token is for one resource only. Ask for one resource's scopes (openid, profile, email and offline_access go with any), and log in to another resource with another profile.",
  "90014": missingParameter,
  "900144": missingParameter,
  "90002": () =>
    "Entra (AADSTS90002): no such tenant. Check the tenant (a GUID, a verified domain, organizations, common or consumers) and the authority: a tenant of a national cloud is found only at that cloud's authority.",
  "50194": () =>
    "Entra (AADSTS50194): the app is single-tenant, so it cannot sign in at common: use its tenant's GUID or domain as the tenant.",
  "9002332": () =>
    "Entra (AADSTS9002332): the app accepts work and school accounts only: use organizations or its tenant, not consumers.",
  "50020": () =>
    "Entra (AADSTS50020): the account is not a member or guest of the tenant the login went to: sign in with an account of that tenant, invite it as a guest, or use the account's own tenant.",
  "53003": () =>
    "Entra (AADSTS53003): a Conditional Access policy blocks this sign-in; the tenant's administrators can tell which one (sign-in logs).",
  "9001023": () =>
    "Entra (AADSTS9001023): client credentials work only at a tenant (its GUID or domain), not at common or consumers.",
  "50059": () =>
    "Entra (AADSTS50059): Entra cannot tell which tenant this is for: name the tenant (its GUID or domain), which client credentials always need.",
  // Not on the reference page; Entra's message: "Client credential flows must have a scope
  // value with /.default suffixed to the resource identifier (application ID URI)".
  // https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc#client-credentials-grant-flow-and-default
  "1002012": () =>
    "Entra (AADSTS1002012): client credentials take one scope, RESOURCE/.default (such as api://my-api/.default or https://graph.microsoft.com/.default): the app's permissions for that resource are those an administrator granted.",
  "70008": () => `Entra (AADSTS70008): ${EXPIRED_GRANT}`,
  "700082": () => `Entra (AADSTS700082): ${EXPIRED_GRANT}`,
  "50173": () => `Entra (AADSTS50173): ${EXPIRED_GRANT}`,
  "70043": () =>
    "Entra (AADSTS70043): the tenant's sign-in frequency policy ended the session: log in again interactively.",
};

/**
 * Microsoft Graph's code for a refused token (in its JSON error body, which the transport puts
 * into the RFC 6750 challenge). Entra's userinfo endpoint is on Graph and "is a standard OAuth
 * bearer token API hosted by Microsoft Graph": it takes only tokens for Graph.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/userinfo#calling-the-api
 */
const GRAPH_REFUSED = /\bInvalidAuthenticationToken\b/;

/**
 * A hint for an error message that carries an AADSTS code (the first one known), or a
 * Microsoft Graph refusal of the userinfo request; undefined otherwise.
 */
export function entraErrorHint(message: string): string | undefined {
  for (const [, code] of message.matchAll(/\bAADSTS(\d+)\b/g)) {
    const hint = HINTS[code!];
    if (hint) return hint(message);
  }
  if (GRAPH_REFUSED.test(message) && /userinfo/i.test(message)) {
    return "Entra: the userinfo endpoint is Microsoft Graph's, and takes only an access token for Graph; this login's access token is for the resource its scope names. Its ID token holds the same claims. To ask userinfo, log in with a scope of Graph (openid profile email, or User.Read).";
  }
  return undefined;
}
