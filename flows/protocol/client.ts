/**
 * A client of one authorization server: its metadata, the client identity, and the request
 * options every flow shares. Create one with {@linkcode createClient}, then hand it to a flow.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import type { Acquisition } from "../../acquisition.ts";
import { ClauthError } from "../../errors.ts";
import type { FlowDependencies } from "./dependencies.ts";
import { discover } from "./discovery.ts";
import { ENDPOINT_NAMES, type EndpointOverrides } from "./endpoints.ts";
import {
  type AuthMethod,
  chooseAuthMethod,
  type ClientCredentials,
  credentialSetting,
  withClientAuth,
} from "./client_auth.ts";
import { timedFetch } from "./http.ts";
import { checkEndpointUrl, isLoopbackHost } from "./endpoints.ts";
import { endpointOf, toClauthError } from "./oauth_errors.ts";
import type { AuthorizationServer, ClientMetadata } from "./oauth_types.ts";
import { checkTokenResponse, tokenTypeRefusal } from "./token_response.ts";
import type { DPoPProofs } from "../tokens/dpop.ts";
import type { IssuerClaims, PresetBehaviour } from "../presets/preset.ts";

/**
 * oauth4webapi's (exported, undocumented) hook for the issuer an ID token must name, which
 * openid-client uses for Entra ID's multi-tenant authorities.
 */
const EXPECTED_ISSUER = (oauth as unknown as { _expectedIssuer: symbol })._expectedIssuer;
import { retryingOnDPoPNonce } from "./dpop_requests.ts";

/** Who the client is and where its server lives. */
export interface ClientSettings extends ClientCredentials {
  /** The issuer identifier (https, or http on loopback only). */
  issuer: string;
  /** The client id registered at the server. */
  clientId: string;
  /** Endpoints that win over discovery. */
  endpoints?: EndpointOverrides;
  /** False when the server publishes no discovery document: `endpoints` are all there is. */
  discovery?: boolean;
  /** A provider preset's behaviours (flows/presets/): its transport, issuer checks. */
  behaviour?: PresetBehaviour;
}

/**
 * A discovered server plus client identity; what flows take as their first argument. Make one
 * with {@linkcode createClient} and reuse it: discovery and the issuer's keys are fetched once.
 */
export interface Client {
  /**
   * The settings it was created with. The secret and private key are readable but not
   * enumerable: logging the client or `JSON.stringify(client.settings)` never shows them.
   */
  readonly settings: ClientSettings;
  /** The server's metadata; `as.issuer` is the issuer to bind stored tokens to. */
  readonly as: AuthorizationServer;
  /** The client metadata handed to oauth4webapi (`client_id`). */
  readonly client: ClientMetadata;
  /** The network, clock and cancellation every flow on this client uses. */
  readonly deps: FlowDependencies;
  /**
   * Options for every oauth4webapi request: fetch with timeout, loopback http allowance.
   * Its shape follows oauth4webapi's and may change with it.
   *
   * @internal
   */
  readonly requestOptions: {
    [oauth.customFetch]: typeof fetch;
    [oauth.allowInsecureRequests]: boolean;
    signal?: AbortSignal;
    /** Signs a DPoP proof for every request that takes one (see `withDPoP`). */
    DPoP?: oauth.DPoPHandle;
  };
  /** The DPoP key its requests prove possession of, when tokens are to be DPoP-bound. */
  readonly dpop?: DPoPProofs;
}

