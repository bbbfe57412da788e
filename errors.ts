/**
 * The one error type clauth throws for expected failures.
 *
 * Every failure has a stable {@linkcode ClauthErrorCode} that callers (and main.ts) branch on,
 * and a message written for a person: what went wrong and, where we know it, how to fix it.
 * Errors from oauth4webapi or the network ride along as `cause` and are shown only with
 * `--verbose`. Two small helpers for failure paths live here too, so that the modules the
 * cached-token path loads need no other: `jsonErrorPlace` and `abortable`.
 *
 * @module
 */

/** Stable failure categories. Each maps to one exit code, see {@linkcode exitCodeFor}. */
export type ClauthErrorCode =
  /** Bad command line, config file or input (exit 2). */
  | "usage"
  /** The issuer URL is not https and not loopback (exit 2). */
  | "insecure_issuer"
  /** The server rejected the client's credentials (exit 2: the fix is in the settings). */
  | "invalid_client"
  /** Network failure or timeout (exit 1). */
  | "network"
  /** The server answered with an error or a response we cannot use (exit 1). */
  | "server"
  /** The refresh token or grant is no longer valid (exit 4 unless a login follows). */
  | "invalid_grant"
  /** The user denied the request (exit 3). */
  | "denied"
  /** The device code or login timed out (exit 3). */
  | "expired"
  /** No usable token and no way to interact (exit 4). */
  | "login_required"
  /** A stored file is damaged (exit 1; the file is kept). */
  | "storage";

/**
 * The endpoint of the authorization server (or the step) a failure happened at: the
 * metadata field without `_endpoint`, plus "discovery", "par" (pushed authorization
 * requests) and "jwks" (the issuer's keys).
 */
export type ClauthEndpoint =
  | "discovery"
  | "authorization"
  | "par"
  | "token"
  | "device_authorization"
  | "revocation"
  | "introspection"
  | "userinfo"
  | "jwks";

/**
 * The setting a failure is most likely fixed in, named like the option or metadata field it
 * stands for. A CLI turns it into its own advice (the flag, the environment variable).
 */
export type ClauthSetting =
  /** The issuer URL ({@linkcode ClauthError.message} says what was wrong with it). */
  | "issuer"
  /** The client id. */
  | "client_id"
  /** The client secret. */
  | "client_secret"
  /** The private key for private_key_jwt client authentication. */
  | "private_key"
  /** Which client authentication method to use. */
  | "token_endpoint_auth_method"
  /** The scopes asked for. */
  | "scope"
  /** The per-request network timeout. */
  | "timeout"
  /** The loopback redirect URI(s) of the browser login. */
  | "redirect_uri"
  /** The endpoints set by hand instead of (or over) discovery. */
  | "endpoints"
  /** The subject token of a token exchange. */
  | "subject_token"
  /** Whether tokens are DPoP-bound (RFC 9449). */
  | "dpop"
  /** Whether the authorization request is pushed first (RFC 9126). */
  | "par"
  /** The actor token of a token exchange. */
  | "actor_token"
  /** The CA certificates trusted for the server's TLS certificate (a private CA's). */
  | "ca_file";

/** What {@linkcode ClauthError}'s constructor takes besides the code and message. */
export interface ClauthErrorOptions {
  /** The underlying error (oauth4webapi's, the network's), for detail on request. */
  cause?: unknown;
  /** The OAuth `error` code exactly as the server sent it, e.g. "invalid_client". */
  oauthError?: string | undefined;
  /** The HTTP status of the server's answer. */
  status?: number | undefined;
  /** The endpoint that failed. */
  endpoint?: ClauthEndpoint | undefined;
  /** The setting the fix is most likely in. */
  setting?: ClauthSetting | undefined;
}

