/**
 * The browser login: Authorization Code with PKCE, answered on a loopback redirect URI.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import type { Acquisition } from "../../acquisition.ts";
import { ClauthError } from "../../errors.ts";
import { type Client, requireEndpoint, tokenEndpointCall } from "../protocol/client.ts";
import { defaultSleep } from "../protocol/dependencies.ts";
import { processTokenResponse } from "../tokens/id_token.ts";
import { type LoopbackListener, startLoopbackListener } from "./loopback_listener.ts";
import { type ParPolicy, pushAuthorizationRequest, usePar } from "./pushed_authorization.ts";
import {
  type PastedRedirectReader,
  readPasted,
  validateCallback,
} from "./authorization_response.ts";
import { deniedWithoutScope } from "../protocol/oauth_errors.ts";

/** How long a browser login may take, start to tokens, unless told otherwise. */
export const DEFAULT_LOGIN_TIMEOUT_MS = 5 * 60_000;

/** Parameters clauth sets itself; `extraParameters` may not replace them. */
const RESERVED_PARAMETERS = new Set([
  "client_id",
  "redirect_uri",
  "response_type",
  "response_mode",
  "scope",
  "state",
  "nonce",
  "code_challenge",
  "code_challenge_method",
  "request",
  "request_uri",
  "resource",
  "audience",
  "max_age",
  "dpop_jkt",
]);

/** Options for {@linkcode authorizationCodeFlow}. */
export interface AuthorizationCodeOptions {
  /** Space-separated scopes. `openid` adds a nonce; `offline_access` adds `prompt=consent`. */
  scope?: string;
  /**
   * Loopback redirect URIs to try in order (the first free port wins). Default:
   * `http://127.0.0.1:<free port>/callback`.
   */
  redirectUris?: string[];
  /**
   * Opens the authorization URL in a browser; resolves false when none could be opened.
   * Called only once the listener is listening; the flow does not wait for it to finish.
   */
  openBrowser: (url: string) => Promise<boolean>;
  /** Receives the authorization URL before the browser is opened (the CLI prints it). */
  onAuthorizationUrl?: (url: string) => void;
  /**
   * Headless fallback, used when `openBrowser` resolves false: resolves with the address the
   * browser ended on (the user opened the URL elsewhere and pastes what the address bar shows).
   * It races the listener; `signal` aborts when the flow is over. When a pasted address does
   * not belong to this login (not a URL, wrong or missing `state`), it is called again with
   * `problem` saying why; a pasted address with the right state is final, like a callback.
   * A rejection ends the flow with that error.
   */
  readPastedRedirect?: PastedRedirectReader;
  /** The whole login, browser to tokens, in milliseconds (default 5 minutes). */
  timeoutMs?: number;
  /**
   * More authorization request parameters (`login_hint`, `acr_values`, ...). A `prompt` here
   * replaces the `prompt=consent` that `offline_access` adds.
   */
  extraParameters?: Record<string, string>;
  /** Resource indicators (RFC 8707): sent with the authorization and the token request. */
  resource?: string[];
  /** An `audience`, for servers that take one (Auth0). */
  audience?: string;
  /**
   * `max_age` in seconds (OIDC Core §3.1.2.1): the server must have authenticated the user
   * within it, and the ID token's `auth_time` is checked against it.
   */
  maxAge?: number;
  /**
   * Pushed authorization requests (RFC 9126): "auto" (the default) uses them whenever the
   * server has a PAR endpoint, "always" also when it does not advertise one as required
   * (servers that require PAR per client without saying so), "never" not at all.
   */
  par?: ParPolicy;
}

/** What the browser login returns: the tokens, plus the nonce it checked (with `openid`). */
export interface AuthorizationCodeResult extends Acquisition {
  /** The nonce sent with `openid` and found in the ID token; undefined without `openid`. */
  nonce?: string;
}

