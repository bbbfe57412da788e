/**
 * Checking an authorization response, whether it reached the loopback listener or the user
 * pasted the address the browser ended on: state, the RFC 9207 issuer, and server errors.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import { ClauthError } from "../../errors.ts";
import type { Client } from "../protocol/client.ts";
import { safeText } from "../protocol/safe_text.ts";
import { settingNamedBy } from "../protocol/oauth_errors.ts";

/**
 * Reads the address a person pastes when no browser could come back to the listener: resolves
 * with the pasted text; `problem` says why the previous paste was refused.
 */
export type PastedRedirectReader = (signal: AbortSignal, problem?: string) => Promise<string>;

/** Reads pasted addresses until one belongs to this login, then validates it as a callback. */
export async function readPasted(
  read: PastedRedirectReader,
  redirectUri: string,
  state: string,
  validate: (url: URL) => URLSearchParams,
  signal: AbortSignal,
): Promise<URLSearchParams> {
  let problem: string | undefined;
  for (;;) {
    const text = (await read(signal, problem)).trim();
    const url = parsePasted(text, redirectUri);
    if (!url) {
      problem =
        "That is not the address the browser ended on. Paste the whole address, starting with http://";
    } else if (!url.searchParams.has("state")) {
      problem =
        "That address has no state parameter. Paste the whole address the browser shows after signing in.";
    } else if (url.searchParams.getAll("state").join() !== state) {
      problem =
        "That address belongs to another login (its state does not match). Paste the address from the link printed last.";
    } else {
      return validate(url);
    }
  }
}

function parsePasted(text: string, redirectUri: string): URL | undefined {
  if (text === "") return undefined;
  try {
    return new URL(text);
  } catch {
    // A bare query ("code=...&state=...") is fine too.
    if (!text.includes("=") || /\s/.test(text)) return undefined;
    return new URL(`?${text.replace(/^\?/, "")}`, redirectUri);
  }
}

/**
 * Checks an authorization response (from the listener or pasted) and returns its parameters:
 * state, RFC 9207 issuer, and server errors, all as ClauthErrors. Never quotes the code.
 */
export function validateCallback(client: Client, url: URL, state: string): URLSearchParams {
  let parameters: URLSearchParams;
  try {
    parameters = oauth.validateAuthResponse(client.as, client.client, url, state);
  } catch (error) {
    throw authorizationResponseError(client, url, state, error);
  }
  if (!parameters.get("code")) {
    throw new ClauthError(
      "server",
      "The authorization response has neither a code nor an error: clauth cannot continue.",
    );
  }
  return parameters;
}

function authorizationResponseError(
  client: Client,
  url: URL,
  expectedState: string,
  error: unknown,
): ClauthError {
  const endpoint = "authorization";
  if (error instanceof oauth.AuthorizationResponseError) {
    const description = error.error_description ? ` (${safeText(error.error_description)})` : "";
    const fields = { cause: error, oauthError: error.error, endpoint } as const;
    if (error.error === "access_denied") {
      return new ClauthError(
        "denied",
        `The login was denied at the authorization server: access_denied${description}.`,
        fields,
      );
    }
    const setting = settingNamedBy(error.error, error.error_description);
    return new ClauthError(
      "server",
      `The authorization server refused the login: ${safeText(error.error)}${description}.`,
      setting ? { ...fields, setting } : fields,
    );
  }
  if (
    error instanceof oauth.OperationProcessingError && error.code === oauth.INVALID_RESPONSE
  ) {
    const iss = url.searchParams.getAll("iss");
    const issuer = client.as.issuer;
    // oauth4webapi checks iss (RFC 9207) before state; its error says which only in words.
    const badIss = iss.length > 1 ||
      (iss.length === 0
        ? client.as.authorization_response_iss_parameter_supported === true
        : iss[0] !== issuer);
    if (badIss) {
      return new ClauthError(
        "server",
        iss[0] === undefined
          ? `The authorization response has no iss parameter, although ${issuer} advertises authorization_response_iss_parameter_supported (RFC 9207). The login was refused.`
          : `The authorization response names another issuer: iss is ${
            safeText(iss.join(", "))
          }, expected ${issuer}. The login was refused: the response may not come from your server (RFC 9207 mix-up protection).`,
        { cause: error, endpoint },
      );
    }
    const state = url.searchParams.getAll("state");
    if (state.length !== 1 || state[0] !== expectedState) {
      return new ClauthError(
        "usage",
        "The authorization response does not belong to this login (its state does not match).",
        { cause: error, endpoint },
      );
    }
  }
  return new ClauthError(
    "server",
    `The authorization response cannot be used: ${
      error instanceof Error ? error.message : String(error)
    }.`,
    { cause: error, endpoint },
  );
}
