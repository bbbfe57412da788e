/**
 * How GitHub's OAuth endpoints speak, for the imitation in ./github.ts: the answer's format
 * chosen by the Accept header, errors in HTTP 200 bodies, the callback URL rules, token shapes.
 * Each rule cites the page of GitHub's docs it follows.
 */

/** An app registered at the imitation, as its settings page on GitHub would have it. */
export interface ImitatedApp {
  clientId: string;
  clientSecret: string;
  /** An OAuth app (scopes, tokens that never expire) or a GitHub App (permissions). */
  kind: "oauth-app" | "github-app";
  /** "Authorization callback URL" (OAuth app) or "Callback URL"s (GitHub App). */
  callbackUrls: string[];
  /** "Enable Device Flow" in the app's settings. */
  deviceFlow: boolean;
  /** GitHub Apps: "User-to-server token expiration" (on unless opted out). */
  expiring?: boolean;
}

/** The formats GitHub answers in: form-encoded unless the request accepts JSON. */
export type WireFormat = "form" | "json";

/**
 * "By default, the response takes the following form: access_token=...&scope=repo%2Cgist...
 * You can also receive the response in different formats if you provide the format in the
 * Accept header" (application/json, application/xml; XML is not imitated).
 *
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#2-users-are-redirected-back-to-your-site-by-github
 */
export function formatFor(request: Request): WireFormat {
  return /application\/json/i.test(request.headers.get("accept") ?? "") ? "json" : "form";
}

/** An answer in `format`, with GitHub's content types. */
export function wireAnswer(
  format: WireFormat,
  body: Record<string, string | number>,
  status = 200,
): Response {
  if (format === "json") {
    return new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json; charset=utf-8" },
    });
  }
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(body)) form.set(name, String(value));
  return new Response(form.toString(), {
    status,
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
  });
}

/** GitHub's error descriptions, from the troubleshooting pages and the device flow's table. */
const DESCRIPTIONS: Record<string, string> = {
  incorrect_client_credentials: "The client_id and/or client_secret passed are incorrect.",
  redirect_uri_mismatch:
    "The redirect_uri MUST match the registered callback URL for this application.",
  bad_verification_code: "The code passed is incorrect or expired.",
  bad_refresh_token: "The refresh token passed is incorrect or expired.",
  authorization_pending: "The authorization request is still pending.",
  slow_down: "Too many requests have been made in the same timeframe.",
  expired_token: "The device_code has expired.",
  incorrect_device_code: "The device_code provided is not valid.",
  access_denied: "The authorization request was denied.",
  unsupported_grant_type: "The grant type is not supported.",
  device_flow_disabled: "Device Flow must be explicitly enabled for this App",
};

/**
 * A token endpoint error as GitHub sends it: HTTP 200 ("Until the user enters the code, GitHub
 * will respond with a 200 status and an error response query parameter"; the troubleshooting
 * page's errors likewise), with `error_uri`, plus `extra` (slow_down's new `interval`).
 *
 * @see https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app#using-the-device-flow-to-generate-a-user-access-token
 * @see https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
 */
export function wireError(
  format: WireFormat,
  error: string,
  extra: Record<string, number> = {},
  status = 200,
): Response {
  const description = DESCRIPTIONS[error];
  if (description === undefined) return wireAnswer(format, { error }, status);
  return wireAnswer(format, {
    error,
    error_description: description,
    error_uri: `https://docs.github.com/apps/troubleshooting#${error}`,
    ...extra,
  }, status);
}

/** A loopback host literal, where GitHub ignores the callback's port. */
function isLoopback(hostname: string): boolean {
  return hostname === "127.0.0.1" || hostname === "[::1]" || hostname === "localhost";
}

/**
 * Whether `redirectUri` is allowed for `app`.
 *
 * OAuth apps: "the redirect URL's host (excluding sub-domains) and port must exactly match the
 * callback URL. The redirect URL's path must reference a subdirectory of the callback URL";
 * for a loopback URL "the redirect_uri does not need to match the port specified in the
 * callback URL". GitHub Apps: "an exact match to one of the URLs you provided as a Callback
 * URL"; the imitation takes the loopback port rule for them too.
 *
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#redirect-urls
 * @see https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app#using-the-web-application-flow-to-generate-a-user-access-token
 */
export function redirectAllowed(app: ImitatedApp, redirectUri: string): boolean {
  let redirect: URL;
  try {
    redirect = new URL(redirectUri);
  } catch {
    return false;
  }
  return app.callbackUrls.some((callbackUrl) => {
    const callback = new URL(callbackUrl);
    if (redirect.protocol !== callback.protocol) return false;
    const loopback = isLoopback(callback.hostname);
    if (loopback && redirect.hostname !== callback.hostname) return false;
    if (!loopback) {
      const sameHost = redirect.hostname === callback.hostname ||
        (app.kind === "oauth-app" && redirect.hostname.endsWith(`.${callback.hostname}`));
      if (!sameHost || redirect.port !== callback.port) return false;
    }
    if (app.kind === "github-app") {
      return redirect.pathname === callback.pathname && redirect.search === callback.search;
    }
    const base = callback.pathname.replace(/\/$/, "");
    return redirect.pathname === callback.pathname || redirect.pathname.startsWith(`${base}/`);
  });
}

/** A random token of GitHub's shape: its prefix, then 36 letters and digits. */
export function githubToken(prefix: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(36));
  return prefix + Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join("");
}

/** A user code as GitHub shows it: "8 characters with a hyphen in the middle". */
export function userCode(): string {
  const letters = "BCDFGHJKLMNPQRSTVWXZ";
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  const code = Array.from(bytes, (byte) => letters[byte % letters.length]).join("");
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** Hex characters, as GitHub's codes (20) and device codes (40) are. */
export function hex(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(length / 2)));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("").slice(0, length);
}

/** RFC 7636 §4.2 S256: BASE64URL(SHA256(verifier)), the only method GitHub accepts. */
export async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return new Uint8Array(digest).toBase64({ alphabet: "base64url", omitPadding: true });
}

/** Request parameters from the query and a form or JSON body ("query parameters" in the docs). */
export async function parametersOf(request: Request): Promise<URLSearchParams> {
  const params = new URL(request.url).searchParams;
  const type = request.headers.get("content-type") ?? "";
  const text = request.method === "POST" ? await request.text() : "";
  if (/json/i.test(type) && text) {
    for (const [name, value] of Object.entries(JSON.parse(text))) params.set(name, String(value));
  } else if (text) {
    for (const [name, value] of new URLSearchParams(text)) params.set(name, value);
  }
  return params;
}