/**
 * Logs a person in through their browser and returns the tokens.
 *
 * Always uses PKCE (S256) and `state`; sends a `nonce` when `openid` is requested and checks
 * it in the ID token; asks for `prompt=consent` with `offline_access` (OIDC Core §11); checks
 * the RFC 9207 `iss` response parameter when the server sends or advertises it; uses pushed
 * authorization requests when the server requires them. The browser is opened only once the
 * loopback listener is listening, and the whole login runs under one timeout ("expired").
 *
 * @example Log in with the user's browser
 * ```ts
 * import assert from "node:assert/strict";
 * import { authorizationCodeFlow, createClient } from "@clauth/clauth";
 * // The dev provider stands in for your server, and its scripted browser for the user's:
 * import { startDevProvider } from "../../dev/provider.ts";
 * import { followAuthorization } from "../../dev/browser.ts";
 *
 * const idp = await startDevProvider({ autoApprove: true });
 * const client = await createClient({ issuer: idp.issuer, clientId: "demo-cli" });
 * const { response, nonce } = await authorizationCodeFlow(client, {
 *   scope: "openid offline_access",
 *   // Print it too: whoever's browser does not open can copy it.
 *   onAuthorizationUrl: (url) => console.error(`Opening ${url}`),
 *   // Yours runs the system's opener (xdg-open, open, start) and resolves false when none
 *   // started; then the printed URL is the way.
 *   openBrowser: async (url) => (await followAuthorization(url)).status === 200,
 * });
 * assert.ok(response.id_token && nonce); // the ID token is verified, its nonce checked
 * assert.ok(response.refresh_token); // offline_access: the login outlives the access token
 * await idp.close();
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1
 * @see https://www.rfc-editor.org/rfc/rfc7636
 * @see https://www.rfc-editor.org/rfc/rfc8252
 * @see https://www.rfc-editor.org/rfc/rfc9207
 * @see https://www.rfc-editor.org/rfc/rfc9126
 */
export async function authorizationCodeFlow(
  client: Client,
  options: AuthorizationCodeOptions,
): Promise<AuthorizationCodeResult> {
  const authorizationEndpoint = requireEndpoint(
    client,
    "authorization_endpoint",
    "the browser login",
  );
  checkExtraParameters(options.extraParameters ?? {});
  const { deps } = client;
  if (deps.signal?.aborted) throw deps.signal.reason;

  // One signal for the whole login: Ctrl-C, the timeout, or the end of the flow.
  const flow = new AbortController();
  const onCancel = () => flow.abort(deps.signal?.reason);
  deps.signal?.addEventListener("abort", onCancel, { once: true });
  const aborted = new Promise<never>((_, reject) => {
    flow.signal.addEventListener("abort", () => reject(flow.signal.reason), { once: true });
  });
  aborted.catch(() => {});
  const timer = new AbortController();
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS;
  (deps.sleep ?? defaultSleep)(timeoutMs, timer.signal).then(
    () => flow.abort(timedOut(timeoutMs)),
    () => {},
  );

  const state = oauth.generateRandomState();
  const validate = (url: URL) => {
    try {
      return validateCallback(client, url, state);
    } catch (error) {
      const unscoped = !options.scope && error instanceof ClauthError && error.code === "denied";
      throw unscoped ? deniedWithoutScope(error) : error;
    }
  };
  let listener: LoopbackListener | undefined;
  try {
    listener = await startLoopbackListener({
      expectedState: state,
      check: validate,
      signal: flow.signal,
      ...(options.redirectUris ? { redirectUris: options.redirectUris } : {}),
    });
    const login = { authorizationEndpoint, listener, state, validate, signal: flow.signal };
    return await Promise.race([browserLogin(client, options, login), aborted]);
  } finally {
    timer.abort();
    deps.signal?.removeEventListener("abort", onCancel);
    if (!flow.signal.aborted) flow.abort(new DOMException("The login is over.", "AbortError"));
    await listener?.close();
  }
}

/** One login attempt in progress. */
interface Login {
  authorizationEndpoint: string;
  listener: LoopbackListener;
  state: string;
  /** Checks a callback URL; throws ClauthErrors. */
  validate: (url: URL) => URLSearchParams;
  /** Aborts when the login is over (done, timed out, cancelled). */
  signal: AbortSignal;
}

