/**
 * One OpenID provider imitation on 127.0.0.1 (port 0), run by a {@linkcode Dialect}: the
 * endpoints clauth uses, each validating what the real server validates (client, redirect
 * URI, PKCE, secrets, DPoP proofs, pushed requests), and answering in the provider's words.
 * The authorization endpoint logs the one user in and approves at once (a browser that
 * follows its redirect completes the login); the device verification page approves the code
 * it is opened with.
 *
 * Discovery: OpenID Connect Discovery 1.0 §4; authorization: RFC 6749 §4.1, RFC 7636,
 * RFC 9207; PAR: RFC 9126; device: RFC 8628; userinfo: OpenID Connect Core §5.3 with RFC 6750
 * and RFC 9449 §7; revocation: RFC 7009.
 *
 * @module
 */

import { type Dialect, type ErrorAnswer, refusalOf } from "./_oidc_config.ts";
import { deviceAuthorization, verifyUserCode } from "./_oidc_device.ts";
import { authenticateClient, errorPage, tokenEndpoint } from "./_oidc_token_endpoint.ts";
import { type Revocation, revoke, userinfo } from "./_oidc_token_use.ts";
import { ImitationState, publishedKeys, randomToken } from "./_oidc_tokens.ts";

/** A running imitation, and what it saw (never a secret). */
export interface OidcImitation {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** The issuer its discovery document and tokens name. */
  issuer: string;
  /** Requests by kind: "authorization", "par", "token:<grant_type>", "userinfo", ... */
  counts: Record<string, number>;
  /** The authorization requests' parameters (a pushed request's, once redeemed). */
  authorizationRequests: URLSearchParams[];
  /** What each revocation request named, and whether anything was revoked. */
  revocations: Revocation[];
  /** Whether `token` would be accepted now. */
  tokenStatus(token: string): "active" | "revoked" | "expired" | "unknown";
  close(): Promise<void>;
}

/** Options for {@linkcode startOidcImitation}. */
export interface ImitationOptions {
  /** The server's clock in milliseconds (default `Date.now`): tests move it with the CLI's. */
  clock?: () => number;
}

/** Starts an imitation speaking `dialect`. */
export function startOidcImitation(
  dialect: Dialect,
  options: ImitationOptions = {},
): Promise<OidcImitation> {
  const counts: Record<string, number> = {};
  const seen: OidcImitation["authorizationRequests"] = [];
  const revocations: OidcImitation["revocations"] = [];
  let state!: ImitationState;
  const count = (kind: string) => counts[kind] = (counts[kind] ?? 0) + 1;

  const handle = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const path = url.pathname;
    const { paths } = dialect;
    const form = request.method === "POST"
      ? new URLSearchParams(await request.text())
      : new URLSearchParams();
    const base = new URL(state.issuer).pathname.replace(/\/$/, "");
    if (path === `${base}/.well-known/openid-configuration`) {
      count("discovery");
      return Response.json(discoveryDocument(dialect, state.issuer, url.origin));
    }
    if (path === paths.jwks) return Response.json({ keys: await publishedKeys() });
    if (path === paths.authorization && request.method === "GET") {
      count("authorization");
      return authorize(state, url.searchParams, seen);
    }
    if (path === paths.par && request.method === "POST") {
      count("par");
      return pushAuthorizationRequest(state, request, form);
    }
    if (path === paths.token && request.method === "POST") {
      count(`token:${form.get("grant_type")}`);
      return await tokenEndpoint(state, request, form);
    }
    if (path === paths.device && request.method === "POST") {
      count("device_authorization");
      return deviceAuthorization(state, request, form, url.origin);
    }
    if (path === paths.verification) {
      count("verification");
      return verifyUserCode(state, url.searchParams);
    }
    if (path === paths.userinfo) {
      count("userinfo");
      return await userinfo(state, request);
    }
    if (path === paths.revocation && request.method === "POST") {
      count("revocation");
      const client = authenticateClient(state, form, request.headers);
      if (client instanceof Response) return client;
      revocations.push(revoke(state, form.get("token") ?? "", client.id));
      return new Response(null, { status: 200 });
    }
    return new Response("Not Found", { status: 404 });
  };

  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen({ port }) {
        const origin = `http://127.0.0.1:${port}`;
        state = new ImitationState(dialect, origin + dialect.issuerPath, options.clock ?? Date.now);
        resolve({
          origin,
          issuer: state.issuer,
          counts,
          authorizationRequests: seen,
          revocations,
          tokenStatus(token) {
            const record = state.tokens.get(token);
            if (!record) return "unknown";
            if (record.revoked) return "revoked";
            return record.exp !== undefined && record.exp <= state.now() ? "expired" : "active";
          },
          close: () => server.shutdown(),
        });
      },
    }, handle);
  });
}

