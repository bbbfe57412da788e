/**
 * Google's answers that need undoing or explaining: the preset's `transport` and `errorHint`
 * (flows/presets/google.ts).
 *
 * @module
 */

/** The path of Google's revocation endpoint (https://oauth2.googleapis.com/revoke). */
const REVOKE_PATH = "/revoke";
/** The path of Google's token endpoint (https://oauth2.googleapis.com/token). */
const TOKEN_PATH = "/token";
/** The most of an error body read to find its `error` code. */
const MAX_ERROR_BYTES = 16 * 1024;

/**
 * Wraps fetch so that Google's error answers take their RFC shapes (the rewrites are in
 * {@linkcode rfcShaped}). Only 4xx answers with a small JSON body are read, and not 401s,
 * whose `invalid_client` and challenges are already standard.
 */
export function googleTransport(inner: typeof globalThis.fetch): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const { status } = response;
    if (status < 400 || status >= 500 || status === 401) return response;
    const body = await smallJson(response.clone());
    if (typeof body !== "object" || body === null) return response;
    const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
    const rewritten = rfcShaped(path, status, body as Record<string, unknown>);
    if (!rewritten) return response;
    await response.body?.cancel();
    return rewritten;
  };
}

/**
 * The standard answer for one of Google's, or undefined to keep Google's:
 *
 * - The revocation endpoint's 400 `invalid_token` becomes RFC 7009 §2.2's 200: "invalid
 *   tokens do not cause an error response", the token is gone either way. Google answers
 *   "error conditions" with HTTP 400, and since revoking one token revokes its grant ("If the
 *   token is an access token and it has a corresponding refresh token, the refresh token will
 *   also be revoked"), a logout that revokes the refresh token, then the access token, meets
 *   one. https://developers.google.com/identity/protocols/oauth2/native-app#tokenrevoke
 * - The token endpoint's `invalid_request` "client_secret is missing." (a Desktop or TV client
 *   without its secret) becomes `invalid_client`, RFC 6749 §5.2's code for "no client
 *   authentication included", Google's words kept: the fix is the client's secret.
 * - The token endpoint's other statuses for device-flow errors (428 authorization_pending,
 *   403 slow_down and access_denied: "Google uses various HTTP response codes",
 *   https://github.com/pipacs/o2/pull/130) become RFC 6749 §5.2's 400. A 403 otherwise reads
 *   as a refused client, and a refused Basic authentication is retried with the secret in the
 *   body.
 */
function rfcShaped(path: string, status: number, body: Record<string, unknown>) {
  const { error, error_description: description } = body;
  if (typeof error !== "string") return undefined;
  if (path === REVOKE_PATH && status === 400 && error === "invalid_token") {
    return new Response(null, { status: 200 });
  }
  if (
    error === "invalid_request" && typeof description === "string" &&
    /client_secret is missing/i.test(description)
  ) {
    return Response.json({ ...body, error: "invalid_client" }, { status: 400 });
  }
  if (path === TOKEN_PATH && status !== 400) return Response.json(body, { status: 400 });
  return undefined;
}

/** The JSON of a small body; undefined when it is larger, or not JSON. */
async function smallJson(response: Response): Promise<unknown> {
  const reader = response.body?.getReader();
  if (!reader) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      size += read.value.byteLength;
      if (size > MAX_ERROR_BYTES) return undefined;
      chunks.push(read.value);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}

/** The pages the hints below point to. */
const DOCS = {
  nativeApp: "https://developers.google.com/identity/protocols/oauth2/native-app",
  deviceScopes:
    "https://developers.google.com/identity/protocols/oauth2/limited-input-device#allowedscopes",
  device: "https://developers.google.com/identity/protocols/oauth2/limited-input-device",
  expiration: "https://developers.google.com/identity/protocols/oauth2#expiration",
};

/** Hints for Google's refusals, by what the error says (Google's own words, or its code). */
const HINTS: { when: (message: string) => boolean; hint: string }[] = [
  {
    // The token endpoint's answer to a Desktop or TV client without its secret.
    when: (message) => /client_secret is missing/i.test(message),
    hint:
      `Google's Desktop app and TV clients must send their client secret, even with PKCE: give the client's secret (from the client's JSON in the Google Cloud console). Google does not treat it as confidential, so the profile may keep it as "client_secret". ${DOCS.nativeApp}`,
  },
  {
    // "invalid_client: The OAuth client type is incorrect. Ensure the application type for
    // the client ID is set to TVs and Limited Input devices." (limited-input-device page)
    when: (message) =>
      /\binvalid_client\b/.test(message) && /device authorization endpoint/.test(message),
    hint:
      `Google's device flow takes only clients of the type "TVs and Limited Input devices"; a "Desktop app" client logs in with the browser flow. ${DOCS.device}`,
  },
  {
    // "The TV and Limited Input Device OAuth endpoints described herein only support a
    // limited set of scopes."
    when: (message) =>
      /\binvalid_scope\b/.test(message) && /device authorization endpoint/.test(message),
    hint:
      `Google's device flow allows only a few scopes (openid, email, profile, and a few Drive and YouTube scopes such as https://www.googleapis.com/auth/drive.file); for others, log in with the browser flow and a "Desktop app" client. The list: ${DOCS.deviceScopes}`,
  },
  {
    // "Token has been expired or revoked.": the user removed the app's access, or the app's
    // consent screen is in "Testing", whose refresh tokens expire after 7 days.
    when: (message) => /\binvalid_grant\b/.test(message) && /expired or revoked/i.test(message),
    hint:
      `Google ends refresh tokens when the user removes the app's access, after 6 months unused, and after 7 days for apps whose OAuth consent screen is in "Testing" status: log in again (publish the app to keep its logins). ${DOCS.expiration}`,
  },
];

/** A hint for one of Google's refusals, or undefined. */
export function googleErrorHint(message: string): string | undefined {
  return HINTS.find((entry) => entry.when(message))?.hint;
}