/**
 * An expected failure with a stable code and a message meant for a person. Print the
 * message as it is; branch on {@linkcode ClauthError.code} and the structured fields
 * (`oauthError`, `status`, `endpoint`, `setting`), never on the message; show `cause` only
 * when asked for detail. Messages name no command-line flags: a CLI adds its own advice
 * from `setting`.
 *
 * @example Turn failures into a message and an exit code in your CLI's entry point
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClauthError, exitCodeFor } from "@clauth/clauth";
 *
 * // What main() prints on stderr, and the code it exits with.
 * function failure(error: unknown): { lines: string[]; exitCode: number } {
 *   if (!(error instanceof ClauthError)) throw error; // a bug: let it show its stack
 *   const lines = [`my-cli: ${error.message}`];
 *   if (error.setting === "client_secret") lines.push("Set MY_CLI_SECRET.");
 *   return { lines, exitCode: exitCodeFor(error.code) };
 * }
 *
 * const error = new ClauthError(
 *   "invalid_client",
 *   "The token endpoint refused the request: invalid_client, HTTP 401.",
 *   { oauthError: "invalid_client", status: 401, endpoint: "token", setting: "client_secret" },
 * );
 * assert.deepEqual(failure(error), {
 *   lines: [
 *     "my-cli: The token endpoint refused the request: invalid_client, HTTP 401.",
 *     "Set MY_CLI_SECRET.",
 *   ],
 *   exitCode: 2,
 * });
 * assert.equal(error.status, 401);
 * ```
 */
export class ClauthError extends Error {
  /** The failure category; stable across versions. */
  readonly code: ClauthErrorCode;
  /** The OAuth `error` code as the server sent it (even outside the RFC lists), if any. */
  declare readonly oauthError?: string;
  /** The HTTP status of the server's answer, when the failure came with one. */
  declare readonly status?: number;
  /** The endpoint (or step) that failed, when a server was involved. */
  declare readonly endpoint?: ClauthEndpoint;
  /** The setting the fix is most likely in, when we know it. */
  declare readonly setting?: ClauthSetting;

  /**
   * Creates an error; flows and stores do this, callers mostly read them.
   *
   * @param code the failure category
   * @param message one or two sentences: what went wrong, then what to do about it
   * @param options `cause` carries the underlying error; the other fields
   *   say what failed where, for callers to branch on
   */
  constructor(code: ClauthErrorCode, message: string, options: ClauthErrorOptions = {}) {
    super(message, "cause" in options ? { cause: options.cause } : undefined);
    this.name = "ClauthError";
    this.code = code;
    if (options.oauthError !== undefined) this.oauthError = options.oauthError;
    if (options.status !== undefined) this.status = options.status;
    if (options.endpoint !== undefined) this.endpoint = options.endpoint;
    if (options.setting !== undefined) this.setting = options.setting;
  }
}

const EXIT_CODES: Record<ClauthErrorCode, number> = {
  usage: 2,
  insecure_issuer: 2,
  invalid_client: 2,
  network: 1,
  server: 1,
  storage: 1,
  denied: 3,
  expired: 3,
  invalid_grant: 4,
  login_required: 4,
};

/**
 * The process exit code for an error code, as the CLI contract defines it: 1 error, 2 usage
 * or config, 3 denied or expired, 4 login required (including a grant that is no longer valid).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exitCodeFor } from "@clauth/clauth";
 *
 * assert.equal(exitCodeFor("usage"), 2);
 * assert.equal(exitCodeFor("denied"), 3);
 * assert.equal(exitCodeFor("network"), 1);
 * ```
 */
export function exitCodeFor(code: ClauthErrorCode): number {
  return EXIT_CODES[code];
}

/**
 * Describes a `JSON.parse` failure by its place only ("at line 3 column 2"): V8's message
 * quotes the text around the mistake, and these files hold tokens, keys and secrets.
 */
export function jsonErrorPlace(error: unknown): string {
  const place = String((error as Error)?.message ?? "").match(/\(line (\d+) column (\d+)\)/);
  return place ? ` at line ${place[1]} column ${place[2]}` : "";
}

/**
 * Resolves like `promise`, or rejects with the signal's reason as soon as it aborts: for
 * waits that cannot be cancelled themselves (a file lock, a read from stdin).
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
