/**
 * A small protected resource (an API) for tests, on 127.0.0.1: it accepts access tokens from
 * the dev provider with the Bearer scheme (RFC 6750) or the DPoP scheme with a proof
 * (RFC 9449), checks them by introspection (RFC 7662) as demo-service, and records every
 * request (never a token).
 *
 * Choices where the RFCs leave room:
 * - Every route needs a token; a request without one gets 401 and both challenges
 *   (`Bearer, DPoP algs="..."`, RFC 9449 §7.2), without an error code (RFC 6750 §3.1).
 * - A token that is not DPoP-bound, sent with the DPoP scheme, is refused (401
 *   `DPoP error="invalid_token"`) even with a valid proof: the DPoP scheme is the one for
 *   DPoP-bound tokens (RFC 9449 §7.1), and oidc-provider's own resources refuse it the same
 *   way, so a client that got `token_type` Bearer must send Bearer.
 * - A DPoP-bound token sent with the Bearer scheme is refused (RFC 9449 §7.2 "MUST reject")
 *   with a DPoP challenge, so the client learns which scheme to use.
 * - Introspection is asked on every request (no cache), so a token revoked at the provider
 *   stops working here at once, as at a strict resource server.
 *
 * @module
 */

import { CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET } from "../../dev/_constants.ts";
import { checkDPoPProof, PROOF_ALGORITHMS, PROOF_WINDOW_SECONDS } from "./dpop_proof_check.ts";

export interface ResourceServerOptions {
  /** The dev provider's issuer: access tokens are checked by introspection there, authenticated as demo-service (client_secret_basic, secret "demo-service-secret"), which may introspect any token. */
  issuer: string;
  /** Require a server nonce in DPoP proofs (RFC 9449 §9): a proof without the current nonce gets 401 WWW-Authenticate: DPoP error="use_dpop_nonce" and a DPoP-Nonce header. */
  requireNonce?: boolean;
  /** The clock proofs' `iat` is checked against, in milliseconds (default `Date.now`). */
  now?: () => number;
}

export interface ResourceRequestRecord {
  method: string;
  /** The URL's path only: a query could carry a token (RFC 6750 §2.3). */
  path: string;
  scheme: "Bearer" | "DPoP" | "none" | "other";
  /** "valid", "missing" (no DPoP header), "not checked" (Bearer scheme), or why it was refused. */
  proof: "valid" | "missing" | string;
  status: number;
  /** Why the request was refused (the error_description sent), when it was. */
  refusal?: string;
}

export interface ResourceServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every request, in order. */
  requests: ResourceRequestRecord[];
  /** Makes the server answer 401 error="invalid_token" for this access token from now on (a token revoked or expired at the resource), so clients' refresh-and-retry can be tested. */
  refuse(accessToken: string): void;
  /** Replaces the current DPoP nonce: proofs with the old one get use_dpop_nonce (RFC 9449 §9). */
  rotateNonce(): void;
  close(): Promise<void>;
}

/** What the provider's introspection endpoint says about a token (RFC 7662 §2.2). */
interface Introspection {
  active: boolean;
  sub?: string;
  scope?: string;
  client_id?: string;
  token_type?: string;
  cnf?: { jkt?: string };
}

/** A refusal: the status, the challenge and the reason recorded (and sent as description). */
class Refusal {
  constructor(
    readonly status: number,
    readonly scheme: "Bearer" | "DPoP" | "both",
    readonly error: string | undefined,
    readonly description: string | undefined,
  ) {}
}

const DPOP_ALGS = `algs="${PROOF_ALGORITHMS.join(" ")}"`;
const SERVICE_AUTH = `Basic ${btoa(`${CONFIDENTIAL_CLIENT_ID}:${CONFIDENTIAL_CLIENT_SECRET}`)}`;

