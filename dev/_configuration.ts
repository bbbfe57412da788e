/**
 * The oidc-provider configuration of the dev provider: its clients, the user, the features
 * clauth speaks, lifetimes, and pages that never log a notice.
 *
 * @module
 */

import { errors } from "oidc-provider";
import { createMemoryAdapter } from "oidc-provider/lib/adapters/memory_adapter.js";
import type {
  Account,
  KoaContext,
  OidcKoaContext,
  ProviderClient,
  ProviderToken,
} from "./_provider_api.ts";
import {
  CONFIDENTIAL_CLIENT_ID,
  CONFIDENTIAL_CLIENT_SECRET,
  DPOP_CLIENT_ID,
  GRANT_DEVICE_CODE,
  GRANT_TOKEN_EXCHANGE,
  JWT_CLIENT_ID,
  PAR_CLIENT_ID,
  PUBLIC_CLIENT_ID,
  SCOPES,
  USER_CLAIMS,
  USER_ID,
} from "./_constants.ts";
import {
  deviceConfirmPage,
  deviceInputPage,
  deviceSuccessPage,
  errorPage,
  logoutPage,
  logoutSuccessPage,
} from "./_pages.ts";
import { dpopFeature } from "./_dpop.ts";
import { resourceIndicatorsFeature } from "./_resources.ts";

/** What the configuration is made from. */
export interface ConfigurationInput {
  /** Lifetimes in seconds. */
  ttl: {
    accessToken: number;
    refreshToken: number;
    /** A function is asked at each issue. */
    idToken: number | (() => number);
    deviceCode: number;
  };
  /** The provider's private signing keys (JWK). */
  signingKeys: JsonWebKey[];
  /** The public keys demo-jwt-service signs its client assertions with. */
  jwtClientKeys: JsonWebKey[];
  /** Extra claims (`act`) for tokens minted by token exchange, per token. */
  exchangeExtras: WeakMap<object, Record<string, unknown>>;
  /** Require server-provided DPoP nonces at the token and PAR endpoints (RFC 9449 §8). */
  dpopNonce: boolean;
}

/**
 * The scope of a login that asks for none. RFC 6749 §3.3: a server given no scope "MUST
 * either process the request using a pre-defined default value or fail the request indicating
 * an invalid scope". oidc-provider does neither: it grants nothing, and once the person has
 * approved, refuses the empty grant with access_denied ("no scope was granted"), which a client
 * cannot tell from the person saying no.
 */
export const DEFAULT_SCOPE = "openid";

/** Gives an authorization, device authorization or PAR request without scope the default. */
function assignDefaultScope(ctx: OidcKoaContext): void {
  ctx.oidc.params.scope ??= DEFAULT_SCOPE;
}

/**
 * A public native client (any loopback port) with every grant a CLI uses; `demo-cli`, and the
 * variants of it that require DPoP or PAR.
 */
function nativeClient(clientId: string, extra: Record<string, unknown> = {}) {
  return {
    client_id: clientId,
    application_type: "native",
    token_endpoint_auth_method: "none",
    redirect_uris: ["http://127.0.0.1/callback", "http://localhost/callback"],
    grant_types: ["authorization_code", "refresh_token", GRANT_DEVICE_CODE, GRANT_TOKEN_EXCHANGE],
    response_types: ["code"],
    scope: "openid profile email offline_access api:read api:write",
    ...extra,
  };
}

/** The configuration object `new Provider(issuer, configuration)` takes. */
export function providerConfiguration(input: ConfigurationInput) {
  return {
    clients: [
      nativeClient(PUBLIC_CLIENT_ID),
      // RFC 9449 §5.2: every token request must carry a DPoP proof, every token is bound.
      nativeClient(DPOP_CLIENT_ID, { dpop_bound_access_tokens: true }),
      // RFC 9126 §6: authorization requests must come through the PAR endpoint.
      nativeClient(PAR_CLIENT_ID, { require_pushed_authorization_requests: true }),
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
        jwks: { keys: input.jwtClientKeys },
        grant_types: ["client_credentials", GRANT_TOKEN_EXCHANGE],
        response_types: [],
        redirect_uris: [],
        scope: "api:read api:write",
      },
    ],
    jwks: { keys: input.signingKeys },
    // Auth0's `audience` at the authorization, device authorization and PAR endpoints; it
    // stands for a missing `resource` (dev/_resources.ts). Its validator runs on every such
    // request, after oidc-provider's scope checks: the one place to give a request without
    // `scope` the default scope (see DEFAULT_SCOPE).
    extraParams: { audience: assignDefaultScope },
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
      // RFC 8707: a `resource` (or Auth0's `audience`) gets a JWT access token for it;
      // without one, tokens stay opaque and usable at userinfo. See dev/_resources.ts.
      resourceIndicators: resourceIndicatorsFeature(),
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
      // RFC 9449: oidc-provider checks every proof (signature, typ, htm, htu, iat, jti replay)
      // by itself; server nonces (§8) only when asked for. See dev/_dpop.ts.
      dPoP: dpopFeature({ requireNonce: input.dpopNonce }),
      // RFC 9126: optional for every client but demo-par (its client metadata requires it).
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
    },
    ttl: {
      AccessToken: input.ttl.accessToken,
      ClientCredentials: input.ttl.accessToken,
      RefreshToken: input.ttl.refreshToken,
      IdToken: input.ttl.idToken,
      DeviceCode: input.ttl.deviceCode,
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
    extraTokenClaims: (_ctx: unknown, token: object) =>
      Promise.resolve(input.exchangeExtras.get(token)),
    clientBasedCORS: () => false,
    renderError: (ctx: KoaContext, out: Record<string, unknown>) => {
      ctx.type = "html";
      ctx.body = errorPage(out);
    },
  };
}