/** The discovery document: every endpoint the dialect has and does not leave out. */
function discoveryDocument(dialect: Dialect, issuer: string, origin: string) {
  const { paths } = dialect;
  const at = (path: string | undefined) => path === undefined ? undefined : origin + path;
  const device = dialect.unadvertised?.includes("device_authorization_endpoint")
    ? undefined
    : at(paths.device);
  return JSON.parse(JSON.stringify({
    issuer,
    authorization_endpoint: at(paths.authorization),
    token_endpoint: at(paths.token),
    userinfo_endpoint: at(paths.userinfo),
    jwks_uri: at(paths.jwks),
    revocation_endpoint: at(paths.revocation),
    device_authorization_endpoint: device,
    pushed_authorization_request_endpoint: at(paths.par),
    response_types_supported: ["code"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    ...(dialect.scopes ? { scopes_supported: dialect.scopes } : {}),
    ...dialect.metadata,
  }));
}

/** A redirect to the client with `fields` added to its redirect URI's query. */
function redirectTo(redirectUri: string, fields: Record<string, string | null | undefined>) {
  const location = new URL(redirectUri);
  for (const [name, value] of Object.entries(fields)) {
    if (value !== null && value !== undefined) location.searchParams.set(name, value);
  }
  return new Response(null, { status: 302, headers: { location: location.href } });
}

/** The authorization endpoint: checks the request, then approves it for the one user. */
function authorize(
  state: ImitationState,
  query: URLSearchParams,
  seen: URLSearchParams[],
): Response {
  const { dialect } = state;
  const client = dialect.clients.find((candidate) => candidate.id === query.get("client_id"));
  if (!client) return errorPage(dialect.redirectRefusal);
  let params = query;
  const requestUri = query.get("request_uri");
  if (requestUri !== null) {
    // RFC 9126 §4: the pushed request stands for the whole request, once, for its client.
    const pushed = state.pushed.get(requestUri);
    state.pushed.delete(requestUri);
    if (!pushed || pushed.exp <= state.now() || pushed.params.get("client_id") !== client.id) {
      return errorPage("Invalid request_uri");
    }
    params = pushed.params;
  }
  seen.push(params);
  const redirectUri = params.get("redirect_uri");
  if (
    !redirectUri || !client.redirectUris.some((r) => dialect.redirectUriMatches(r, redirectUri))
  ) {
    return errorPage(dialect.redirectRefusal);
  }
  const iss = dialect.issInAuthorizationResponse ? state.issuer : undefined;
  const fail = (answer: ErrorAnswer) =>
    redirectTo(redirectUri, {
      error: answer.error,
      error_description: answer.description,
      state: params.get("state"),
      iss,
    });
  if (client.requirePar && requestUri === null) return fail(refusalOf(dialect, "par_required"));
  if (params.get("response_type") !== "code") {
    return fail({ status: 400, error: "unsupported_response_type", description: "code only" });
  }
  const challenge = params.get("code_challenge") ?? undefined;
  const method = params.get("code_challenge_method") ?? "plain";
  const pkceNeeded = dialect.pkce === "required" || (dialect.pkce === "public" && !client.secret);
  if ((challenge === undefined && pkceNeeded) || (challenge !== undefined && method !== "S256")) {
    return fail(refusalOf(dialect, "pkce_missing", { client }));
  }
  const scope = (params.get("scope") ?? "").split(" ").filter(Boolean);
  const unknown = dialect.scopes && scope.find((name) => !dialect.scopes!.includes(name));
  if (unknown) return fail(refusalOf(dialect, "invalid_scope", { client, detail: unknown }));
  const own = dialect.checkAuthorization?.(params, client);
  if (own) return fail(own);
  const code = randomToken();
  const nonce = params.get("nonce");
  const audience = params.get("audience");
  const dpopJkt = params.get("dpop_jkt");
  state.codes.set(code, {
    grant: {
      client,
      scope,
      subject: dialect.user.sub,
      authTime: state.now(),
      ...(nonce ? { nonce } : {}),
      ...(audience ? { audience } : {}),
    },
    redirectUri,
    ...(challenge ? { challenge, method } : {}),
    ...(dpopJkt ? { dpopJkt } : {}),
    exp: state.now() + 600,
    used: false,
  });
  return redirectTo(redirectUri, { code, state: params.get("state"), iss });
}

/** RFC 9126 §2: stores the request for one minute and answers its request_uri (201). */
function pushAuthorizationRequest(
  state: ImitationState,
  request: Request,
  form: URLSearchParams,
): Response {
  const client = authenticateClient(state, form, request.headers);
  if (client instanceof Response) return client;
  form.delete("client_secret");
  form.set("client_id", client.id);
  const requestUri = `urn:ietf:params:oauth:request_uri:${randomToken(16)}`;
  state.pushed.set(requestUri, { params: form, exp: state.now() + 60 });
  return Response.json({ request_uri: requestUri, expires_in: 60 }, { status: 201 });
}
