/**
 * GitHub's OAuth endpoints (`/login/oauth/access_token`, `/login/device/code`) on the wire,
 * turned into the shapes of RFC 6749 and RFC 8628 before oauth4webapi reads them, so that the
 * flows handle GitHub like any server:
 *
 * - Answers are form-encoded unless the request says `Accept: application/json`: the header is
 *   always set, and a form-encoded answer is still read as one.
 * - Errors of the token endpoint come in HTTP 200 bodies (device polling included): they become
 *   RFC 6749 §5.2 answers (HTTP 400; 401 for a refused client), GitHub's codes renamed to
 *   the RFC's where one fits, GitHub's own code kept at the head of the description.
 * - `scope` lists scopes with commas; RFC 6749 §3.3 separates them with spaces.
 * - Client credentials: GitHub documents `client_id` and `client_secret` as form parameters
 *   only, so an HTTP Basic header becomes those two parameters (the same request, the same
 *   server).
 *
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 * @see https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
 * @module
 */

const FORM = "application/x-www-form-urlencoded";

/**
 * GitHub's error codes that have an RFC name, with the status RFC 6749 §5.2 gives that error.
 * Others (authorization_pending, slow_down, access_denied, expired_token: RFC 8628 §3.5 names;
 * device_flow_disabled, unverified_user_email: GitHub's own) keep their code, with HTTP 400.
 */
const RFC_ERRORS: Record<string, { error: string; status: number }> = {
  // "The client_id and/or client_secret passed are incorrect."
  incorrect_client_credentials: { error: "invalid_client", status: 401 },
  // "The code passed is incorrect or expired." (RFC 6749 §5.2: invalid_grant)
  bad_verification_code: { error: "invalid_grant", status: 400 },
  // A refresh token that is used, expired or unknown (refreshing-user-access-tokens).
  bad_refresh_token: { error: "invalid_grant", status: 400 },
  // "The device_code provided is not valid."
  incorrect_device_code: { error: "invalid_grant", status: 400 },
  // At the token endpoint: the redirect_uri differs from the authorization request's (§4.1.3).
  redirect_uri_mismatch: { error: "invalid_grant", status: 400 },
  // The device flow docs name expired_token, then say "you will see the token_expired error".
  token_expired: { error: "expired_token", status: 400 },
};

/** Fields that are numbers in JSON and strings in a form-encoded answer. */
const NUMBERS = ["expires_in", "interval", "refresh_token_expires_in"];

/**
 * Wraps `inner` (clauth's fetch for one client) so that GitHub's answers take RFC shapes; see
 * the module documentation for each rewrite.
 *
 * @example A device-flow poll answered in GitHub's default form encoding, in HTTP 200
 * ```ts
 * import assert from "node:assert/strict";
 * import { githubTransport } from "./github_transport.ts";
 *
 * const github = () =>
 *   Promise.resolve(
 *     new Response("error=slow_down&error_description=Too+many+requests&interval=10", {
 *       headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
 *     }),
 *   );
 * const answer = await githubTransport(github)("https://github.com/login/oauth/access_token", {
 *   method: "POST",
 * });
 * assert.equal(answer.status, 400);
 * assert.deepEqual(await answer.json(), {
 *   error: "slow_down",
 *   error_description: "Too many requests",
 *   interval: 10,
 * });
 * ```
 */
export function githubTransport(inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const headers = new Headers(request.headers);
    headers.set("accept", "application/json");
    let body = request.method === "POST" ? await request.text() : undefined;
    const credentials = basicCredentials(headers.get("authorization"));
    if (body !== undefined && credentials) {
      const form = new URLSearchParams(body);
      form.set("client_id", credentials.id);
      form.set("client_secret", credentials.secret);
      body = form.toString();
      headers.delete("authorization");
    }
    const response = await inner(request.url, {
      method: request.method,
      headers,
      redirect: request.redirect,
      signal: request.signal,
      ...(body === undefined ? {} : { body }),
    });
    return await standardAnswer(response, request.url);
  };
}

/**
 * The client id and secret of an HTTP Basic header, each form-urlencoded before base64 as
 * RFC 6749 §2.3.1 says (oauth4webapi does so); undefined for anything else.
 */
function basicCredentials(
  authorization: string | null,
): { id: string; secret: string } | undefined {
  const encoded = authorization?.match(/^Basic\s+([A-Za-z0-9+/=]+)$/i)?.[1];
  if (!encoded) return undefined;
  try {
    const pair = new TextDecoder().decode(Uint8Array.fromBase64(encoded));
    const colon = pair.indexOf(":");
    if (colon < 0) return undefined;
    const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, "%20"));
    return { id: decode(pair.slice(0, colon)), secret: decode(pair.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

/** `response` as JSON in RFC shape; answers that are neither form nor JSON pass as they are. */
async function standardAnswer(response: Response, url: string): Promise<Response> {
  const type = (response.headers.get("content-type") ?? "").toLowerCase();
  const isForm = type.startsWith(FORM);
  if (!isForm && !type.includes("json")) return response;
  const text = await response.text();
  let body: Record<string, unknown>;
  if (isForm) {
    body = Object.fromEntries(new URLSearchParams(text));
  } else {
    try {
      body = JSON.parse(text);
    } catch {
      return answer(text, response.status, response.headers, url);
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return answer(text, response.status, response.headers, url);
    }
  }
  for (const field of NUMBERS) {
    const value = body[field];
    if (typeof value === "string" && /^\d+$/.test(value)) body[field] = Number(value);
  }
  if (typeof body.scope === "string") body.scope = spaceSeparated(body.scope);
  let status = response.status;
  if (typeof body.error === "string" && body.error) {
    const standard = RFC_ERRORS[body.error];
    // "Until the user enters the code, GitHub will respond with a 200 status and an error":
    // RFC 6749 §5.2 answers errors with 400 (401 for a refused client).
    if (status < 300) status = standard?.status ?? 400;
    if (standard) {
      const description = typeof body.error_description === "string"
        ? `: ${body.error_description}`
        : "";
      body.error_description = `${body.error}${description}`;
      body.error = standard.error;
    }
  }
  const headers = new Headers(response.headers);
  headers.set("content-type", "application/json");
  headers.delete("content-length");
  return answer(JSON.stringify(body), status, headers, url);
}

/** "repo,gist" (GitHub) as "repo gist" (RFC 6749 §3.3). */
function spaceSeparated(scope: string): string {
  return scope.split(/[,\s]+/).filter(Boolean).join(" ");
}

/** A response with `text`, keeping the URL it came from (flows name endpoints by it). */
function answer(text: string, status: number, headers: Headers, url: string): Response {
  const response = new Response(text, { status, headers });
  Object.defineProperty(response, "url", { value: url });
  return response;
}
