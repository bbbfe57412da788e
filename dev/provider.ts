/**
 * The embedded development authorization server: oidc-provider 9 on 127.0.0.1.
 *
 * Everything clauth speaks is on: authorization code + PKCE for the native public client
 * `demo-cli` (any loopback port), the device flow (with `interval` and `slow_down`), client
 * credentials for `demo-service` (client secret) and `demo-jwt-service` (private_key_jwt),
 * refresh with rotation, revocation, introspection, userinfo, token exchange (RFC 8693, a
 * registered grant; JWTs from trusted issuers such as GitHub Actions are accepted as
 * subjects), DPoP (RFC 9449, optional; required for `demo-dpop`; server nonces with
 * `dpopNonce`), PAR (RFC 9126, optional; required for `demo-par`), and resource indicators
 * (RFC 8707) or Auth0's `audience`, which get JWT access tokens for that audience. One user:
 * `alice`.
 *
 * With `autoApprove` the interaction pages log in and consent as alice without showing
 * anything (a client that follows redirects lands on its redirect_uri with a code); without
 * it a person signs in on the pages described in dev/_pages.ts.
 *
 * Nothing here prints: every oidc-provider default that would log a notice is replaced.
 * (oidc-provider itself warns "Unsupported runtime" on stderr once, when it is imported.)
 */

import type { Provider } from "./_provider_api.ts";
import {
  CONFIDENTIAL_CLIENT_ID,
  CONFIDENTIAL_CLIENT_SECRET,
  DPOP_CLIENT_ID,
  GRANT_TOKEN_EXCHANGE,
  JWT_CLIENT_ID,
  PAR_CLIENT_ID,
  PUBLIC_CLIENT_ID,
} from "./_constants.ts";
import { handleInteraction } from "./_interactions.ts";
import { tokenExchange } from "./_token_exchange.ts";

export * from "./_constants.ts";
export type * from "./_provider_api.ts";

import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import OidcProvider from "oidc-provider";
import { providerConfiguration } from "./_configuration.ts";
import { paceDevicePolls } from "./_device_pacing.ts";
import { generateEcKey, rsaKey } from "./_keys.ts";
import { acceptAudienceAtTokenEndpoint } from "./_resources.ts";
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
  /**
   * ID token lifetime in seconds (default 3600); a function is asked at each issue (a test can
   * make the first ID tokens short-lived and the next ones not).
   */
  idTokenTtl?: number | (() => number);
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
   * Require a server-provided nonce in DPoP proofs at the token and PAR endpoints (RFC 9449
   * §8): a proof without one is answered `use_dpop_nonce` with a `DPoP-Nonce` header to retry
   * with (default false).
   */
  dpopNonce?: boolean;
}

export interface DevProvider {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  issuer: string;
  clients: {
    public: { client_id: "demo-cli" };
    confidential: { client_id: "demo-service"; client_secret: "demo-service-secret" };
    /** Authenticates with private_key_jwt; `private_jwk` is a fresh P-256 key per provider. */
    privateKeyJwt: { client_id: "demo-jwt-service"; private_jwk: JsonWebKey };
    /**
     * Public, like `public`, but requires DPoP-bound tokens (`dpop_bound_access_tokens`, RFC
     * 9449 §5.2): any token request without a DPoP proof is refused (invalid_grant).
     */
    dpop: { client_id: "demo-dpop" };
    /**
     * Public, like `public`, but requires pushed authorization requests
     * (`require_pushed_authorization_requests`, RFC 9126 §6): a plain authorization request is
     * refused (invalid_request); push it to the PAR endpoint and send its `request_uri`.
     */
    par: { client_id: "demo-par" };
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

// ---------------------------------------------------------------------------------------------

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
  const idTokenTtl = typeof options.idTokenTtl === "function"
    ? options.idTokenTtl
    : assertSeconds("idTokenTtl", options.idTokenTtl ?? 3600);
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
    rsaKey(),
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

  /** Extra claims (`act`) for tokens minted by token exchange, read by extraTokenClaims. */
  const exchangeExtras = new WeakMap<object, Record<string, unknown>>();

  const configuration = providerConfiguration({
    ttl: {
      accessToken: accessTokenTtl,
      refreshToken: refreshTokenTtl,
      idToken: idTokenTtl,
      deviceCode: deviceCodeTtl,
    },
    signingKeys: [rsaJwk, ecJwk],
    jwtClientKeys: [jwtClientKey.publicJwk, ...(options.jwtClientJwks?.keys ?? [])],
    exchangeExtras,
    dpopNonce: options.dpopNonce ?? false,
  });
  let provider: Provider;
  try {
    provider = new OidcProvider(issuer, configuration) as Provider;
  } catch (error) {
    await closeServer(server, sockets);
    throw error;
  }

  acceptAudienceAtTokenEndpoint(provider);
  const deviceAuthorized = paceDevicePolls(provider, {
    interval: deviceInterval,
    deviceCodeTtl,
    pollClock,
    count,
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
    } else if (route === "device_authorization" && ctx.status === 200 && ctx.body) {
      deviceAuthorized(ctx.body as Record<string, unknown>);
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
      dpop: { client_id: DPOP_CLIENT_ID },
      par: { client_id: PAR_CLIENT_ID },
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