/** Starts the server on a free port of 127.0.0.1 once the provider's metadata is read. */
export async function startResourceServer(
  options: ResourceServerOptions,
): Promise<ResourceServer> {
  const now = options.now ?? Date.now;
  const introspectionEndpoint = await discoverIntrospection(options.issuer);
  const requests: ResourceRequestRecord[] = [];
  const refused = new Set<string>();
  /** Proof ids already used, with their iat: kept while a replay would still be on time. */
  const seenJti = new Map<string, number>();
  let nonce = newNonce();

  async function introspect(token: string): Promise<Introspection> {
    const response = await fetch(introspectionEndpoint, {
      method: "POST",
      headers: {
        authorization: SERVICE_AUTH,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: new URLSearchParams({ token }),
    });
    if (!response.ok) throw new Error(`introspection answered ${response.status}`);
    return await response.json() as Introspection;
  }

  /** Checks the credentials; returns the token's introspection or throws a Refusal. */
  async function authenticate(
    request: Request,
    scheme: ResourceRequestRecord["scheme"],
    token: string,
    record: ResourceRequestRecord,
  ): Promise<Introspection> {
    if (scheme === "none" || scheme === "other") {
      throw new Refusal(401, "both", undefined, undefined);
    }
    if (token === "") throw new Refusal(400, scheme, "invalid_request", "no access token");

    if (scheme === "DPoP") {
      const nowSeconds = Math.floor(now() / 1000);
      const check = await checkDPoPProof(request.headers.get("dpop"), {
        method: request.method,
        url: request.url,
        accessToken: token,
        nowSeconds,
      });
      if (!check.ok) {
        record.proof = check.reason;
        throw new Refusal(401, "DPoP", "invalid_dpop_proof", `DPoP proof ${check.reason}`);
      }
      // RFC 9449 §11.1: a proof is good once; remember ids while their iat is in the window.
      for (const [jti, iat] of seenJti) {
        if (iat < nowSeconds - PROOF_WINDOW_SECONDS) seenJti.delete(jti);
      }
      if (seenJti.has(check.proof.jti)) {
        record.proof = "replayed (jti seen before)";
        throw new Refusal(401, "DPoP", "invalid_dpop_proof", "DPoP proof replayed");
      }
      seenJti.set(check.proof.jti, check.proof.iat);
      // RFC 9449 §9: the nonce this server gave out (every response carries the current one).
      if (options.requireNonce && check.proof.nonce !== nonce) {
        record.proof = check.proof.nonce === undefined ? "nonce missing" : "nonce not current";
        throw new Refusal(401, "DPoP", "use_dpop_nonce", "Resource server requires a nonce");
      }
      record.proof = "valid";
      const info = await activeToken(token, "DPoP");
      // RFC 9449 §7.1 and §6: the proof's key must be the one the token is bound to.
      if (!info.cnf?.jkt) {
        throw new Refusal(401, "DPoP", "invalid_token", "token is not DPoP-bound");
      }
      if (info.cnf.jkt !== check.proof.thumbprint) {
        record.proof = "key does not match the token's cnf.jkt";
        throw new Refusal(401, "DPoP", "invalid_token", "DPoP key binding mismatch");
      }
      return info;
    }

    record.proof = request.headers.has("dpop") ? "not checked" : "missing";
    const info = await activeToken(token, "Bearer");
    // RFC 9449 §7.2: a DPoP-bound token used as a bearer token is refused.
    if (info.cnf?.jkt) throw new Refusal(401, "DPoP", "invalid_token", "token is DPoP-bound");
    return info;
  }

  async function activeToken(token: string, scheme: "Bearer" | "DPoP"): Promise<Introspection> {
    if (refused.has(token)) throw new Refusal(401, scheme, "invalid_token", "token refused");
    const info = await introspect(token);
    if (info.active !== true) throw new Refusal(401, scheme, "invalid_token", "token inactive");
    return info;
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const { scheme, token } = readAuthorization(request.headers.get("authorization"));
    const record: ResourceRequestRecord = {
      method: request.method,
      path: url.pathname,
      scheme,
      proof: request.headers.has("dpop") ? "not checked" : "missing",
      status: 0,
    };
    requests.push(record);
    let response: Response;
    try {
      const info = await authenticate(request, scheme, token, record);
      response = await route(request, url, info);
    } catch (error) {
      if (error instanceof Refusal) {
        if (error.description) record.refusal = error.description;
        response = challenge(error);
      } else {
        // The provider failed us (introspection down): say so instead of Deno's bare 500.
        record.refusal = error instanceof Error ? error.message : String(error);
        response = Response.json({ error: "server_error" }, { status: 500 });
      }
    }
    if (options.requireNonce) response.headers.set("dpop-nonce", nonce);
    record.status = response.status;
    return response;
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handle);
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    refuse: (accessToken) => void refused.add(accessToken),
    rotateNonce: () => void (nonce = newNonce()),
    close: () => server.shutdown(),
  };
}

