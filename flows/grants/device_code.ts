/**
 * The Device Authorization Grant (RFC 8628): for SSH sessions, containers and machines
 * without a browser. The CLI shows a short code, the user approves on another device, and
 * the CLI polls the token endpoint until the server answers.
 *
 * Polling follows §3.5: wait `interval` (5 s when absent) between polls, plus a small
 * safety margin so a slow local clock never polls early; `slow_down` adds 5 s for good;
 * `authorization_pending` continues; `access_denied` and `expired_token` stop; so does the
 * code's own `expires_in`, measured locally. A poll that fails on the way (a timeout, a lost
 * connection, an HTTP 5xx) is not the server's answer: like `slow_down`, it adds 5 s, and
 * polling goes on until the code expires.
 *
 * The server's durations are bounded before they drive a timer: `interval` is at most a
 * minute (a huge one would overflow the timer and poll in a tight loop) and `expires_in` at
 * most an hour; a duration that is not a positive number of seconds is refused.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import type { Acquisition } from "../../acquisition.ts";
import { ClauthError } from "../../errors.ts";
import { authenticatedCall, type Client, tokenEndpointCall } from "../protocol/client.ts";
import { defaultNow, defaultSleep } from "../protocol/dependencies.ts";
import { replaceBody } from "../protocol/http.ts";
import { processTokenResponse } from "../tokens/id_token.ts";
import { deniedWithoutScope, fieldsOf } from "../protocol/oauth_errors.ts";

/** What the user needs to approve the login, from the device authorization response. */
export interface DeviceCodePrompt {
  /** Where to go (`verification_uri`, or the older `verification_url`). */
  verificationUri: string;
  /** The code to type there. */
  userCode: string;
  /** The address with the code already in it, when the server gives one. */
  verificationUriComplete?: string;
  /** Seconds until the code expires. */
  expiresIn: number;
}

/** Progress reported before each wait, e.g. for a spinner with the time left. */
export interface DevicePollProgress {
  /** Seconds until the code expires. */
  secondsLeft: number;
  /** The current polling interval in seconds. */
  interval: number;
  /** Polls made so far. */
  polls: number;
}

/** Options for {@linkcode deviceCodeFlow}. */
export interface DeviceCodeOptions {
  /** Space-separated scopes to request. */
  scope?: string;
  /** Shows the user where to go and what to type. Called once, before polling starts. */
  onUserCode: (prompt: DeviceCodePrompt) => void | Promise<void>;
  /** Called before every wait between polls. */
  onPoll?: (progress: DevicePollProgress) => void;
  /** Resource indicators (RFC 8707) for the tokens. */
  resource?: string[];
  /** An `audience`, for servers that take one (Auth0). */
  audience?: string;
}

/** Seconds between polls when the server does not say (RFC 8628 §3.2). */
export const DEFAULT_INTERVAL_SECONDS = 5;
/** Added to each wait so that clock drift never makes us poll early. */
export const POLL_SAFETY_MARGIN_MS = 250;
/** Added to the interval on every `slow_down`, and after every failed poll (RFC 8628 §3.5). */
export const SLOW_DOWN_SECONDS = 5;
/** The longest interval taken from the server; `slow_down` and failed polls may add to it. */
export const MAX_INTERVAL_SECONDS = 60;
/** The longest device code lifetime taken from the server: longer ones are cut to this. */
export const MAX_CODE_LIFETIME_SECONDS = 3600;

/** OAuth errors that say the server is in trouble, not that the login is over. */
const TRANSIENT_OAUTH_ERRORS = new Set(["server_error", "temporarily_unavailable"]);

/** The failed polls so far: the last one, and how many failed since the last answer. */
interface PollFailures {
  last: ClauthError;
  inARow: number;
}

