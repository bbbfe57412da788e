/**
 * What the Entra ID imitation (microsoft.ts) says on the wire: its error bodies with AADSTS
 * descriptions, its error pages, the resources scopes name, and the ID tokens it signs.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference
 */

import { type TestKey, testKey } from "../signing.ts";
import { SignJWT } from "jose";

/** Microsoft Graph, the resource of bare permissions (User.Read) and of userinfo. */
export const GRAPH = "https://graph.microsoft.com";
/** Graph's application ID, another name for it in scopes. */
const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
/** A web API registered in the home tenant, exposing `read` and `write`. */
export const MY_API = "api://my-api";
/** The resources this imitation knows; others are refused with AADSTS500011. */
export const KNOWN_RESOURCES = new Set([GRAPH, MY_API]);

const OIDC_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);

/**
 * The resource a scope is for ("if the resource identifier is omitted in the scope parameter,
 * the resource is assumed to be Microsoft Graph"); undefined for an OpenID Connect scope.
 */
export function resourceOfScope(scope: string): string | undefined {
  if (OIDC_SCOPES.has(scope.toLowerCase())) return undefined;
  const slash = scope.lastIndexOf("/");
  if (slash < 0) return GRAPH;
  const resource = scope.slice(0, slash).replace(/\/+$/, "");
  return resource.toLowerCase() === GRAPH_APP_ID ? GRAPH : resource;
}

/** The resources a space-separated scope names, in order, each once. */
export function resourcesOf(scope: string): string[] {
  const names = scope.split(" ").filter(Boolean).map(resourceOfScope);
  return [...new Set(names.filter((name): name is string => name !== undefined))];
}

/**
 * Why Entra refuses `scope` in a token request, or undefined: more than one resource
 * (AADSTS28000), or a resource's `.default` beside its own permissions (AADSTS70011: "Clients
 * can't combine static (.default) consent and dynamic consent in a single request").
 */
export function scopeRefusal(scope: string): { code: number; text: string } | undefined {
  const names = scope.split(" ").filter(Boolean);
  if (resourcesOf(scope).length > 1) {
    return {
      code: 28000,
      text:
        `Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`,
    };
  }
  const all = names.find((name) => name.endsWith("/.default"));
  if (all && names.some((name) => name !== all && resourceOfScope(name) !== undefined)) {
    return {
      code: 70011,
      text:
        `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid. static scope limit exceeded.`,
    };
  }
  return undefined;
}

/**
 * An Entra error body: the OAuth error, an AADSTS description ending with the trace and
 * correlation IDs and timestamp, and the same in their own fields.
 */
export function aadstsError(
  status: number,
  error: string,
  code: number,
  text: string,
  extra: Record<string, unknown> = {},
): Response {
  const traceId = crypto.randomUUID();
  const correlationId = crypto.randomUUID();
  const timestamp = new Date().toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
  return Response.json({
    error,
    error_description:
      `AADSTS${code}: ${text}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    ...extra,
  }, { status, headers: { "cache-control": "no-store, no-cache" } });
}

/**
 * The sign-in page's "Sorry, but we're having trouble signing you in": what Entra shows
 * instead of redirecting when it cannot trust the redirect URI (or the app).
 */
export function errorPage(code: number, text: string): Response {
  const message = `AADSTS${code}: ${text}`.replace(/[<>&]/g, " ");
  return new Response(
    `<!DOCTYPE html><html><body><h1>Sign in</h1><p>Sorry, but we're having trouble signing you in.</p><p>${message}</p></body></html>`,
    { status: 400, headers: { "content-type": "text/html; charset=utf-8" } },
  );
}

/** A redirect to the client with an error (the redirect URI was checked already). */
export function redirectError(
  redirectUri: string,
  state: string | null,
  error: string,
  code: number,
  text: string,
): Response {
  const url = new URL(redirectUri);
  url.searchParams.set("error", error);
  url.searchParams.set("error_description", `AADSTS${code}: ${text}`);
  if (state !== null) url.searchParams.set("state", state);
  return Response.redirect(url.href, 302);
}

let signingKey: Promise<TestKey> | undefined;

/** The imitation's RS256 key ("id_token_signing_alg_values_supported": ["RS256"]), made once. */
export function entraKey(): Promise<TestKey> {
  return signingKey ??= testKey(`entra-${crypto.randomUUID().slice(0, 8)}`, "RS256");
}

/**
 * Entra's JWKS: its keys carry no `alg`, but an `issuer` ("Keys that have an issuer value
 * like https://login.microsoftonline.com/{tenantid}/v2.0 may be used with any matching token
 * issuer").
 */
export async function jwks(origin: string): Promise<Response> {
  const { alg: _alg, ...jwk } = (await entraKey()).jwk;
  return Response.json({ keys: [{ ...jwk, issuer: `${origin}/{tenantid}/v2.0` }] });
}

/** Signs an ID token (RS256, the key's kid) with `claims`. */
export async function signIdToken(claims: Record<string, unknown>): Promise<string> {
  const key = await entraKey();
  return await new SignJWT(claims)
    .setProtectedHeader({ typ: "JWT", alg: "RS256", kid: key.kid })
    .sign(key.privateKey);
}

/** An opaque token of RFC 6750 characters. */
export function opaqueToken(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `${prefix}.${bytes.toBase64({ alphabet: "base64url", omitPadding: true })}`;
}

/** The pairwise `sub` of a user for an app: "unique to a particular application ID". */
export async function pairwiseSubject(oid: string, clientId: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(`${oid}:${clientId}`),
  );
  return new Uint8Array(digest).toBase64({ alphabet: "base64url", omitPadding: true }).slice(0, 43);
}
