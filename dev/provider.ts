/**
 * The embedded development authorization server: oidc-provider 9 on 127.0.0.1.
 *
 * Everything clauth speaks is on: authorization code + PKCE for the native public client
 * `demo-cli` (any loopback port), the device flow (with `interval` and `slow_down`), client
 * credentials for `demo-service` (client secret) and `demo-jwt-service` (private_key_jwt),
 * refresh with rotation, revocation, introspection, userinfo, token exchange (RFC 8693, a
 * registered grant; JWTs from trusted issuers such as GitHub Actions are accepted as
 * subjects), DPoP and PAR (optional). One user: `alice`.
 *
 * With `autoApprove` the interaction pages log in and consent as alice without showing
 * anything (a client that follows redirects lands on its redirect_uri with a code); without
 * it a person signs in on the pages described in dev/_pages.ts.
 *
 * Nothing here prints: every oidc-provider default that would log a notice is replaced.
 * (oidc-provider itself warns "Unsupported runtime" on stderr once, when it is imported.)
 */

import {
  type Account,
  type KoaContext,
  type OidcKoaContext,
  type Provider,
  type ProviderClient,
  type ProviderToken,
} from "./_provider_api.ts";
import {
  CONFIDENTIAL_CLIENT_ID,
  CONFIDENTIAL_CLIENT_SECRET,
  GRANT_DEVICE_CODE,
  GRANT_TOKEN_EXCHANGE,
  JWT_CLIENT_ID,
  PUBLIC_CLIENT_ID,
  SCOPES,
  USER_CLAIMS,
  USER_ID,
} from "./_constants.ts";
import { handleInteraction } from "./_interactions.ts";
import { stringParam } from "./_requests.ts";
import { tokenExchange } from "./_token_exchange.ts";

export * from "./_constants.ts";
export type * from "./_provider_api.ts";

import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import OidcProvider, { errors } from "oidc-provider";
import { createMemoryAdapter } from "oidc-provider/lib/adapters/memory_adapter.js";
// oidc-provider keeps its grant handlers in a private per-instance store; this reader is the
// only way to wrap the built-in device_code handler (to answer slow_down before it runs).
import providerInternals from "oidc-provider/lib/helpers/weak_cache.js";
import {
  deviceConfirmPage,
  deviceInputPage,
  deviceSuccessPage,
  errorPage,
  logoutPage,
  logoutSuccessPage,
} from "./_pages.ts";
import { generateClientKeyPair, type TrustedJwtIssuer } from "./_trusted_jwt.ts";

export type { TrustedJwtIssuer } from "./_trusted_jwt.ts";

export interface DevProviderOptions {
  /** Port on 127.0.0.1 (default 0: a free port). */
  port?: number;
  /** Log in and consent as alice without any page. */
  autoApprove?: boolean;
  /** Access token lifetime in seconds, also for client-credentials tokens (default 3600). */
  accessTokenTtl?: number;
  /** Refresh token lifetime in seconds (default 86400). */
  refreshTokenTtl?: number;
  /** ID token lifetime in seconds (default 3600). */
  idTokenTtl?: number;
  /** Device code lifetime in seconds (default 600). */
  deviceCodeTtl?: number;
  /**
   * `interval` (seconds) sent in the device authorization response (default 5). A fraction
   * such as 0.2 keeps tests of the whole device flow quick; RFC 8628 only asks for a number.
   */
  deviceInterval?: number;
  /**
   * The clock, in milliseconds, that paces device polls (`slow_down`) and device code expiry
   * in that pacing (default: the real one). Tests move it instead of waiting.
   */
  pollClock?: () => number;
  /**
   * Issuers whose JWTs token exchange accepts as subject or actor (token type `jwt` or
   * `id_token`); the issued token's `sub` is the JWT's `sub`.
   */
  trustedJwtIssuers?: TrustedJwtIssuer[];
  /** Public keys `demo-jwt-service` may sign with, besides its generated key. */
  jwtClientJwks?: { keys: JsonWebKey[] };
  /**
   * The RSA private key (JWK, from {@linkcode generateRsaSigningKey}) that signs RS256 tokens.
   * Default: one generated per process. Test runs share one across their workers.
   */
  rsaSigningKey?: JsonWebKey;
}