async function browserLogin(
  client: Client,
  options: AuthorizationCodeOptions,
  { authorizationEndpoint, listener, state, validate, signal }: Login,
): Promise<AuthorizationCodeResult> {
  const scopes = (options.scope ?? "").split(" ").filter(Boolean);
  const verifier = oauth.generateRandomCodeVerifier();
  const nonce = scopes.includes("openid") ? oauth.generateRandomNonce() : undefined;
  const parameters = new URLSearchParams({
    client_id: client.client.client_id,
    redirect_uri: listener.redirectUri,
    response_type: "code",
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
  });
  if (options.scope) parameters.set("scope", options.scope);
  if (nonce) parameters.set("nonce", nonce);
  // OIDC Core §11: servers issue refresh tokens for offline_access only after consent.
  if (scopes.includes("offline_access")) parameters.set("prompt", "consent");
  for (const [name, value] of Object.entries(options.extraParameters ?? {})) {
    parameters.set(name, value);
  }
  for (const resource of options.resource ?? []) parameters.append("resource", resource);
  if (options.audience) parameters.set("audience", options.audience);
  if (options.maxAge !== undefined) parameters.set("max_age", String(options.maxAge));
  // RFC 9449 §10: binds the code to the key, so only its holder can redeem it.
  if (client.dpop) parameters.set("dpop_jkt", client.dpop.key.jkt);

  const url = new URL(authorizationEndpoint);
  const requestParameters = usePar(client, options.par ?? "auto")
    ? await pushAuthorizationRequest(client, parameters, signal, options.par === "always")
    : parameters;
  for (const [name, value] of requestParameters) url.searchParams.set(name, value);

  options.onAuthorizationUrl?.(url.href);
  const pasted = Promise.resolve()
    .then(() => options.openBrowser(url.href))
    .catch(() => false)
    .then((opened) =>
      opened || !options.readPastedRedirect
        ? new Promise<never>(() => {})
        : readPasted(options.readPastedRedirect, listener.redirectUri, state, validate, signal)
    );
  const callbackParameters = await Promise.race([
    listener.callback.then(validate),
    pasted,
  ]);

  // RFC 8707 §2.2: the resources again, for the token itself.
  const tokenParameters = new URLSearchParams();
  for (const resource of options.resource ?? []) tokenParameters.append("resource", resource);
  const result = await tokenEndpointCall(client, async (auth) => {
    const response = await oauth.authorizationCodeGrantRequest(
      client.as,
      client.client,
      auth,
      callbackParameters,
      listener.redirectUri,
      verifier,
      { ...client.requestOptions, signal, additionalParameters: tokenParameters },
    );
    return await processTokenResponse(
      client,
      (metadata) =>
        oauth.processAuthorizationCodeResponse(client.as, metadata, response, {
          ...(nonce ? { expectedNonce: nonce, requireIdToken: true } : {}),
          ...(options.maxAge === undefined ? {} : { maxAge: options.maxAge }),
        }),
    );
  });
  return nonce ? { ...result, nonce } : result;
}

function checkExtraParameters(extra: Record<string, string>): void {
  const reserved = Object.keys(extra).filter((name) => RESERVED_PARAMETERS.has(name));
  if (reserved.length > 0) {
    throw new ClauthError(
      "usage",
      `clauth sets ${reserved.join(", ")} itself; remove ${
        reserved.length === 1 ? "it" : "them"
      } from the extra authorization parameters.`,
    );
  }
}

function timedOut(timeoutMs: number): ClauthError {
  const minutes = timeoutMs / 60_000;
  const span = Number.isInteger(minutes)
    ? `${minutes} minute${minutes === 1 ? "" : "s"}`
    : timeoutMs < 1000
    ? `${timeoutMs} ms`
    : `${Math.round(timeoutMs / 1000)} s`;
  return new ClauthError(
    "expired",
    `The login timed out: no answer came back from the browser within ${span}. Run the login again.`,
  );
}
