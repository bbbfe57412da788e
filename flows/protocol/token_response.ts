/**
 * The one check every successful token endpoint response passes before a flow returns it (so
 * before anything is stored): what oauth4webapi leaves to its caller, for a CLI that prints
 * tokens into HTTP headers, shell variables, git and kubectl.
 *
 * @module
 */

import { ClauthError } from "../../errors.ts";
import type { TokenResponse } from "../../acquisition.ts";
import { safeText } from "./safe_text.ts";

/**
 * The longest lifetime kept from `expires_in`: 10 years, in seconds. A longer one is clamped
 * to it: such a server means "does not expire" (an absent expires_in means the same to us), and
 * an absurd number (1e20) would otherwise make an expiry no date can hold.
 */
export const MAX_EXPIRES_IN_SECONDS = 10 * 365 * 86400;

/**
 * RFC 6750 §2.1 `b64token`: what a Bearer token may hold, so that it goes into an
 * Authorization header (and a shell variable, a git credential line, a terminal) as itself.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * RFC 6749 Appendix A.17 `refresh-token = 1*VSCHAR` (printable ASCII, space included). It only
 * ever goes back to the server in a form body, so the RFC's own alphabet is the rule.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#appendix-A.17
 */
const VSCHARS = /^[\x20-\x7e]+$/;

/**
 * Checks a token endpoint response as the flows return it (oauth4webapi has checked the types
 * of its fields, lower-cased `token_type` and verified any ID token) and returns it, with
 * `expires_in` clamped to {@linkcode MAX_EXPIRES_IN_SECONDS}. Refusals are "server" errors that
 * name the field and never quote a token:
 *
 * - `token_type` must be `bearer` (any case): clauth sends no DPoP proofs, so a DPoP-bound
 *   token is refused, and so is any other type. `n_a` (RFC 8693 §2.2.1) passes: oauth4webapi
 *   refuses it unless the request recognised it, which only token exchange does.
 * - `access_token` must be RFC 6750 `b64token` characters, `refresh_token` RFC 6749 VSCHARs:
 *   no CR/LF (header injection), no escape sequences, no spaces in an access token.
 * - `expires_in` must be a finite non-negative number (oauth4webapi checks it too).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkTokenResponse } from "./token_response.ts";
 *
 * const checked = checkTokenResponse(
 *   { access_token: "abc.DEF-1~+/==", token_type: "bearer", expires_in: 1e20 },
 *   "https://login.example.com",
 * );
 * assert.equal(checked.expires_in, 10 * 365 * 86400);
 * assert.throws(
 *   () => checkTokenResponse({ access_token: "a\r\nX: 1", token_type: "bearer" }, "https://as"),
 *   /access_token with characters a Bearer token cannot have/,
 * );
 * ```
 */
export function checkTokenResponse<T extends TokenResponse>(
  response: T,
  issuer: string,
  options: { dpop?: boolean } = {},
): T {
  const from = `The token endpoint of ${issuer}`;
  const refuse = (message: string) =>
    new ClauthError("server", `${from} ${message}`, { endpoint: "token" });
  const type = typeof response.token_type === "string" ? response.token_type.toLowerCase() : "";
  // A DPoP token only when clauth sent a proof: one it did not ask for is bound to a key it
  // does not hold (RFC 9449 §5), and would fail at every API.
  const accepted = type === "bearer" || type === "n_a" || (type === "dpop" && options.dpop);
  if (!accepted) throw tokenTypeRefusal(response.token_type, issuer);
  if (typeof response.access_token !== "string" || !B64TOKEN.test(response.access_token)) {
    throw refuse(
      `sent an access_token with characters a Bearer token cannot have (RFC 6750 §2.1 allows letters, digits and -._~+/ then =), so clauth refused it.${
        invisibleHint(response.access_token)
      }`,
    );
  }
  const refresh = response.refresh_token;
  if (refresh !== undefined && (typeof refresh !== "string" || !VSCHARS.test(refresh))) {
    throw refuse(
      "sent a refresh_token with characters outside printable ASCII (RFC 6749 Appendix A.17), so clauth refused it.",
    );
  }
  const expiresIn = response.expires_in;
  if (expiresIn === undefined) return response;
  if (typeof expiresIn !== "number" || !Number.isFinite(expiresIn) || expiresIn < 0) {
    throw refuse(
      `sent expires_in "${
        safeText(String(expiresIn), 40)
      }", which is not a number of seconds, so clauth refused the response.`,
    );
  }
  // In place, as oauth4webapi writes its own fields: the object stays the one it knows (its
  // getValidatedIdTokenClaims looks the response up by identity).
  if (expiresIn > MAX_EXPIRES_IN_SECONDS) response.expires_in = MAX_EXPIRES_IN_SECONDS;
  return response;
}

/**
 * The refusal of a token whose `token_type` clauth cannot use: DPoP (it sends no proofs yet)
 * or anything but Bearer. Also for the types oauth4webapi refuses itself ("mac").
 */
export function tokenTypeRefusal(tokenType: unknown, issuer: string, cause?: unknown): ClauthError {
  const from = `The token endpoint of ${issuer}`;
  const type = String(tokenType);
  return new ClauthError(
    "server",
    type.toLowerCase() === "dpop"
      ? `${from} issued a DPoP-bound token (token_type DPoP) although clauth sent no DPoP proof, so it refused the token: the server binds this client's tokens to a key.`
      : `${from} issued a token of type "${
        safeText(type, 40)
      }"; clauth uses Bearer tokens only (RFC 6750), so it refused the token.`,
    { endpoint: "token", cause, ...(type.toLowerCase() === "dpop" ? { setting: "dpop" } : {}) },
  );
}

/** Which kind of character made a token unusable, without quoting the token. */
function invisibleHint(token: unknown): string {
  if (typeof token !== "string") return "";
  if (/[\r\n]/.test(token)) return " It contains a line break.";
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(token)) return " It contains control characters.";
  if (/\s/.test(token)) return " It contains spaces.";
  return "";
}
