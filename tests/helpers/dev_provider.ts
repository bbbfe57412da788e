/** Helpers for tests that run against the dev provider (started in-process). */

import { type DevProvider, type DevProviderOptions, startDevProvider } from "../../dev/provider.ts";
import { type CliHome, profileHome } from "./cli.ts";
import { approveDeviceCode } from "../../dev/device_approval.ts";

/** A device polling interval (seconds) that keeps whole device-flow tests quick. */
export const QUICK_POLL = 0.2;

export const SERVICE_AUTH = `Basic ${btoa("demo-service:demo-service-secret")}`;
export const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
export const EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/** Starts a provider, runs `fn`, and always closes the provider. */
export async function withProvider(
  options: DevProviderOptions,
  fn: (idp: DevProvider) => void | Promise<void>,
): Promise<void> {
  const idp = await startDevProvider(options);
  try {
    await fn(idp);
  } finally {
    await idp.close();
  }
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** POSTs a form and returns the parsed JSON answer. */
export async function postForm(
  url: string,
  fields: Record<string, string | string[]>,
  authorization?: string,
): Promise<JsonResponse> {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  }
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (authorization) headers.authorization = authorization;
  const response = await fetch(url, { method: "POST", headers, body });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

export function token(idp: DevProvider, fields: Record<string, string | string[]>, auth?: string) {
  return postForm(`${idp.issuer}/token`, fields, auth);
}

export function introspect(idp: DevProvider, value: string, auth = SERVICE_AUTH) {
  return postForm(`${idp.issuer}/token/introspection`, { token: value }, auth);
}

export function str(value: unknown): string {
  if (typeof value !== "string") throw new Error(`expected a string, got ${JSON.stringify(value)}`);
  return value;
}

/** A loopback redirect_uri listener, like clauth's: answers 200 and records the callback URL. */
export function callbackListener() {
  const received: URL[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const url = new URL(request.url);
    if (url.pathname !== "/callback") return new Response("not found", { status: 404 });
    received.push(url);
    return new Response("You can close this window.", { status: 200 });
  });
  return {
    redirectUri: `http://127.0.0.1:${server.addr.port}/callback`,
    received,
    close: () => server.shutdown(),
  };
}

export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = crypto.getRandomValues(new Uint8Array(32)).toBase64({
    alphabet: "base64url",
    omitPadding: true,
  });
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)),
  );
  return { verifier, challenge: digest.toBase64({ alphabet: "base64url", omitPadding: true }) };
}

export function authorizationUrl(
  idp: DevProvider,
  redirectUri: string,
  challenge: string,
  extra: Record<string, string> = {},
): string {
  const url = new URL(`${idp.issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: "demo-cli",
    redirect_uri: redirectUri,
    response_type: "code",
    scope: "openid profile email offline_access api:read",
    prompt: "consent",
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "state-123",
    ...extra,
  }).toString();
  return url.href;
}

/**
 * A CLI home with one client-credentials profile for demo-service (secret in
 * CLAUTH_CLIENT_SECRET), selected through CLAUTH_PROFILE.
 */
export function serviceHome(
  issuer: string,
  options: { name?: string; scope?: string; env?: Record<string, string> } = {},
): Promise<CliHome> {
  const profile: Record<string, string> = {
    issuer,
    client_id: "demo-service",
    flow: "client-credentials",
  };
  if (options.scope) profile.scope = options.scope;
  return profileHome(options.name ?? "ci", profile, {
    CLAUTH_CLIENT_SECRET: "demo-service-secret",
    ...options.env,
  });
}

/** alice's access token for demo-cli, through the device flow (needs autoApprove). */
export async function aliceToken(
  idp: DevProvider,
  scope = "openid api:read api:write",
): Promise<string> {
  const { body } = await postForm(`${idp.issuer}/device/auth`, { client_id: "demo-cli", scope });
  await approveDeviceCode(str(body.verification_uri_complete));
  const tokens = await token(idp, {
    grant_type: DEVICE_GRANT,
    device_code: str(body.device_code),
    client_id: "demo-cli",
  });
  return str(tokens.body.access_token);
}