/**
 * Runs the device flow to the end and returns the token response.
 *
 * Fails with ClauthError `denied` (the user said no), `expired` (the code ran out; after
 * failed polls the message names the last failure), `server` (the device authorization
 * response is unusable), or rejects with the abort reason when `client.deps.signal` aborts
 * (Ctrl-C), at once. Timeouts and HTTP 5xx answers while polling only slow the polling down.
 *
 * @example Log in from an SSH session
 * ```ts
 * import assert from "node:assert/strict";
 * import { createClient, deviceCodeFlow } from "@clauth/clauth";
 * // The dev provider stands in for your server, and approves as its user would:
 * import { startDevProvider } from "../../dev/provider.ts";
 * import { approveDeviceCode } from "../../dev/device_approval.ts";
 *
 * const idp = await startDevProvider({ autoApprove: true, deviceInterval: 0.2 });
 * const client = await createClient({ issuer: idp.issuer, clientId: "demo-cli" });
 * const { response } = await deviceCodeFlow(client, {
 *   scope: "openid offline_access",
 *   // Instructions go to stderr, so stdout stays free for data.
 *   onUserCode: async ({ verificationUri, userCode, verificationUriComplete }) => {
 *     console.error(`Open ${verificationUri} and enter the code ${userCode}`);
 *     if (verificationUriComplete) console.error(`or open ${verificationUriComplete}`);
 *     // The user approves on another device; the dev provider's stand-in does it here:
 *     await approveDeviceCode(verificationUriComplete!);
 *   },
 * });
 * assert.ok(response.refresh_token);
 * await idp.close();
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628
 */
