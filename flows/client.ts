/**
 * A client of one authorization server: its metadata, the client identity, and the request
 * options every flow shares. Create one with {@linkcode createClient}, then hand it to a flow.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import { ClauthError } from "../errors.ts";
import type { FlowDependencies } from "./dependencies.ts";
import { discover } from "./discovery.ts";
import type { EndpointOverrides } from "./endpoints.ts";
import { type AuthMethod, type ClientCredentials, withClientAuth } from "./client_auth.ts";
import { timedFetch } from "./http.ts";
import { isLoopbackHost } from "./issuer.ts";
import { toClauthError } from "./oauth_errors.ts";

/** Who the client is and where its server lives. */
export interface ClientSettings extends ClientCredentials {
  /** The issuer identifier (https, or http on loopback only). */
  issuer: string;
  /** The client id registered at the server. */
  clientId: string;
  /** Endpoints that win over discovery. */
  endpoints?: EndpointOverrides;
}

/** A discovered server plus client identity; what flows take as their first argument. */
export interface Client {
  readonly settings: ClientSettings;
  readonly as: oauth.AuthorizationServer;
  readonly client: oauth.Client;
  readonly deps: FlowDependencies;
  /** Options for every oauth4webapi request: fetch with timeout, loopback http allowance. */
  readonly requestOptions: {
    [oauth.customFetch]: typeof fetch;
    [oauth.allowInsecureRequests]: boolean;
    signal?: AbortSignal;
  };
}

/** Result of a token-endpoint request: the response and the auth method that worked. */
export interface TokenResult {
  response: oauth.TokenEndpointResponse;
  authMethod: AuthMethod;
}

/**
 * Discovers the server and returns a {@linkcode Client} for the flows.
 *
 * @example Get a client-credentials token
 * ```ts ignore
 * import { clientCredentialsFlow, createClient } from "./mod.ts";
 * const client = await createClient({
 *   issuer: "https://login.example.com",
 *   clientId: "my-service",
 *   clientSecret: Deno.env.get("MY_SECRET"),
 * });
 * const { response } = await clientCredentialsFlow(client, { scope: "api:read" });
 * console.log(response.expires_in);
 * ```
 */
export async function createClient(
  settings: ClientSettings,
  deps: FlowDependencies = {},
): Promise<Client> {
  const as = await discover(settings.issuer, { endpoints: settings.endpoints ?? {}, deps });
  const requestOptions: Client["requestOptions"] = {
    [oauth.customFetch]: timedFetch(deps),
    [oauth.allowInsecureRequests]: isLoopbackHost(new URL(settings.issuer).hostname),
  };
  if (deps.signal) requestOptions.signal = deps.signal;
  return { settings, as, client: { client_id: settings.clientId }, deps, requestOptions };
}

/** Throws a clear error when the server has no such endpoint and the profile set none. */
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
    );
  }
  return url;
}

/**
 * Runs a token-endpoint request with client authentication (and its one fallback), turning
 * failures into ClauthErrors that name the endpoint.
 */
export async function tokenEndpointCall(
  client: Client,
  send: (auth: oauth.ClientAuth) => Promise<oauth.TokenEndpointResponse>,
): Promise<TokenResult> {
  requireEndpoint(client, "token_endpoint", "getting tokens");
  try {
    const { result, method } = await withClientAuth(client.as, client.settings, send);
    return { response: result, authMethod: method };
  } catch (error) {
    throw toClauthError(error, "token endpoint");
  }
}
