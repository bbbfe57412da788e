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
 * An expected failure with a stable code and a message meant for a person. Print the
 * message as it is (it says what to do); branch on {@linkcode ClauthError.code}; show
 * `cause` only when asked for detail.
 *
 * @example Turn failures into a message and an exit code in your CLI's entry point
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClauthError, exitCodeFor } from "@clauth/clauth";
 *
 * // What main() prints on stderr, and the code it exits with.
 * function failure(error: unknown): { line: string; exitCode: number } {
 *   if (!(error instanceof ClauthError)) throw error; // a bug: let it show its stack
 *   return { line: `my-cli: ${error.message}`, exitCode: exitCodeFor(error.code) };
 * }
 *
 * const error = new ClauthError("login_required", 'No usable token: run "my-cli login".');
 * assert.deepEqual(failure(error), {
 *   line: 'my-cli: No usable token: run "my-cli login".',
 *   exitCode: 4,
 * });
 * assert.equal(error.code, "login_required");
 * ```
 */
export class ClauthError extends Error {
  /** The failure category; stable across versions. */
  readonly code: ClauthErrorCode;

  /**
   * Creates an error; flows and stores do this, callers mostly read them.
   *
   * @param code the failure category
   * @param message one or two sentences: what went wrong, then what to do about it
   * @param options `cause` carries the underlying error for `--verbose`
   */
  constructor(code: ClauthErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ClauthError";
    this.code = code;
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