/**
 * Discovers the server and returns a {@linkcode Client} for the flows.
 *
 * Refuses an http:// issuer unless it is loopback ("insecure_issuer"), and a discovery
 * document whose `issuer` differs from the one given ("usage"). Endpoints in
 * `settings.endpoints` win over discovery, and stand in for it when the server has none.
 *
 * @example A public client for people, a confidential one for services
 * ```ts
 * import assert from "node:assert/strict";
 * import { createClient } from "@clauth/clauth";
 * // The dev provider stands in for your server:
 * import { startDevProvider } from "../../dev/provider.ts";
 *
 * const idp = await startDevProvider();
 * // A CLI run by people is registered as a native app: no secret, loopback redirect URIs.
 * const cli = await createClient({ issuer: idp.issuer, clientId: "demo-cli" });
 * assert.equal(cli.as.token_endpoint, `${idp.issuer}/token`); // discovered
 *
 * // A service has a secret (yours comes from a secret store, e.g. an environment variable).
 * const clientSecret = idp.clients.confidential.client_secret;
 * const service = await createClient({ issuer: idp.issuer, clientId: "demo-service", clientSecret });
 * // The flows read it; logs and JSON never show it.
 * assert.equal(service.settings.clientSecret, clientSecret);
 * assert.ok(!Deno.inspect(service).includes(clientSecret));
 * const json = JSON.stringify(service.settings);
 * assert.equal(json, `{"issuer":"${idp.issuer}","clientId":"demo-service"}`);
 * await idp.close();
 * ```
 *
 * @example Offline, with a fake server in `deps.fetch` (how tests drive the flows)
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientCredentialsFlow, createClient } from "@clauth/clauth";
 *
 * const issuer = "https://login.example.com";
 * const fakeServer = (input: string | URL | Request): Promise<Response> => {
 *   const { pathname } = new URL(input instanceof Request ? input.url : input);
 *   return Promise.resolve(Response.json(
 *     pathname === "/.well-known/openid-configuration"
 *       ? { issuer, token_endpoint: `${issuer}/token` }
 *       : { access_token: "token-1", token_type: "Bearer", expires_in: 300 },
 *   ));
 * };
 *
 * const client = await createClient(
 *   { issuer, clientId: "my-service", clientSecret: "secret" },
 *   { fetch: fakeServer },
 * );
 * const { response, authMethod } = await clientCredentialsFlow(client);
 * assert.equal(response.access_token, "token-1");
 * assert.equal(response.token_type, "bearer");
 * assert.equal(authMethod, "client_secret_basic");
 * ```
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html
 * @see https://www.rfc-editor.org/rfc/rfc8414
 */
export async function createClient(
  settings: ClientSettings,
  deps: FlowDependencies = {},
): Promise<Client> {
  const { behaviour } = settings;
  // A provider's quirks on the wire are undone below everything else: flows see RFC shapes.
  if (behaviour?.transport) deps = { ...deps, fetch: behaviour.transport(deps.fetch ?? fetch) };
  const as = await discover(settings.issuer, {
    endpoints: settings.endpoints ?? {},
    deps,
    ...(settings.discovery === undefined ? {} : { discovery: settings.discovery }),
    ...(behaviour?.discoveryIssuer
      ? { documentIssuer: (named: string) => behaviour.discoveryIssuer!(settings.issuer, named) }
      : {}),
  });
  const expectedIssuer = behaviour?.expectedIssuer;
  if (expectedIssuer) {
    // oauth4webapi's hook for issuers that depend on the token (Entra's {tenantid}): every ID
    // token's iss is still compared, with the value the preset computes from its claims.
    (as as unknown as Record<symbol, unknown>)[EXPECTED_ISSUER] = (
      result: { claims: IssuerClaims },
    ) => expectedIssuer(result.claims, as.issuer) ?? as.issuer;
  }
  // Plain http is allowed below only because every endpoint passed this check.
  for (const name of ENDPOINT_NAMES) {
    const url = as[name];
    if (typeof url === "string") checkEndpointUrl(name, url);
  }
  const requestOptions: Client["requestOptions"] = {
    [oauth.customFetch]: timedFetch(deps),
    [oauth.allowInsecureRequests]: isLoopbackHost(new URL(settings.issuer).hostname),
  };
  if (deps.signal) requestOptions.signal = deps.signal;
  return {
    settings: withHiddenCredentials(settings),
    as,
    client: { client_id: settings.clientId },
    deps,
    requestOptions,
  };
}

/** What a hidden credential shows when the settings are inspected. */
const REDACTED = "[redacted]";
/** The key of an object's own rendering in `Deno.inspect` and `console.log`. */
const CUSTOM_INSPECT = Symbol.for("Deno.customInspect");

/**
 * A copy of `settings` whose secret and private key are non-enumerable, so that neither
 * `JSON.stringify`, spreading nor logging the client ever shows them (flows still read them).
 * Inspected, even with `showHidden`, they read "[redacted]": visibly there, never shown.
 */
