/**
 * The authorization endpoint of the Google imitation (tests/helpers/imitations/google.ts),
 * from https://developers.google.com/identity/protocols/oauth2/native-app (Step 2, "Loopback IP
 * address") and https://developers.google.com/identity/openid-connect/openid-connect
 * ("Authentication URI parameters"). It approves as the user at once when the request is good;
 * a bad one gets Google's error page ("Error 400: invalid_scope"), not a redirect.
 */

import { type GoogleClient, randomText, SCOPE_NAMES, type TokenState } from "./google_tokens.ts";

/** Google's error page for a refused authorization request: "Error 400: invalid_scope". */
function errorPage(status: number, error: string, detail: string): Response {
  const text = `<html><body><h1>Access blocked: Authorization Error</h1>` +
    `<p>Error ${status}: ${error}</p><p>${detail}</p></body></html>`;
  return new Response(text, { status, headers: { "content-type": "text/html; charset=utf-8" } });
}

/** The authorization endpoint, approving as the user at once when the request is good. */
export function authorize(
  params: URLSearchParams,
  clients: Map<string, GoogleClient>,
  tokens: TokenState,
): Response {
  const client = clients.get(params.get("client_id") ?? "");
  if (!client) return errorPage(401, "invalid_client", "The OAuth client was not found.");
  // Native-app page, "Loopback IP address": http://127.0.0.1:port or http://[::1]:port (and
  // localhost), any port; TV clients have no redirect URIs at all.
  const redirect = params.get("redirect_uri") ?? "";
  let redirectUrl: URL | undefined;
  try {
    redirectUrl = new URL(redirect);
  } catch { /* refused below */ }
  const loopback = redirectUrl?.protocol === "http:" &&
    ["127.0.0.1", "[::1]", "localhost"].includes(redirectUrl.hostname);
  if (client.type !== "desktop" || !redirectUrl || !loopback) {
    return errorPage(400, "redirect_uri_mismatch", `redirect_uri=${redirect}`);
  }
  if (params.get("response_type") !== "code") {
    return errorPage(400, "unsupported_response_type", "response_type must be code");
  }
  const accessType = params.get("access_type") ?? "online";
  if (accessType !== "online" && accessType !== "offline") {
    return errorPage(400, "invalid_request", `Invalid access_type: ${accessType}`);
  }
  const scope = params.get("scope");
  if (!scope) return errorPage(400, "invalid_request", "Missing required parameter: scope");
  const requested = scope.split(" ").filter(Boolean);
  const invalid = requested.filter((name) =>
    !["openid", "email", "profile"].includes(name) &&
    !name.startsWith("https://www.googleapis.com/auth/")
  );
  if (invalid.length) {
    return errorPage(
      400,
      "invalid_scope",
      `Some requested scopes were invalid. {invalid=[${invalid}]}`,
    );
  }
  const challenge = params.get("code_challenge") ?? undefined;
  const challengeMethod = params.get("code_challenge_method") ?? "plain";
  if (challenge !== undefined && !["plain", "S256"].includes(challengeMethod)) {
    return errorPage(400, "invalid_request", `Invalid code_challenge_method: ${challengeMethod}`);
  }
  const scopes = [...new Set(requested.map((name) => SCOPE_NAMES[name] ?? name))];
  const code = `4/0A${randomText(40)}`;
  const nonce = params.get("nonce") ?? undefined;
  tokens.codes.set(code, {
    grant: { client, scopes, revoked: false },
    offline: accessType === "offline",
    ...(nonce ? { nonce } : {}),
    redirectUri: redirect,
    ...(challenge === undefined ? {} : { challenge }),
    challengeMethod,
    used: false,
  });
  const back = new URL(redirect);
  const state = params.get("state");
  if (state !== null) back.searchParams.set("state", state);
  back.searchParams.set("code", code);
  back.searchParams.set("scope", scopes.join(" "));
  back.searchParams.set("authuser", "0");
  back.searchParams.set("prompt", params.get("prompt") === "consent" ? "consent" : "none");
  return new Response(null, { status: 302, headers: { location: back.href } });
}
