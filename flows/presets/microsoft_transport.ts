/**
 * Entra ID's answers that differ from the RFCs' shapes, rewritten before oauth4webapi reads
 * them so the flows handle Entra like any server:
 *
 * - Device flow: a person who declines is `authorization_declined`; RFC 8628 §3.5 calls it
 *   `access_denied`. The description (Entra's AADSTS text) is kept.
 * - Microsoft Graph (which hosts Entra's userinfo endpoint) says why it refused an access
 *   token in a JSON body, `{"error": {"code", "message"}}`, and not in the `WWW-Authenticate`
 *   challenge; RFC 6750 §3 puts it there: `error="invalid_token"` with Graph's code and
 *   message as the description. A token for another resource than Graph is refused so.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code#expected-errors
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/userinfo#calling-the-api
 * @see https://learn.microsoft.com/en-us/graph/errors
 * @module
 */

import { replaceBody } from "../protocol/http.ts";

/** Error bodies read here are small; a larger one is passed on untouched. */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * Wraps `inner` (clauth's fetch for one client) so that Entra's answers take RFC shapes; see
 * the module documentation for each rewrite.
 *
 * @example A declined device login
 * ```ts
 * import assert from "node:assert/strict";
 * import { entraTransport } from "./microsoft_transport.ts";
 *
 * const entra = () =>
 *   Promise.resolve(Response.json({
 *     error: "authorization_declined",
 *     error_description: "AADSTS70000: The user declined.",
 *   }, { status: 400 }));
 * const answer = await entraTransport(entra)("https://login.example/t/oauth2/v2.0/token");
 * assert.equal(answer.status, 400);
 * assert.deepEqual(await answer.json(), {
 *   error: "access_denied",
 *   error_description: "AADSTS70000: The user declined.",
 * });
 * ```
 */
export function entraTransport(inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (response.status !== 400 && response.status !== 401) return response;
    if (!/\bjson\b/i.test(response.headers.get("content-type") ?? "")) return response;
    const text = await boundedText(response.clone());
    if (text === undefined) return response;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return response;
    }
    if (!isObject(body)) return response;
    if (response.status === 400 && body.error === "authorization_declined") {
      await response.body?.cancel();
      return replaceBody(response, JSON.stringify({ ...body, error: "access_denied" }));
    }
    const challenge = response.headers.get("www-authenticate") ?? "Bearer";
    if (response.status === 401 && isObject(body.error) && !/\berror=/.test(challenge)) {
      const { code, message } = body.error;
      const reason = [code, message].filter((part) => typeof part === "string").join(": ");
      const headers = new Headers(response.headers);
      headers.set(
        "www-authenticate",
        `${challenge.trim()}${
          /\s/.test(challenge.trim()) ? "," : ""
        } error="invalid_token", error_description="${quoted(reason)}"`,
      );
      await response.body?.cancel();
      return replaceBody(response, text, headers);
    }
    return response;
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `text` as an RFC 7235 quoted-string's content (RFC 6750 §3 allows no `"` or `\` in it). */
function quoted(text: string): string {
  return text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, " ").slice(0, 300);
}

/** The body's text, or undefined when it is longer than {@linkcode MAX_ERROR_BODY}. */
async function boundedText(response: Response): Promise<string | undefined> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ERROR_BODY) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(all);
}