function withHiddenCredentials(settings: ClientSettings): ClientSettings {
  const { clientSecret, privateKey, ...shown } = settings;
  const copy: ClientSettings = { ...shown };
  const redacted: Record<string, string> = {};
  for (const [name, value] of Object.entries({ clientSecret, privateKey })) {
    if (value === undefined) continue;
    Object.defineProperty(copy, name, { value, enumerable: false });
    redacted[name] = REDACTED;
  }
  Object.defineProperty(copy, CUSTOM_INSPECT, {
    value: (inspect: (value: unknown, options: unknown) => string, options: unknown) =>
      inspect({ ...copy, ...redacted }, options),
  });
  return copy;
}

/**
 * Returns the endpoint's URL, or throws a "usage" error naming it when the server advertises
 * none and the profile set none. `purpose` finishes "which ... needs".
 */
export function requireEndpoint(
  client: Client,
  name: keyof EndpointOverrides,
  purpose: string,
): string {
  const url = client.as[name];
  if (typeof url !== "string") {
    throw new ClauthError(
      "usage",
      `The server ${client.as.issuer} advertises no ${name}, which ${purpose} needs. If it has one, set "${name}" in the profile.`,
      { endpoint: endpointOf(name), setting: "endpoints" },
    );
  }
  return url;
}

/**
 * Runs a token-endpoint request with client authentication (and its one fallback), turning
 * failures into ClauthErrors that name the endpoint. Every grant's response then passes
 * {@linkcode checkTokenResponse}: a Bearer token of RFC 6750 characters, a sane expires_in.
 */
export async function tokenEndpointCall(
  client: Client,
  send: (auth: oauth.ClientAuth) => Promise<oauth.TokenEndpointResponse>,
): Promise<Acquisition> {
  let called: { result: oauth.TokenEndpointResponse; authMethod: AuthMethod };
  try {
    called = await authenticatedCall(client, "token_endpoint", "getting tokens", send);
  } catch (error) {
    throw unsupportedTokenType(error, client.as.issuer) ?? error;
  }
  // Every grant's response passes here: the one check before anything is returned or stored.
  const response = checkTokenResponse(called.result, client.as.issuer, {
    dpop: client.dpop !== undefined,
  });
  return {
    response,
    authMethod: called.authMethod,
    // A server may answer Bearer (it did not bind the token): then there is no key to keep.
    ...(client.dpop && response.token_type.toLowerCase() === "dpop"
      ? { dpopKey: client.dpop.key }
      : {}),
  };
}

/** oauth4webapi's refusal of a token_type ("mac") in our words; undefined for other errors. */
function unsupportedTokenType(error: unknown, issuer: string): ClauthError | undefined {
  const cause = error instanceof ClauthError ? error.cause : error;
  if (!(cause instanceof oauth.UnsupportedOperationError)) return undefined;
  const body = (cause.cause as { body?: { token_type?: unknown } } | undefined)?.body;
  return body?.token_type === undefined
    ? undefined
    : tokenTypeRefusal(body.token_type, issuer, cause);
}

/**
 * Runs a request to an endpoint where the client authenticates (token, device
 * authorization, PAR, introspection, revocation): the endpoint must exist, client
 * authentication gets its one fallback, and failures become ClauthErrors naming the
 * endpoint. `purpose` finishes "which ... needs" when the endpoint is missing.
 */
export async function authenticatedCall<T>(
  client: Client,
  endpoint: keyof EndpointOverrides,
  purpose: string,
  send: (auth: oauth.ClientAuth) => Promise<T>,
): Promise<{ result: T; authMethod: AuthMethod }> {
  requireEndpoint(client, endpoint, purpose);
  try {
    const { result, method } = await withClientAuth(
      client.as,
      client.settings,
      client.dpop ? retryingOnDPoPNonce(send) : send,
    );
    return { result, authMethod: method };
  } catch (error) {
    const method = chooseAuthMethod(client.as, client.settings);
    throw toClauthError(error, endpointOf(endpoint), { credential: credentialSetting(method) });
  }
}