export interface DevProvider {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  issuer: string;
  clients: {
    public: { client_id: "demo-cli" };
    confidential: { client_id: "demo-service"; client_secret: "demo-service-secret" };
    /** Authenticates with private_key_jwt; `private_jwk` is a fresh P-256 key per provider. */
    privateKeyJwt: { client_id: "demo-jwt-service"; private_jwk: JsonWebKey };
  };
  /**
   * Request counters, observable by tests:
   * - `counts[<grant_type>]`: token-endpoint requests by grant_type, whatever their outcome
   *   (e.g. `counts["refresh_token"]`, `counts["urn:ietf:params:oauth:grant-type:device_code"]`);
   * - `counts["slow_down"]`: device polls answered with `slow_down`;
   * - `counts[<route>]`: requests per oidc-provider route: `token`, `authorization`,
   *   `device_authorization`, `introspection`, `revocation`, `userinfo`, `discovery`, `jwks`,
   *   `pushed_authorization_request`, `end_session`, `code_verification`, ...;
   * - `counts["interaction"]`: requests to the login/consent pages.
   */
  counts: Record<string, number>;
  /** The oidc-provider instance, for tests that need to look inside. */
  provider: Provider;
  /** Closes the server and all its sockets. */
  close(): Promise<void>;
}

/** Polls this much earlier than the interval still count as in time (timer jitter). */
const POLL_TOLERANCE_MS = 50;

// ---------------------------------------------------------------------------------------------

let rsaKeyPromise: Promise<JsonWebKey> | undefined;

/** A fresh P-256 key per provider (under a millisecond). */
async function generateEcKey(): Promise<JsonWebKey> {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  return cleanJwk(await crypto.subtle.exportKey("jwk", pair.privateKey), "ES256");
}

/**
 * ID tokens default to RS256, so the keystore needs an RSA key too. Generating one takes
 * 60-300 ms, so it is made once per process (still fresh every run) and shared by the providers
 * a process starts.
 */
function rsaKey(): Promise<JsonWebKey> {
  rsaKeyPromise ??= generateRsaSigningKey();
  return rsaKeyPromise;
}

/** A new RSA private key, as a JWK, for {@linkcode DevProviderOptions.rsaSigningKey}. */
export async function generateRsaSigningKey(): Promise<JsonWebKey> {
  const pair = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
  return cleanJwk(await crypto.subtle.exportKey("jwk", pair.privateKey), "RS256");
}

function cleanJwk(jwk: JsonWebKey, alg: string): JsonWebKey {
  const { key_ops: _ops, ext: _ext, ...rest } = jwk;
  return { ...rest, alg, use: "sig" };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function assertSeconds(name: string, value: number, allowZero = false): number {
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new RangeError(`${name} must be a ${allowZero ? "non-negative" : "positive"} integer`);
  }
  return value;
}

