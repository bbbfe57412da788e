/**
 * The Device Authorization Grant (RFC 8628): for SSH sessions, containers and machines
 * without a browser. The CLI shows a short code, the user approves on another device, and
 * the CLI polls the token endpoint until the server answers.
 *
 * Polling follows §3.5 exactly: wait `interval` (5 s when absent) between polls, plus a small
 * safety margin so a slow local clock never polls early; `slow_down` adds 5 s for good;
 * `authorization_pending` continues; `access_denied` and `expired_token` stop; so does the
 * code's own `expires_in`, measured locally.
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
import { fieldsOf } from "../protocol/oauth_errors.ts";

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
}

/** Seconds between polls when the server does not say (RFC 8628 §3.2). */
export const DEFAULT_INTERVAL_SECONDS = 5;
/** Added to each wait so that clock drift never makes us poll early. */
export const POLL_SAFETY_MARGIN_MS = 250;
/** Added to the interval on every `slow_down` (RFC 8628 §3.5). */
export const SLOW_DOWN_SECONDS = 5;

/**
 * Runs the device flow to the end and returns the token response.
 *
 * Fails with ClauthError `denied` (the user said no), `expired` (the code ran out), or
 * rejects with the abort reason when `client.deps.signal` aborts (Ctrl-C), at once.
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
  const authorization = await requestDeviceCode(client, options.scope);
  const deadline = started + authorization.expires_in * 1000;
  const prompt: DeviceCodePrompt = {
    verificationUri: authorization.verification_uri,
    userCode: authorization.user_code,
    expiresIn: authorization.expires_in,
  };
  if (authorization.verification_uri_complete) {
    prompt.verificationUriComplete = authorization.verification_uri_complete;
  }
  await options.onUserCode(prompt);

  let interval = authorization.interval ?? DEFAULT_INTERVAL_SECONDS;
  for (let polls = 0;; polls++) {
    const wait = interval * 1000 + POLL_SAFETY_MARGIN_MS;
    if (now() + wait >= deadline) throw codeExpired();
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
      if (!(error instanceof ClauthError)) throw error;
      if (error.oauthError === "authorization_pending") continue;
      if (error.oauthError === "slow_down") {
        interval += SLOW_DOWN_SECONDS;
        continue;
      }
      if (error.oauthError === "access_denied") {
        throw new ClauthError("denied", "The login was denied on the verification page.", {
          ...fieldsOf(error),
          cause: error,
        });
      }
      if (error.oauthError === "expired_token") throw codeExpired(error);
      throw error;
    }
  }
}

function codeExpired(cause?: ClauthError): ClauthError {
  return new ClauthError(
    "expired",
    "The device code expired before the login was approved. Run the login again and approve it sooner.",
    { ...(cause ? fieldsOf(cause) : {}), cause },
  );
}

/** Sends the device authorization request (RFC 8628 §3.1). */
async function requestDeviceCode(
  client: Client,
  scope: string | undefined,
): Promise<oauth.DeviceAuthorizationResponse> {
  const parameters = new URLSearchParams();
  if (scope) parameters.set("scope", scope);
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
 * strings. Rewrite those into RFC 8628 shape before oauth4webapi validates the response.
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
  if (typeof body.interval === "string" && Number(body.interval) > 0) {
    body.interval = Number(body.interval);
  }
  return replaceBody(response, JSON.stringify(body));
}
