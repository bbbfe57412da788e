/**
 * The CLI's advice after a failure. flows/ and storage/ say what went wrong in library words
 * and name the setting the fix is in (`ClauthError.setting`); this says where clauth takes
 * that setting from: the flag, the environment variable, the profile's key.
 *
 * @module
 */

import type { ClauthError, ClauthSetting } from "../errors.ts";
import { describeFileError } from "../storage/private_files.ts";

/** Where each setting comes from on the command line, in the environment and in a profile. */
const HINTS: Partial<Record<ClauthSetting, string>> = {
  issuer: "Set the exact issuer with --issuer URL (or CLAUTH_ISSUER, or the profile's issuer).",
  client_id:
    "Check the client id (--client-id, CLAUTH_CLIENT_ID or the profile's client_id); a confidential client also needs its secret: set CLAUTH_CLIENT_SECRET or pass --client-secret-file PATH.",
  client_secret:
    "Set CLAUTH_CLIENT_SECRET or pass --client-secret-file PATH (or set the profile's client_secret_file).",
  private_key:
    "Pass --private-key-file PATH, or set CLAUTH_PRIVATE_KEY_FILE or the profile's private_key_file.",
  token_endpoint_auth_method:
    "Set the profile's token_endpoint_auth_method: client_secret_basic, client_secret_post, private_key_jwt or none.",
  scope: 'Check the scopes asked for: --scope "a b" (or CLAUTH_SCOPE, or the profile\'s scope).',
  timeout: "Allow more time with --timeout SECONDS (or CLAUTH_TIMEOUT).",
  dpop:
    'Turn DPoP on for this profile: log in again with --dpop (or set "dpop": true in the profile).',
  par:
    'Push the authorization request first: log in with --par (or set "par": true in the profile), or turn it off with --no-par.',
  redirect_uri:
    "Choose the redirect URI with --redirect-uri URL (repeat it to list fallback ports) or the profile's redirect_uri; the server must have it registered.",
  ca_file:
    "Trust the CA that signed it with --ca-file PATH, a PEM file (or CLAUTH_CA_FILE, or the profile's ca_file).",
};

/** After a file operation in clauth's own folders failed. */
const STORAGE_PLACES =
  "clauth keeps its config in CLAUTH_CONFIG_DIR and its tokens in CLAUTH_STATE_DIR (by default under $XDG_CONFIG_HOME and $XDG_STATE_HOME): check that path, or set these variables to other folders.";

/** After a login refused while it asked for no scope (see {@linkcode errorHints}). */
const ASK_FOR_A_SCOPE =
  "Ask for a scope: --scope openid (for OpenID Connect; or the API's scopes, e.g. --scope \"openid offline_access\"), or set CLAUTH_SCOPE or the profile's scope.";

/**
 * The lines to print after `clauth: <message>`: how to change the setting the error names.
 * Empty when the error names none (or one only the message can explain).
 */
export function errorHints(error: ClauthError): string[] {
  if (error.code === "storage") {
    // A file operation the system refused: the fix is in the file system, not a login.
    if (isRuntimeError(error.cause)) return [STORAGE_PLACES];
    // A damaged token file names its profile; the login that replaces it is a command.
    return ['Run "clauth login --profile NAME" for that profile.'];
  }
  // A refusal of a login that asked for no scope names the scope setting (flows/grants).
  if (error.code === "denied" && error.setting === "scope") return [ASK_FOR_A_SCOPE];
  const hint = error.setting === undefined ? undefined : HINTS[error.setting];
  return hint === undefined ? [] : [hint];
}

/** Whether `error` is one of Deno's error classes (a file, network or process failure). */
function isRuntimeError(error: unknown): error is Error {
  return error instanceof Error &&
    Object.values(Deno.errors).some((kind) => error instanceof kind);
}

/** Deno's names for file operations (in its messages: "readfile '/x'"), in words. */
const OPERATIONS: Record<string, string> = {
  open: "open",
  readfile: "read",
  writefile: "write",
  stat: "read",
  lstat: "read",
  mkdir: "create the folder",
  remove: "remove",
  rename: "rename",
  copy: "copy",
  chmod: "change the permissions of",
  readdir: "list",
  realpath: "resolve",
  truncate: "truncate",
};

/**
 * The line for a failure no part of clauth turned into a ClauthError. One of Deno's own (a
 * file operation) becomes "Cannot read /x: it does not exist.": the operation and the path
 * in words, without Deno's internals; anything else is an unexpected error, as is.
 */
export function unexpectedErrorText(error: unknown): string {
  if (!isRuntimeError(error)) return `unexpected error: ${(error as Error)?.message ?? error}`;
  const reason = describeFileError(error, "clauth");
  // "No such file or directory (os error 2): rename '/a' -> '/b'"
  const place = /: (\w+) '(.+?)'(?: -> '(.+)')?$/s.exec(error.message);
  if (!place) return `${reason.charAt(0).toUpperCase()}${reason.slice(1)}.`;
  const [, operation, path, target] = place;
  return `Cannot ${OPERATIONS[operation!] ?? operation} ${path}${
    target ? ` to ${target}` : ""
  }: ${reason}.`;
}