/** Starts the dev provider on 127.0.0.1 and resolves once it answers requests. */
export async function startDevProvider(options: DevProviderOptions = {}): Promise<DevProvider> {
  const accessTokenTtl = assertSeconds("accessTokenTtl", options.accessTokenTtl ?? 3600);
  const refreshTokenTtl = assertSeconds("refreshTokenTtl", options.refreshTokenTtl ?? 86400);
  const idTokenTtl = assertSeconds("idTokenTtl", options.idTokenTtl ?? 3600);
  const deviceCodeTtl = assertSeconds("deviceCodeTtl", options.deviceCodeTtl ?? 600);
  const deviceInterval = options.deviceInterval ?? 5;
  if (!(Number.isFinite(deviceInterval) && deviceInterval >= 0)) {
    throw new RangeError("deviceInterval must be a non-negative number of seconds");
  }
  const pollClock = options.pollClock ?? Date.now;
  const autoApprove = options.autoApprove ?? false;

  const sockets = new Set<Socket>();
  const server = createServer();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  const [ec, rsa, clientKey, listening] = await Promise.allSettled([
    generateEcKey(),
    options.rsaSigningKey ?? rsaKey(),
    generateClientKeyPair(),
    listen(server, options.port ?? 0),
  ]);
  if (
    ec.status === "rejected" || rsa.status === "rejected" || clientKey.status === "rejected" ||
    listening.status === "rejected"
  ) {
    await closeServer(server, sockets);
    throw [ec, rsa, clientKey, listening].find((r) => r.status === "rejected")?.reason;
  }
  const [ecJwk, rsaJwk, jwtClientKey, port] = [
    ec.value,
    rsa.value,
    clientKey.value,
    listening.value,
  ];
  const issuer = `http://127.0.0.1:${port}`;
  const counts: Record<string, number> = {};
  const count = (key: string) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };

  /** Per device_code: the interval in force and when it was last polled. */
  const devicePolls = new Map<
    string,
    { interval: number; lastPoll: number | undefined; expires: number }
  >();
  /** Extra claims (`act`) for tokens minted by token exchange, read by extraTokenClaims. */
  const exchangeExtras = new WeakMap<object, Record<string, unknown>>();

  const configuration = {
    clients: [
      {
        client_id: PUBLIC_CLIENT_ID,
        application_type: "native",
        token_endpoint_auth_method: "none",
        redirect_uris: ["http://127.0.0.1/callback", "http://localhost/callback"],
        grant_types: [
          "authorization_code",
          "refresh_token",
          GRANT_DEVICE_CODE,
          GRANT_TOKEN_EXCHANGE,
        ],
        response_types: ["code"],
        scope: "openid profile email offline_access api:read api:write",
      },
      {
        client_id: CONFIDENTIAL_CLIENT_ID,
        client_secret: CONFIDENTIAL_CLIENT_SECRET,
        // oidc-provider accepts client_secret_post from a client_secret_basic client too (and
        // the other way round): both methods work for demo-service.
        token_endpoint_auth_method: "client_secret_basic",
        grant_types: ["client_credentials", "refresh_token", GRANT_TOKEN_EXCHANGE],
        response_types: [],
        redirect_uris: [],
        scope: "api:read api:write",
      },
      {
        client_id: JWT_CLIENT_ID,
        token_endpoint_auth_method: "private_key_jwt",
        jwks: { keys: [jwtClientKey.publicJwk, ...(options.jwtClientJwks?.keys ?? [])] },
        grant_types: ["client_credentials", GRANT_TOKEN_EXCHANGE],
        response_types: [],
        redirect_uris: [],
        scope: "api:read api:write",
      },
    ],
    jwks: { keys: [rsaJwk, ecJwk] },
    // A factory function (not the MemoryAdapter class) keeps oidc-provider from warning, and
    // gives every provider its own store.
    adapter: createMemoryAdapter(15),
    cookies: { keys: [crypto.randomUUID()] },
    scopes: SCOPES,
    claims: {
      openid: ["sub"],
      profile: ["name", "preferred_username"],
      email: ["email", "email_verified"],
    },
    findAccount: (_ctx: unknown, id: string): Account | undefined =>
      id === USER_ID
        ? { accountId: USER_ID, claims: () => Promise.resolve({ ...USER_CLAIMS }) }
        : undefined,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: (ctx: KoaContext, form: string, _out: unknown, err: unknown) => {
          ctx.type = "html";
          ctx.body = deviceInputPage(form, err);
        },
        userCodeConfirmSource: (
          ctx: KoaContext,
          form: string,
          client: ProviderClient,
          _deviceInfo: unknown,
          userCode: string,
        ) => {
          ctx.type = "html";
          ctx.body = deviceConfirmPage(form, client.clientId, userCode);
        },
        successSource: (ctx: KoaContext) => {
          ctx.type = "html";
          ctx.body = deviceSuccessPage(ctx.oidc?.client?.clientId ?? "the client");
        },
      },
      revocation: {
        enabled: true,
        // oidc-provider's default policy, without its console notice.
        allowedPolicy: (_ctx: unknown, client: ProviderClient, token: ProviderToken) => {
          if (token.clientId !== client.clientId) {
            if (client.clientAuthMethod === "none") return false;
            throw new errors.InvalidRequest(
              "client is not authorized to revoke the presented token",
            );
          }
          return true;
        },
      },
      introspection: {
        enabled: true,
        // Confidential clients (demo-service) may introspect any token, public clients
        // (demo-cli) only their own: oidc-provider's default policy, without its notice.
        allowedPolicy: (ctx: OidcKoaContext, client: ProviderClient, token: ProviderToken) =>
          !(client.clientAuthMethod === "none" && token.clientId !== ctx.oidc.client.clientId),
      },
      userinfo: { enabled: true },
      // Opaque tokens for every scope; no `resource` parameter needed (or accepted).
      resourceIndicators: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: KoaContext, form: string) => {
          ctx.type = "html";
          ctx.body = logoutPage(form, ctx.host);
        },
        postLogoutSuccessSource: (ctx: KoaContext) => {
          ctx.type = "html";
          ctx.body = logoutSuccessPage(ctx.oidc?.client?.clientId);
        },
      },
      // DPoP and PAR are on by default in oidc-provider 9; PAR stays optional.
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
    },
    ttl: {
      AccessToken: accessTokenTtl,
      ClientCredentials: accessTokenTtl,
      RefreshToken: refreshTokenTtl,
      IdToken: idTokenTtl,
      DeviceCode: deviceCodeTtl,
      AuthorizationCode: 60,
      BackchannelAuthenticationRequest: 600,
      PreAuthorizedCode: 600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
    rotateRefreshToken: () => true,
    issueRefreshToken: (_ctx: unknown, client: ProviderClient, source: { scopes: Set<string> }) =>
      Promise.resolve(
        client.grantTypeAllowed("refresh_token") && source.scopes.has("offline_access"),
      ),
    extraTokenClaims: (_ctx: unknown, token: object) => Promise.resolve(exchangeExtras.get(token)),
    clientBasedCORS: () => false,
    renderError: (ctx: KoaContext, out: Record<string, unknown>) => {
      ctx.type = "html";
      ctx.body = errorPage(out);
    },
  };

  let provider: Provider;
  try {
    provider = new OidcProvider(issuer, configuration) as Provider;
  } catch (error) {
    await closeServer(server, sockets);
    throw error;
  }

  // --- device flow: `interval` in the device authorization response, `slow_down` for early polls
  const internals = providerInternals(provider) as {
    grantTypeHandlers: Map<string, (ctx: OidcKoaContext) => Promise<void>>;
  };
  const deviceCodeHandler = internals.grantTypeHandlers.get(GRANT_DEVICE_CODE);
  if (!deviceCodeHandler) throw new Error("oidc-provider has no device_code grant handler");
  internals.grantTypeHandlers.set(GRANT_DEVICE_CODE, async (ctx) => {
    const deviceCode = stringParam(ctx.oidc.params, "device_code");
    const state = deviceCode === undefined ? undefined : devicePolls.get(deviceCode);
    if (deviceCode !== undefined && state) {
      const now = pollClock();
      const early = state.lastPoll !== undefined &&
        now - state.lastPoll < state.interval * 1000 - POLL_TOLERANCE_MS;
      state.lastPoll = now;
      if (early) {
        state.interval += 5;
        count("slow_down");
        throw new errors.SlowDown();
      }
    }
    try {
      await deviceCodeHandler(ctx);
      if (deviceCode !== undefined) devicePolls.delete(deviceCode);
    } catch (error) {
      if (
        deviceCode !== undefined && (error as { error?: string }).error !== "authorization_pending"
      ) {
        devicePolls.delete(deviceCode);
      }
      throw error;
    }
  });

  // --- token exchange (RFC 8693)
  provider.registerGrantType(
    GRANT_TOKEN_EXCHANGE,
    (ctx) => tokenExchange(provider, ctx, exchangeExtras, options.trustedJwtIssuers ?? []),
    [
      "subject_token",
      "subject_token_type",
      "actor_token",
      "actor_token_type",
      "requested_token_type",
      "audience",
      "resource",
      "scope",
    ],
    ["audience", "resource"],
  );

  provider.use(async (ctx, next) => {
    const interaction = /^\/interaction\/([^/]+)(?:\/(login|confirm|abort))?$/.exec(ctx.path);
    if (interaction) {
      count("interaction");
      await handleInteraction(provider, ctx, interaction[1] ?? "", interaction[2], autoApprove);
      return;
    }
    await next();
    const route = ctx.oidc?.route;
    if (route === undefined) return;
    count(route);
    if (route === "token") {
      const grantType = ctx.oidc?.params?.grant_type;
      if (typeof grantType === "string") count(grantType);
    } else if (route === "device_authorization" && ctx.status === 200) {
      const body = ctx.body as Record<string, unknown> | undefined;
      if (body && typeof body.device_code === "string") {
        body.interval = deviceInterval;
        const now = pollClock();
        for (const [code, state] of devicePolls) {
          if (state.expires < now) devicePolls.delete(code);
        }
        devicePolls.set(body.device_code, {
          interval: deviceInterval,
          lastPoll: undefined,
          expires: now + deviceCodeTtl * 1000,
        });
      }
    }
  });

  server.on("request", provider.callback());

  return {
    issuer,
    clients: {
      public: { client_id: PUBLIC_CLIENT_ID },
      confidential: {
        client_id: CONFIDENTIAL_CLIENT_ID,
        client_secret: CONFIDENTIAL_CLIENT_SECRET,
      },
      privateKeyJwt: { client_id: JWT_CLIENT_ID, private_jwk: jwtClientKey.privateJwk },
    },
    counts,
    provider,
    close: () => closeServer(server, sockets),
  };
}

async function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve()))
  );
  server.closeAllConnections();
  for (const socket of sockets) socket.destroy();
  await closed;
}