export async function deviceCodeFlow(
  client: Client,
  options: DeviceCodeOptions,
): Promise<Acquisition> {
  const now = client.deps.now ?? defaultNow;
  const sleep = client.deps.sleep ?? defaultSleep;
  const signal = client.deps.signal;

  const started = now();
  const authorization = await requestDeviceCode(client, options);
  const lifetime = Math.min(authorization.expires_in, MAX_CODE_LIFETIME_SECONDS);
  const deadline = started + lifetime * 1000;
  const prompt: DeviceCodePrompt = {
    verificationUri: authorization.verification_uri,
    userCode: authorization.user_code,
    expiresIn: lifetime,
  };
  if (authorization.verification_uri_complete) {
    prompt.verificationUriComplete = authorization.verification_uri_complete;
  }
  await options.onUserCode(prompt);

  let interval = Math.min(
    authorization.interval ?? DEFAULT_INTERVAL_SECONDS,
    MAX_INTERVAL_SECONDS,
  );
  let failures: PollFailures | undefined;
  for (let polls = 0;; polls++) {
    const wait = interval * 1000 + POLL_SAFETY_MARGIN_MS;
    if (now() + wait >= deadline) throw codeExpired(undefined, failures);
    options.onPoll?.({ secondsLeft: Math.round((deadline - now()) / 1000), interval, polls });
    await sleep(wait, signal);
    try {
      return await tokenEndpointCall(client, async (auth) => {
        const response = await oauth.deviceCodeGrantRequest(
          client.as,
          client.client,
          auth,
          authorization.device_code,
          client.requestOptions,
        );
        return await processTokenResponse(
          client,
          (metadata) => oauth.processDeviceCodeResponse(client.as, metadata, response),
        );
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (!(error instanceof ClauthError)) throw error;
      if (error.oauthError === "authorization_pending") {
        if (failures) failures.inARow = 0;
        continue;
      }
      if (error.oauthError === "slow_down") {
        if (failures) failures.inARow = 0;
        interval += SLOW_DOWN_SECONDS;
        continue;
      }
      if (isTransient(error)) {
        // RFC 8628 §3.5: back off as for slow_down, and keep polling until the code expires.
        failures = { last: error, inARow: (failures?.inARow ?? 0) + 1 };
        interval += SLOW_DOWN_SECONDS;
        continue;
      }
      if (error.oauthError === "access_denied") {
        const denied = new ClauthError("denied", "The login was denied on the verification page.", {
          ...fieldsOf(error),
          cause: error,
        });
        throw options.scope ? denied : deniedWithoutScope(denied);
      }
      if (error.oauthError === "expired_token") throw codeExpired(error);
      throw error;
    }
  }
}

/**
 * A failure on the way rather than the server's answer: no answer at all (a timeout, a lost
 * connection), an HTTP 5xx or 429 without an OAuth error (or with a non-JSON body), or an
 * OAuth error that says the server is in trouble.
 */
function isTransient(error: ClauthError): boolean {
  if (error.code === "network") return true;
  if (error.oauthError !== undefined) return TRANSIENT_OAUTH_ERRORS.has(error.oauthError);
  const status = error.status ?? 0;
  return status >= 500 || status === 429;
}

/**
 * The code ran out: the server said so (`cause`, an `expired_token` answer) or the local
 * clock did. When polls failed on the way, the message says so and ends with the last failure.
 */
function codeExpired(cause?: ClauthError, failures?: PollFailures): ClauthError {
  const expired = "The device code expired before the login was approved";
  if (failures && failures.inARow > 0) {
    const polls = failures.inARow === 1 ? "poll" : `${failures.inARow} polls`;
    return new ClauthError(
      "expired",
      `${expired}, while polling the token endpoint failed (the last ${polls}). Last failure: ${failures.last.message} Run the login again once the server answers.`,
      { ...fieldsOf(failures.last), cause: failures.last },
    );
  }
  let message = `${expired}. Run the login again and approve it sooner.`;
  if (failures) message += ` (An earlier poll failed: ${failures.last.message})`;
  return new ClauthError("expired", message, {
    ...(cause ? fieldsOf(cause) : {}),
    cause: cause ?? failures?.last,
  });
}

/** Sends the device authorization request (RFC 8628 §3.1). */
async function requestDeviceCode(
  client: Client,
  options: Pick<DeviceCodeOptions, "scope" | "resource" | "audience">,
): Promise<oauth.DeviceAuthorizationResponse> {
  const parameters = new URLSearchParams();
  if (options.scope) parameters.set("scope", options.scope);
  for (const resource of options.resource ?? []) parameters.append("resource", resource);
  if (options.audience) parameters.set("audience", options.audience);
  const { result } = await authenticatedCall(
    client,
    "device_authorization_endpoint",
    "the device flow",
    async (auth) => {
      const response = await oauth.deviceAuthorizationRequest(
        client.as,
        client.client,
        auth,
        parameters,
        client.requestOptions,
      );
      return await oauth.processDeviceAuthorizationResponse(
        client.as,
        client.client,
        await tolerateOlderFieldNames(response),
      );
    },
  );
  return result;
}

/**
 * Some servers (Google's older endpoints) say `verification_url`, or send numbers as
 * strings. Rewrite those into RFC 8628 shape before oauth4webapi validates the response,
 * and refuse durations that are not a positive number of seconds.
 */
async function tolerateOlderFieldNames(response: Response): Promise<Response> {
  if (response.status !== 200) return response;
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text);
  } catch {
    return replaceBody(response, text);
  }
  if (typeof body !== "object" || body === null) return replaceBody(response, text);
  if (body.verification_uri === undefined && typeof body.verification_url === "string") {
    body.verification_uri = body.verification_url;
  }
  if (body.interval === null) delete body.interval; // "none given", as some servers say it
  if (body.interval !== undefined) body.interval = seconds(body, "interval");
  body.expires_in = seconds(body, "expires_in");
  return replaceBody(response, JSON.stringify(body));
}

/** `body[field]` as a positive, finite number of seconds (a numeric string counts). */
function seconds(body: Record<string, unknown>, field: "interval" | "expires_in"): number {
  const value = body[field];
  const number = typeof value === "number"
    ? value
    : typeof value === "string" && value.trim() !== ""
    ? Number(value)
    : NaN;
  if (Number.isFinite(number) && number > 0) return number;
  const what = field === "interval" ? "polling interval" : "device code lifetime";
  throw new ClauthError(
    "server",
    `The device authorization endpoint sent ${
      value === undefined ? `no ${field}` : `an unusable ${field} (${describeValue(value)})`
    }: the ${what} must be a positive number of seconds. The server does not follow RFC 8628; its operators can fix this.`,
    { status: 200, endpoint: "device_authorization" },
  );
}

/** What a refused value was, without repeating server text. */
function describeValue(value: unknown): string {
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof number === "number" && !Number.isNaN(number)) {
    return Number.isFinite(number) ? String(number) : "out of range";
  }
  if (typeof value === "string") return "a string that is not a number";
  if (value === null) return "null";
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}
