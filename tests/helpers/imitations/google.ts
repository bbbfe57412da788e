/**
 * A local imitation of Google's OAuth 2.0 and OpenID Connect endpoints, for tests of the
 * Google preset (flows/presets/google.ts). One origin (127.0.0.1, a free port) serves Google's
 * paths, and its discovery document names them there. Written from Google's pages:
 *
 * - https://developers.google.com/identity/openid-connect/openid-connect (discovery, the
 *   authentication request, the ID token: RS256, `iss` "https://accounts.google.com" or
 *   "accounts.google.com", `at_hash`, `azp`),
 * - https://developers.google.com/identity/protocols/oauth2/native-app (Desktop clients:
 *   loopback redirect on any port, PKCE, the client secret required at the token endpoint,
 *   "client_secret is missing."; refresh tokens that do not rotate; revocation),
 * - https://developers.google.com/identity/protocols/oauth2/limited-input-device (the device
 *   flow: tests/helpers/imitations/google_device.ts).
 *
 * What it checks, as Google does: the client and its type, the redirect URI (http on a
 * loopback host), the scopes (`offline_access` is refused: "Some requested scopes were
 * invalid"), `access_type`, PKCE, the client secret, the grant behind every token. Errors of
 * the authorization endpoint are pages, not redirects, as Google shows them.
 *
 * Refresh tokens: only with `access_type=offline`, the rule of the OpenID Connect page ("the
 * client does not receive a refresh token unless offline is specified"). The native-app page
 * says Desktop clients always get one; the imitation keeps the stricter rule, so that tests
 * show the preset asks for it. Revoking any token revokes its grant; revoking a token that is
 * no longer valid is Google's HTTP 400 `invalid_token`, not RFC 7009's 200.
 */

import { type TestKey, testKey } from "../signing.ts";
import { authorize } from "./google_authorize.ts";
import { DeviceState } from "./google_device.ts";
import {
  authenticateClient,
  type GoogleClient,
  oauthError,
  SCOPE_NAMES,
  TokenState,
  USER,
} from "./google_tokens.ts";

export { USER as GOOGLE_USER } from "./google_tokens.ts";

/** How the imitation behaves; Google's values by default. */
export interface GoogleImitationOptions {
  /** The `iss` of its ID tokens: its issuer (default), or Google's older "accounts.google.com". */
  idTokenIssuer?: "issuer" | "accounts.google.com" | string;
  /** Seconds between device polls (Google: 5). */
  deviceInterval?: number;
  /** Seconds a device code lives (Google: 1800). */
  deviceCodeTtl?: number;
  /** Access token lifetime in seconds (Google: 3599). */
  accessTokenTtl?: number;
}

/** A running imitation. */
export interface GoogleImitation {
  /** Its issuer: `http://127.0.0.1:PORT`. */
  issuer: string;
  /** A "Desktop app" client. */
  desktop: GoogleClient;
  /** A "TVs and Limited Input devices" client. */
  tv: GoogleClient;
  /** The parameters of every authorization request, in order. */
  authorizations: URLSearchParams[];
  /** Every token request: its grant type and how the client authenticated (no secrets). */
  tokenRequests: { grantType: string; clientAuth: "basic" | "post" | "none" }[];
  /** Every refusal it answered: "PATH STATUS BODY". */
  refusals: string[];
  /** Revocation requests answered. */
  revocations: number;
  /** The user allows the device code showing `userCode`. */
  approveDevice(userCode: string): void;
  /** The user denies the device code showing `userCode`. */
  denyDevice(userCode: string): void;
  /** Resolves when a device poll is next answered authorization_pending. */
  nextPendingPoll(): Promise<void>;
  /** Whether `token` (access or refresh) is still valid here. */
  isLive(token: string): boolean;
  close(): Promise<void>;
}

let signingKey: Promise<TestKey> | undefined;

