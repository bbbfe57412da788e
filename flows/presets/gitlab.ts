/**
 * GitLab, gitlab.com or self-managed (`--host`), as an OAuth 2.0 and OpenID Connect provider.
 * What differs from a plain OpenID provider, each with the page that says so:
 *
 * - The device flow (GitLab 17.1 and later) has its endpoint at /oauth/authorize_device, which
 *   GitLab's discovery document does not list.
 * - Access tokens live two hours, and refreshing "invalidates the existing access_token and
 *   refresh_token": a refresh token works once (clauth keeps the new one; the profile's lock
 *   makes sure only one process spends it).
 * - There is no `offline_access` scope (every login gets a refresh token), and GitLab refuses
 *   scopes it does not know.
 *
 * @see https://docs.gitlab.com/api/oauth2/
 * @see https://docs.gitlab.com/integration/openid_connect_provider/
 * @module
 */

import type { Preset } from "./preset.ts";
import { originOf } from "./_location.ts";

/** GitLab's preset. */
export const gitlab: Preset = {
  name: "gitlab",
  title: "GitLab",
  location: [{
    setting: "host",
    value: "HOST",
    what: "self-managed GitLab",
    default: "gitlab.com",
  }],
  docs: [
    "https://docs.gitlab.com/api/oauth2/",
    "https://docs.gitlab.com/integration/openid_connect_provider/",
  ],
  locate({ host }) {
    // The issuer is the instance's URL: "issuer Gitlab.config.gitlab.url"
    // (config/initializers/doorkeeper_openid_connect.rb).
    const origin = originOf(host ?? "gitlab.com");
    return {
      issuer: origin,
      discovery: true,
      // "a request is sent from the input-limited device client to
      // https://gitlab.example.com/oauth/authorize_device" (Device authorization grant flow,
      // https://docs.gitlab.com/api/oauth2/#device-authorization-grant-flow); discovery, from
      // doorkeeper-openid_connect, names no device_authorization_endpoint.
      endpoints: { device_authorization_endpoint: `${origin}/oauth/authorize_device` },
    };
  },
  defaults: { scope: "openid profile read_user" },
  behaviour: {
    // GitLab's scopes are its own list (api, read_user, ..., openid, profile, email), and
    // Doorkeeper refuses any other with invalid_scope; refresh tokens come with every login
    // ("To retrieve a new access_token, use the refresh_token parameter").
    // https://docs.gitlab.com/integration/oauth_provider/#view-all-authorized-applications
    scope: withoutOfflineAccess,
    errorHint: gitlabErrorHint,
  },
};

/** `scope` without `offline_access`; undefined when nothing else is left. */
function withoutOfflineAccess(scope: string | undefined): string | undefined {
  const kept = scope?.split(/\s+/).filter((name) => name && name !== "offline_access");
  return kept?.length ? kept.join(" ") : undefined;
}

/** GitLab's refusals, read for the person at the terminal. */
function gitlabErrorHint(message: string): string | undefined {
  if (/\binvalid_grant\b/.test(message) && /token endpoint/.test(message)) {
    // A refresh "invalidates the existing access_token and refresh_token".
    return "GitLab takes each refresh token once (a refresh replaces both tokens): if another program, or a copy of this profile's tokens, refreshed first, log in again.";
  }
  if (/\binvalid_scope\b/.test(message)) {
    return "GitLab takes only its own scopes (api, read_api, read_user, read_repository, write_repository, openid, profile, email, ...), each enabled on the application: https://docs.gitlab.com/integration/oauth_provider/#view-all-authorized-applications";
  }
  return undefined;
}
