/**
 * GitHub (OAuth apps and GitHub Apps), github.com or GitHub Enterprise Server (`host`).
 *
 * GitHub speaks OAuth 2.0 without OpenID Connect: no discovery, no ID tokens, no userinfo, no
 * RFC 7009 revocation. What it does differently on the wire is undone in
 * {@linkcode githubTransport}; the rest is here.
 *
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 * @see https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app
 * @module
 */

import type { Preset } from "./preset.ts";
import { originOf } from "./_location.ts";
import { githubTransport } from "./github_transport.ts";

/** The issuer (and OAuth host) of github.com itself. */
const GITHUB_COM = "https://github.com";

/**
 * The REST API's "Get the authenticated user" for an issuer: api.github.com for github.com,
 * api.SUBDOMAIN.ghe.com for GitHub Enterprise Cloud with data residency, and HOST/api/v3 for
 * GitHub Enterprise Server. A loopback host (a local imitation in tests) is taken for a
 * GitHub Enterprise Server: its API is under /api/v3 of the same origin.
 *
 * @see https://docs.github.com/en/rest/users/users#get-the-authenticated-user
 * @see https://docs.github.com/en/enterprise-server@latest/rest/quickstart (https://HOSTNAME/api/v3)
 * @see https://docs.github.com/en/enterprise-cloud@latest/graphql/guides/managing-enterprise-accounts (api.SUBDOMAIN.ghe.com)
 */
export function githubUserApi(issuer: string): string {
  const url = new URL(issuer);
  if (url.origin === GITHUB_COM) return "https://api.github.com/user";
  if (url.hostname.endsWith(".ghe.com")) return `https://api.${url.host}/user`;
  return `${url.origin}/api/v3/user`;
}

/**
 * What ends a GitHub login, since GitHub has no RFC 7009 endpoint for an app's user to call.
 *
 * @see https://docs.github.com/en/apps/using-github-apps/reviewing-and-revoking-authorized-github-apps
 * @see https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-authorization
 */
const REVOCATION_ADVICE =
  "GitHub has no token revocation endpoint for apps (RFC 7009): the tokens stay valid at GitHub until they expire (an OAuth app's never do; a GitHub App's access token lasts 8 hours, its refresh token 6 months). To end the login there, revoke the app in your account's settings: https://github.com/settings/applications for OAuth apps, https://github.com/settings/apps/authorizations for GitHub Apps (on GitHub Enterprise Server, the same pages on your host). The app's owner can also call DELETE /applications/{client_id}/grant (or /token, for one token) of the REST API, which needs the app's client secret.";

/**
 * Readable advice for GitHub's own error codes, which the transport keeps at the head of an
 * error's description (`incorrect_client_credentials: ...`) or as the error itself.
 */
function githubErrorHint(message: string): string | undefined {
  // https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#error-codes-for-the-device-flow
  if (message.includes("device_flow_disabled")) {
    return "GitHub: the device flow is turned off for this app. In the app's settings on GitHub (Settings > Developer settings > OAuth Apps or GitHub Apps > the app), tick \"Enable Device Flow\" and save; or log in with the browser flow, which needs the app's client secret.";
  }
  // https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
  if (message.includes("incorrect_client_credentials")) {
    return "GitHub: check the client id (the app's Client ID, not its App ID). GitHub's browser flow also needs the app's client secret, PKCE or not; the device flow needs none.";
  }
  // An unknown client id gets HTTP 404 from /login/device/code (gh's cli/oauth library takes
  // any 404 there for a server without the device flow).
  if (/device authorization endpoint refused the request: .*HTTP 404/.test(message)) {
    return "GitHub: its device flow endpoint answers 404 to a client id it does not know: check the client id (the app's Client ID, not its App ID).";
  }
  if (message.includes("redirect_uri_mismatch")) {
    return "GitHub: register the redirect URI's host and path as the app's callback URL, such as http://127.0.0.1/callback (OAuth apps also take a subdirectory of it; GitHub ignores the port of a loopback callback).";
  }
  if (message.includes("unverified_user_email")) {
    return "GitHub: the account must verify its primary email address before an app can get a token for it.";
  }
  return undefined;
}

/** GitHub's preset. */
export const github: Preset = {
  name: "github",
  title: "GitHub",
  location: [{
    setting: "host",
    value: "HOST",
    what: "GitHub Enterprise Server",
    default: "github.com",
  }],
  docs: [
    "https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps",
    "https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app",
    "https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens",
    "https://docs.github.com/en/rest/users/users#get-the-authenticated-user",
  ],
  locate({ host }) {
    // No OpenID Connect discovery: the endpoints are fixed under /login/, on github.com and on
    // GitHub Enterprise Server alike (the docs' {% data variables.product.oauth_host_code %}).
    const origin = originOf(host ?? "github.com");
    return {
      issuer: origin,
      discovery: false,
      endpoints: {
        authorization_endpoint: `${origin}/login/oauth/authorize`,
        token_endpoint: `${origin}/login/oauth/access_token`,
        device_authorization_endpoint: `${origin}/login/device/code`,
      },
    };
  },
  defaults: {
    // The device flow is what GitHub's docs tell CLI tools to use ("CLI tools, simple Raspberry
    // Pis, and desktop applications should use the device flow"), as `gh` does: it needs no
    // client secret, while the browser flow's code exchange requires one even with PKCE
    // ("GitHub does not distinguish between public and confidential clients"), and a GitHub
    // App's device-flow tokens refresh without one too.
    // https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app#using-the-device-flow-to-generate-a-user-access-token
    // https://github.blog/changelog/2025-07-14-pkce-support-for-oauth-and-github-app-authentication
    flow: "device",
  },
  behaviour: {
    transport: githubTransport,
    identity: {
      url: githubUserApi(GITHUB_COM),
      urlFor: githubUserApi,
      // The numeric `id`, not `login`: a login can be renamed and then taken by another
      // account, the id never changes nor returns (what OpenID Connect asks of `sub`).
      subject: "id",
    },
    revocationAdvice: REVOCATION_ADVICE,
    errorHint: githubErrorHint,
    // "If your app is a native client ... you cannot secure your client secret", yet the
    // browser flow requires it: a CLI's GitHub secret is no secret.
    // https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/best-practices-for-creating-an-oauth-app#client-secrets
    publicClientSecret:
      "GitHub's browser flow requires the app's client secret, and a native app's GitHub secret cannot be kept secret (GitHub's best practices say so)",
  },
};
