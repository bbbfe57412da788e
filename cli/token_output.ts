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
 * Renders the access token in `format`; the text ends with a newline. `extra` fields are
 * added to the JSON format (`exchange` adds `issued_token_type`).
 */
export function formatToken(
  tokens: StoredTokens,
  format: OutputFormat,
  extra: Record<string, unknown> = {},
): string {
  const token = tokens.access_token;
  const expiresAt = tokens.expires_at === undefined
    ? undefined
    : new Date(tokens.expires_at * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  switch (format) {
    case "raw":
      return `${token}\n`;
    case "header":
      return `Authorization: ${tokens.token_type === "dpop" ? "DPoP" : "Bearer"} ${token}\n`;
    case "env":
      return `export CLAUTH_ACCESS_TOKEN='${token.replaceAll("'", `'\\''`)}'\n`;
    case "json":
      return JSON.stringify({
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
        tokens.expires_at === undefined ? "" : `password_expiry_utc=${tokens.expires_at}\n`
      }`;
  }
}
