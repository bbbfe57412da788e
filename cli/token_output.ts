/**
 * How `clauth token` (and `exchange`) print a token: raw, JSON, an HTTP header, a shell
 * variable, a kubectl ExecCredential, or a git credential-helper answer.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import type { StoredTokens } from "../storage/token_store.ts";

/** The output formats of `clauth token --output`. */
export const OUTPUT_FORMATS = ["raw", "json", "header", "env", "k8s", "git"] as const;
/** One output format. */
export type OutputFormat = typeof OUTPUT_FORMATS[number];

/** What git asks of a credential helper (`clauth token --output git` is one). */
export const GIT_ACTIONS = ["get", "store", "erase"] as const;

/** Checks an `--output` value. */
export function parseOutputFormat(value: string): OutputFormat {
  if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) {
    throw new ClauthError(
      "usage",
      `Unknown output format "${value}": use one of ${OUTPUT_FORMATS.join(", ")}.`,
    );
  }
  return value as OutputFormat;
}

/**
 * RFC 6750 §2.1 `b64token`, the characters of a Bearer token: flows refuse any other token
 * before it is stored; this refuses one stored before they did (or edited by hand), so that no
 * format ever carries a line break (header injection, an extra git `host=` line), an escape
 * sequence or a space.
 */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Renders the access token in `format`; the text ends with a newline. `extra` fields are
 * added to the JSON format (`exchange` adds `issued_token_type`). Throws a "storage" error,
 * quoting nothing, for a token outside RFC 6750's characters. An expiry no date can hold is
 * left out of the formats that carry one.
 */
export function formatToken(
  tokens: StoredTokens,
  format: OutputFormat,
  extra: Record<string, unknown> = {},
): string {
  const token = tokens.access_token;
  if (typeof token !== "string" || !B64TOKEN.test(token)) {
    throw new ClauthError(
      "storage",
      'The stored access token has characters a Bearer token cannot have (RFC 6750 §2.1), so clauth will not print it. Run "clauth login" to replace it.',
    );
  }
  const expiresAt = isoInstant(tokens.expires_at);
  switch (format) {
    case "raw":
      return `${token}\n`;
    case "header":
      // A DPoP-bound token's header goes with a proof (cli/token.ts makes the pair).
      if (tokens.token_type === "dpop") {
        throw new ClauthError("usage", "A DPoP-bound token's header needs a proof.");
      }
      return `Authorization: Bearer ${token}\n`;
    case "env":
      return `export CLAUTH_ACCESS_TOKEN='${token.replaceAll("'", `'\\''`)}'\n`;
    case "json":
      return terminalSafeJson({
        access_token: token,
        token_type: tokens.token_type,
        expires_at: expiresAt,
        scope: tokens.granted_scope ?? tokens.scope,
        ...extra,
      }) + "\n";
    case "k8s":
      return JSON.stringify({
        apiVersion: "client.authentication.k8s.io/v1",
        kind: "ExecCredential",
        status: { token, expirationTimestamp: expiresAt },
      }) + "\n";
    case "git":
      return `username=oauth2\npassword=${token}\n${
        expiresAt === undefined ? "" : `password_expiry_utc=${Math.floor(tokens.expires_at!)}\n`
      }`;
  }
}

/**
 * "2026-11-27T22:41:00Z", or undefined for no expiry or one no date can hold (a stored
 * `expires_at` of 1e20 seconds), where `toISOString` would throw.
 */
function isoInstant(seconds: number | undefined): string | undefined {
  if (seconds === undefined) return undefined;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * JSON.stringify, with the characters it leaves raw but a terminal must not see (DEL, C1
 * controls, bidi overrides and other format characters, in `scope` or `issued_token_type`)
 * written as JSON escapes: the same JSON to a parser. flows/protocol/safe_text.ts's safeJson,
 * inlined: the cached-token path loads this file and has a module budget.
 */
function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\u009f\p{Cf}\u2028\u2029]/gu,
    // A character above U+FFFF (tag characters) is written as its surrogate pair.
    (c) =>
      c.split("").map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`)
        .join(""),
  );
}