/** Starts the imitation on 127.0.0.1 (a free port). */
export async function startGoogle(options: GoogleImitationOptions = {}): Promise<GoogleImitation> {
  const key = await (signingKey ??= testKey("google-imitation-1", "RS256"));
  const routes = new Map<string, (request: Request, url: URL) => Promise<Response> | Response>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const url = new URL(request.url);
    const route = routes.get(`${request.method} ${url.pathname}`);
    const response = route ? await route(request, url) : new Response("Not Found", { status: 404 });
    if (response.status >= 400) {
      imitation.refusals.push(
        `${url.pathname} ${response.status} ${await response.clone().text()}`,
      );
    }
    return response;
  });
  const issuer = `http://127.0.0.1:${server.addr.port}`;
  const desktop: GoogleClient = {
    clientId: "407408718192-desktop.apps.googleusercontent.com",
    clientSecret: "GOCSPX-desktop-not-so-secret",
    type: "desktop",
  };
  const tv: GoogleClient = {
    clientId: "407408718192-tv.apps.googleusercontent.com",
    clientSecret: "GOCSPX-tv-not-so-secret",
    type: "tv",
  };
  const clients = new Map([desktop, tv].map((client) => [client.clientId, client]));
  const tokens = new TokenState({
    idTokenIssuer: options.idTokenIssuer === undefined || options.idTokenIssuer === "issuer"
      ? issuer
      : options.idTokenIssuer,
    key,
    accessTokenTtl: options.accessTokenTtl ?? 3599,
  });
  const devices = new DeviceState(
    {
      verificationUrl: `${issuer}/device`,
      interval: options.deviceInterval ?? 5,
      codeTtl: options.deviceCodeTtl ?? 1800,
    },
    clients,
    tokens,
  );

  const imitation: GoogleImitation = {
    issuer,
    desktop,
    tv,
    authorizations: [],
    tokenRequests: [],
    refusals: [],
    revocations: 0,
    approveDevice: (userCode) => devices.decide(userCode, "approved"),
    denyDevice: (userCode) => devices.decide(userCode, "denied"),
    nextPendingPoll: () => devices.nextPendingPoll(),
    isLive: (token) => tokens.grantOf(token) !== undefined,
    close: () => server.shutdown(),
  };

  routes.set("GET /.well-known/openid-configuration", () => Response.json(discovery(issuer)));
  routes.set("GET /oauth2/v3/certs", () => Response.json({ keys: [key.jwk] }));
  routes.set("GET /o/oauth2/v2/auth", (_request, url) => {
    imitation.authorizations.push(url.searchParams);
    return authorize(url.searchParams, clients, tokens);
  });
  routes.set("POST /token", async (request) => {
    const form = await formOf(request);
    if (form instanceof Response) return form;
    const grantType = form.get("grant_type") ?? "";
    imitation.tokenRequests.push({ grantType, clientAuth: clientAuthOf(request, form) });
    const client = authenticateClient(request, form, clients, { secretRequired: true });
    if (client instanceof Response) return client;
    switch (grantType) {
      case "authorization_code":
        return await tokens.redeemCode(client, form);
      case "refresh_token":
        return await tokens.refreshGrant(client, form);
      case "urn:ietf:params:oauth:grant-type:device_code":
      case "http://oauth.net/grant_type/device/1.0": // the older name Google still takes
        return await devices.poll(client, form);
      default:
        return oauthError(400, "unsupported_grant_type", `Invalid grant_type: ${grantType}`);
    }
  });
  routes.set("POST /device/code", async (request) => {
    const form = await formOf(request);
    return form instanceof Response ? form : devices.start(request, form);
  });
  routes.set("GET /device", () => new Response("Enter the code shown on your device."));
  const userinfo = (request: Request) => userinfoAnswer(request, tokens);
  routes.set("GET /v1/userinfo", userinfo);
  routes.set("POST /v1/userinfo", userinfo);
  routes.set("POST /revoke", async (request, url) => {
    imitation.revocations++;
    const form = await formOf(request);
    if (form instanceof Response) return form;
    // "The token can be an access token or a refresh token", in the body or the query.
    const token = form.get("token") ?? url.searchParams.get("token");
    if (!token) return oauthError(400, "invalid_request", "Bad Request");
    const grant = tokens.grantOf(token);
    if (!grant) return oauthError(400, "invalid_token", "Token expired or revoked");
    grant.revoked = true;
    return new Response(null, { status: 200 });
  });
  return imitation;
}

/** Runs `fn` with a running imitation, and stops it afterwards. */
export async function withGoogle(
  options: GoogleImitationOptions,
  fn: (google: GoogleImitation) => Promise<void>,
): Promise<void> {
  const google = await startGoogle(options);
  try {
    await fn(google);
  } finally {
    await google.close();
  }
}

/** Google's discovery document (https://accounts.google.com/.well-known/openid-configuration). */
function discovery(issuer: string) {
  return {
    issuer,
    authorization_endpoint: `${issuer}/o/oauth2/v2/auth`,
    device_authorization_endpoint: `${issuer}/device/code`,
    token_endpoint: `${issuer}/token`,
    userinfo_endpoint: `${issuer}/v1/userinfo`,
    revocation_endpoint: `${issuer}/revoke`,
    jwks_uri: `${issuer}/oauth2/v3/certs`,
    response_types_supported: ["code", "token", "id_token", "code token", "code id_token"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    scopes_supported: ["openid", "email", "profile"],
    token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
    claims_supported: ["aud", "email", "email_verified", "exp", "family_name", "given_name"]
      .concat(["iat", "iss", "name", "picture", "sub"]),
    code_challenge_methods_supported: ["plain", "S256"],
    grant_types_supported: [
      "authorization_code",
      "refresh_token",
      "urn:ietf:params:oauth:grant-type:device_code",
      "urn:ietf:params:oauth:grant-type:jwt-bearer",
    ],
  };
}

/** OpenID Connect userinfo for a bearer access token; Google's 401 otherwise. */
function userinfoAnswer(request: Request, tokens: TokenState): Response {
  const header = request.headers.get("authorization") ?? "";
  const grant = /^bearer /i.test(header)
    ? tokens.grantOfAccessToken(header.slice(7).trim())
    : undefined;
  if (!grant) {
    return Response.json(
      { error: "invalid_request", error_description: "Invalid Credentials" },
      {
        status: 401,
        headers: {
          "www-authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"',
        },
      },
    );
  }
  const claims: Record<string, unknown> = { sub: USER.sub };
  if (grant.scopes.includes(SCOPE_NAMES.email!)) {
    Object.assign(claims, { email: USER.email, email_verified: USER.email_verified });
  }
  if (grant.scopes.includes(SCOPE_NAMES.profile!)) {
    const { name, given_name, family_name, picture } = USER;
    Object.assign(claims, { name, given_name, family_name, picture });
  }
  return Response.json(claims);
}

/** The form body of a POST; Google's 400 for any other content type. */
async function formOf(request: Request): Promise<URLSearchParams | Response> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    return oauthError(400, "invalid_request", "Bad Request");
  }
  return new URLSearchParams(await request.text());
}

function clientAuthOf(request: Request, form: URLSearchParams): "basic" | "post" | "none" {
  if (request.headers.get("authorization")?.toLowerCase().startsWith("basic ")) return "basic";
  return form.has("client_secret") ? "post" : "none";
}