/** The API's routes, reached with a usable token. */
async function route(request: Request, url: URL, info: Introspection): Promise<Response> {
  const { pathname, searchParams } = url;
  if (pathname === "/me" && request.method === "GET") {
    return Response.json({
      sub: info.sub ?? null,
      scope: info.scope ?? null,
      client_id: info.client_id ?? null,
      token_type: info.token_type ?? null,
    });
  }
  if (pathname === "/echo") {
    return Response.json({
      method: request.method,
      body: await request.text(),
      content_type: request.headers.get("content-type"),
    });
  }
  const status = /^\/status\/(\d{3})$/.exec(pathname)?.[1];
  if (status) {
    const code = Number(status);
    if (code < 200 || code > 599) {
      return Response.json({ error: "status out of range" }, { status: 400 });
    }
    // These statuses have no body (RFC 9110 §15.3.5, §15.3.6, §15.4.5).
    if ([204, 205, 304].includes(code)) return new Response(null, { status: code });
    return Response.json({ status: code }, { status: code });
  }
  const to = searchParams.get("to");
  if (pathname === "/redirect" && request.method === "GET" && to && URL.parse(to)) {
    return new Response(null, { status: 302, headers: { location: to } });
  }
  // Same origin only: an absolute path, not a scheme-relative "//host/...".
  if (
    pathname === "/redirect-same" && request.method === "GET" && to?.startsWith("/") &&
    !to.startsWith("//") && !to.startsWith("/\\")
  ) {
    return new Response(null, { status: 302, headers: { location: new URL(to, url).href } });
  }
  return Response.json({ error: "not found" }, { status: 404 });
}

/** Splits `Authorization` into its scheme (case-insensitive, RFC 9110 §11.1) and token. */
function readAuthorization(
  header: string | null,
): { scheme: ResourceRequestRecord["scheme"]; token: string } {
  if (header === null) return { scheme: "none", token: "" };
  const match = /^(\S+)(?:\s+(.*))?$/.exec(header.trim());
  const name = match?.[1]?.toLowerCase();
  const token = match?.[2]?.trim() ?? "";
  if (name === "bearer") return { scheme: "Bearer", token };
  if (name === "dpop") return { scheme: "DPoP", token };
  return { scheme: "other", token: "" };
}

/** The 401/400 answer with its WWW-Authenticate challenge (RFC 6750 §3, RFC 9449 §7.1). */
function challenge(refusal: Refusal): Response {
  const params: string[] = [];
  if (refusal.error) params.push(`error="${refusal.error}"`);
  if (refusal.description) params.push(`error_description="${refusal.description}"`);
  let value: string;
  if (refusal.scheme === "both") value = `Bearer, DPoP ${DPOP_ALGS}`;
  else if (refusal.scheme === "DPoP") value = `DPoP ${[...params, DPOP_ALGS].join(", ")}`;
  else value = `Bearer ${params.join(", ")}`;
  const body = refusal.error ? { error: refusal.error } : { error: "unauthorized" };
  return Response.json(body, {
    status: refusal.status,
    headers: { "www-authenticate": value },
  });
}

async function discoverIntrospection(issuer: string): Promise<string> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`discovery at ${issuer} answered ${response.status}`);
  const metadata = await response.json() as { introspection_endpoint?: unknown };
  if (typeof metadata.introspection_endpoint !== "string") {
    throw new Error(`${issuer} advertises no introspection_endpoint`);
  }
  return metadata.introspection_endpoint;
}

function newNonce(): string {
  return crypto.getRandomValues(new Uint8Array(16)).toBase64({
    alphabet: "base64url",
    omitPadding: true,
  });
}
