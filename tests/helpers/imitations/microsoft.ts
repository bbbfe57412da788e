/**
 * A local imitation of Microsoft Entra ID's v2.0 endpoints (Deno.serve on 127.0.0.1, port 0),
 * written from Microsoft's documentation, to test the microsoft preset through the real CLI:
 *
 * - Discovery per tenant path (`/{tenant}/v2.0/.well-known/openid-configuration`): the issuer
 *   is `ORIGIN/{tenantid}/v2.0` for organizations and common, the consumers tenant's for
 *   consumers, the tenant's GUID for its GUID or domain; no revocation, introspection or PAR
 *   endpoint; userinfo on "Microsoft Graph" (`/graph/oidc/userinfo`, another path here).
 * - Authorization: the user signs in at once; an unknown client or an unregistered redirect
 *   URI gets Entra's error page (no redirect); loopback redirect URIs match whatever their
 *   port; prompt=consent where users may not consent is "Need admin approval" (an error page).
 * - Device code (`/devicecode`, `interval`, Entra's `message`); the test approves or declines.
 * - Token endpoint (microsoft_token.ts): PKCE, public and confidential clients, one resource
 *   per token, rotating refresh tokens, Entra's AADSTS error bodies.
 * - ID tokens signed RS256 with `tid`, `iss` = `ORIGIN/{tid}/v2.0`, pairwise `sub`.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reply-url#localhost-exceptions
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/userinfo
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#validate-the-issuer
 */

import { tokenEndpoint } from "./microsoft_token.ts";
import { authorize, deviceCode, userinfo } from "./microsoft_authorize.ts";
import { aadstsError, jwks } from "./microsoft_wire.ts";
import {
  CLIENT_ID,
  CONSUMERS_TENANT_ID,
  type EntraOptions,
  type EntraState,
  HOME_DOMAIN,
  HOME_TENANT_ID,
} from "./microsoft_state.ts";

export type { EntraApp, EntraOptions, EntraUser } from "./microsoft_state.ts";
export { GRAPH, MY_API } from "./microsoft_wire.ts";
export { CLIENT_ID, CONSUMERS_TENANT_ID, HOME_DOMAIN, HOME_TENANT_ID } from "./microsoft_state.ts";

/** A running imitation. */
export interface EntraImitation {
  /** `http://127.0.0.1:<port>`: the authority, as a national cloud's would be given. */
  authority: string;
  /** The state tests may look at and change (the app registration, counts, requests). */
  state: EntraState;
  /** Approves (or declines) the device login whose user code is `userCode`. */
  approveDevice(userCode: string, options?: { decline?: boolean }): void;
  close(): Promise<void>;
}

/** Starts the imitation; `options` describe the app registration, the user and policies. */
export function startEntra(options: EntraOptions = {}): EntraImitation {
  const state = {} as EntraState;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => route(state, request),
  );
  const origin = `http://127.0.0.1:${server.addr.port}`;
  Object.assign(
    state,
    {
      origin,
      options,
      app: {
        clientId: CLIENT_ID,
        redirectUris: [{ uri: "http://127.0.0.1/callback", type: "InstalledClient" }],
        allowPublicClientFlows: true,
        signInAudience: "AzureADMultipleOrgs",
        userConsentAllowed: true,
        ...options.app,
      },
      user: {
        tid: HOME_TENANT_ID,
        oid: "11111111-2222-3333-4444-555555555555",
        name: "Adele Vance",
        preferred_username: "adele@contoso.onmicrosoft.com",
        ...options.user,
      },
      codes: new Map(),
      devices: new Map(),
      refreshTokens: new Map(),
      accessTokens: new Map(),
      counts: {},
      requests: [],
    } satisfies Omit<EntraState, "never">,
  );
  return {
    authority: origin,
    state,
    approveDevice(userCode, { decline = false } = {}) {
      for (const device of state.devices.values()) {
        if (device.userCode === userCode) device.status = decline ? "declined" : "approved";
      }
    },
    close: () => server.shutdown(),
  };
}

/** Runs `body` with a fresh imitation, closed afterwards. */
export async function withEntra(
  options: EntraOptions,
  body: (entra: EntraImitation) => Promise<void>,
): Promise<void> {
  const entra = startEntra(options);
  try {
    await body(entra);
  } finally {
    await entra.close();
  }
}

/** What a tenant path segment is; undefined for a tenant Entra does not know (AADSTS90002). */
export function tenantOf(segment: string): "multi" | "consumers" | "home" | undefined {
  const name = segment.toLowerCase();
  if (name === "organizations" || name === "common") return "multi";
  if (name === "consumers" || name === CONSUMERS_TENANT_ID) return "consumers";
  if (name === HOME_TENANT_ID || name === HOME_DOMAIN) return "home";
  return undefined;
}

async function route(state: EntraState, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const count = (name: string) => state.counts[name] = (state.counts[name] ?? 0) + 1;
  if (url.pathname === "/graph/oidc/userinfo") {
    count("userinfo");
    return userinfo(state, request);
  }
  const [, segment = "", ...rest] = url.pathname.split("/");
  const path = rest.join("/");
  const tenant = tenantOf(segment);
  if (!tenant) {
    count("unknown_tenant");
    return aadstsError(
      400,
      "invalid_tenant",
      90002,
      `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    );
  }
  switch (`${request.method} ${path}`) {
    case "GET v2.0/.well-known/openid-configuration":
      count("discovery");
      return discovery(state, segment, tenant);
    case "GET discovery/v2.0/keys":
      count("jwks");
      return await jwks(state.origin);
    case "GET oauth2/v2.0/authorize":
      count("authorize");
      return authorize(state, segment, tenant, url.searchParams);
    case "POST oauth2/v2.0/devicecode":
      count("devicecode");
      return deviceCode(state, segment, new URLSearchParams(await request.text()));
    case "POST oauth2/v2.0/token":
      count("token");
      return await tokenEndpoint(state, segment, tenant, request);
  }
  return new Response("Not Found", { status: 404 });
}

/**
 * The discovery document, as Entra's: the issuer template for organizations and common, the
 * tenant's GUID in the issuer and the endpoints for a tenant named by its domain.
 */
function discovery(state: EntraState, segment: string, tenant: "multi" | "consumers" | "home") {
  const { origin } = state;
  const issuerTenant = tenant === "multi"
    ? "{tenantid}"
    : tenant === "consumers"
    ? CONSUMERS_TENANT_ID
    : HOME_TENANT_ID;
  const at = tenant === "home" ? HOME_TENANT_ID : segment;
  return Response.json({
    token_endpoint: `${origin}/${at}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: [
      "client_secret_post",
      "private_key_jwt",
      "client_secret_basic",
    ],
    jwks_uri: `${origin}/${at}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${origin}/${issuerTenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${origin}/graph/oidc/userinfo`,
    authorization_endpoint: `${origin}/${at}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${origin}/${at}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${origin}/${at}/oauth2/v2.0/logout`,
    claims_supported: [
      "sub",
      "iss",
      "aud",
      "exp",
      "iat",
      "auth_time",
      "acr",
      "nonce",
      "preferred_username",
      "name",
      "tid",
      "ver",
      "at_hash",
      "c_hash",
      "email",
    ],
    cloud_instance_name: "microsoftonline.com",
    msgraph_host: "graph.microsoft.com",
  });
}
