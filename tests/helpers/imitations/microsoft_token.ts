/**
 * The Entra ID imitation's token endpoint (`/{tenant}/oauth2/v2.0/token`): authorization code
 * with PKCE, device code, refresh and client credentials, each checking what Entra checks, and
 * answering refusals with Entra's AADSTS error bodies.
 *
 * - Public clients (a "Mobile and desktop applications" redirect URI, "Allow public client
 *   flows" for the device flow) send no secret: AADSTS700025 if they do. A "Web" redirect URI
 *   or a device login without public client flows needs the secret: AADSTS7000218.
 * - "The scopes must all be from a single resource": AADSTS28000 otherwise.
 * - Refresh tokens rotate: every answer has a new one; "refresh tokens aren't revoked when
 *   used to acquire new access tokens", so the old one keeps working.
 * - The device flow answers `authorization_pending`, `authorization_declined`,
 *   `expired_token` and `bad_verification_code`.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#redeem-a-code-for-an-access-token
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#refresh-the-access-token
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code#expected-errors
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 */

import { registeredRedirect } from "./microsoft_authorize.ts";
import { issue } from "./microsoft_issue.ts";
import type { EntraState } from "./microsoft_state.ts";
import { aadstsError } from "./microsoft_wire.ts";

/** The client and how it authenticated (HTTP Basic or client_secret in the form). */
function clientOf(request: Request, form: URLSearchParams) {
  const basic = request.headers.get("authorization")?.match(/^Basic (\S+)$/)?.[1];
  if (basic) {
    const [id, secret] = atob(basic).split(":").map((part) =>
      decodeURIComponent(part.replaceAll("+", " "))
    );
    return { clientId: id ?? "", secret };
  }
  return { clientId: form.get("client_id") ?? "", secret: form.get("client_secret") ?? undefined };
}

const invalidGrant = (code: number, text: string) => aadstsError(400, "invalid_grant", code, text);
const confidentialOnly = () =>
  aadstsError(
    401,
    "invalid_client",
    7000218,
    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  );

export async function tokenEndpoint(
  state: EntraState,
  segment: string,
  tenant: "multi" | "consumers" | "home",
  request: Request,
): Promise<Response> {
  const form = new URLSearchParams(await request.text());
  const grantType = form.get("grant_type") ?? "";
  state.counts[`token:${grantType}`] = (state.counts[`token:${grantType}`] ?? 0) + 1;
  const {
    client_secret: _s,
    code: _c,
    code_verifier: _v,
    refresh_token: _r,
    device_code: _d,
    ...shown
  } = Object.fromEntries(form);
  state.requests.push({ endpoint: "token", params: shown });
  const client = clientOf(request, form);
  if (!client.clientId) {
    return aadstsError(
      400,
      "invalid_request",
      900144,
      "The request body must contain the following parameter: 'client_id'.",
    );
  }
  if (client.clientId !== state.app.clientId) {
    return aadstsError(
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${client.clientId}' was not found in the directory '${segment}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  if (client.secret !== undefined) {
    if (state.app.secret === undefined) {
      return aadstsError(
        401,
        "invalid_client",
        700025,
        "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
      );
    }
    if (client.secret !== state.app.secret) {
      return aadstsError(
        401,
        "invalid_client",
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.clientId}'.`,
      );
    }
  }
  const authenticated = client.secret !== undefined;
  const at = segment.toLowerCase();
  switch (grantType) {
    case "authorization_code":
      return await redeemCode(state, at, form, authenticated);
    case "urn:ietf:params:oauth:grant-type:device_code":
      return await redeemDevice(state, at, form, authenticated);
    case "refresh_token":
      return await refresh(state, at, form, authenticated);
    case "client_credentials": {
      if (!authenticated) return confidentialOnly();
      if (at === "organizations") {
        // "No tenant-identifying information found in either the request or implied by any
        // provided credentials": an app's own token is for one tenant.
        return aadstsError(
          400,
          "invalid_request",
          50059,
          "No tenant-identifying information found in either the request or implied by any provided credentials.",
        );
      }
      if (tenant !== "home") {
        return aadstsError(
          400,
          "invalid_request",
          9001023,
          "The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.",
        );
      }
      const scope = form.get("scope") ?? "";
      const names = scope.split(" ").filter(Boolean);
      if (names.length !== 1 || !names[0]!.endsWith("/.default")) {
        return aadstsError(
          400,
          "invalid_scope",
          1002012,
          `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
        );
      }
      return await issue(state, {
        clientId: client.clientId,
        segment: at,
        scope,
        tid: state.user.tid,
        public: false,
      }, { app: true });
    }
  }
  return aadstsError(
    400,
    "unsupported_grant_type",
    70003,
    `The app requested an unsupported grant type '${grantType}'.`,
  );
}

async function redeemCode(
  state: EntraState,
  at: string,
  form: URLSearchParams,
  authenticated: boolean,
) {
  const value = form.get("code") ?? "";
  const code = state.codes.get(value);
  if (!code) {
    return invalidGrant(
      70008,
      "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
    );
  }
  state.codes.delete(value);
  if (code.segment !== at) {
    return invalidGrant(
      700005,
      "Provided Authorization Code is intended to use against other tenant, thus rejected.",
    );
  }
  const redirectUri = form.get("redirect_uri");
  if (redirectUri === null) {
    return aadstsError(
      400,
      "invalid_request",
      900144,
      "The request body must contain the following parameter: 'redirect_uri'.",
    );
  }
  const registered = registeredRedirect(state, redirectUri);
  if (!registered) {
    return aadstsError(
      400,
      "invalid_request",
      50011,
      `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${code.clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`,
    );
  }
  if (redirectUri !== code.redirectUri) {
    return invalidGrant(
      70000,
      "The provided value for the 'redirect_uri' is not valid. The value must exactly match the redirect URI used to obtain the authorization code.",
    );
  }
  if (registered.type === "Web" && !authenticated) return confidentialOnly();
  if (code.challenge !== undefined) {
    const verifier = form.get("code_verifier") ?? "";
    const digest = new Uint8Array(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)),
    );
    const computed = code.method === "S256"
      ? digest.toBase64({ alphabet: "base64url", omitPadding: true })
      : verifier;
    if (!verifier || computed !== code.challenge) {
      return invalidGrant(
        501481,
        "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
      );
    }
  }
  const scope = form.get("scope") ?? code.scope;
  return await issue(state, {
    clientId: code.clientId,
    segment: at,
    scope,
    tid: code.tid,
    public: !authenticated,
  }, { nonce: code.nonce });
}

async function redeemDevice(
  state: EntraState,
  at: string,
  form: URLSearchParams,
  authenticated: boolean,
) {
  if (!authenticated && !state.app.allowPublicClientFlows) return confidentialOnly();
  const value = form.get("device_code") ?? "";
  const device = state.devices.get(value);
  if (!device || device.segment !== at || device.status === "redeemed") {
    return aadstsError(
      400,
      "bad_verification_code",
      70000,
      "The provided value for the input parameter 'device_code' is not valid.",
    );
  }
  if (device.expiresAt < Date.now()) {
    return aadstsError(400, "expired_token", 70019, "Verification code expired.");
  }
  if (device.status === "pending") {
    return aadstsError(
      400,
      "authorization_pending",
      70016,
      "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
    );
  }
  if (device.status === "declined") {
    return aadstsError(400, "authorization_declined", 70000, "The user declined to sign in.");
  }
  device.status = "redeemed";
  return await issue(state, {
    clientId: device.clientId,
    segment: at,
    scope: device.scope,
    tid: device.tid,
    public: !authenticated,
  }, {});
}

async function refresh(
  state: EntraState,
  at: string,
  form: URLSearchParams,
  authenticated: boolean,
) {
  const grant = state.refreshTokens.get(form.get("refresh_token") ?? "");
  if (!grant || grant.segment !== at) {
    return invalidGrant(9002313, "Invalid request. Request is malformed or invalid.");
  }
  if (!grant.public && !authenticated) return confidentialOnly();
  const refusal = state.options.refreshRefusal;
  if (refusal === 50076) {
    return aadstsError(
      400,
      "invalid_grant",
      50076,
      "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access 'https://graph.microsoft.com'.",
      { suberror: "basic_action" },
    );
  }
  if (refusal === 65001) {
    return aadstsError(
      400,
      "invalid_grant",
      65001,
      `The user or administrator has not consented to use the application with ID '${grant.clientId}' named 'clauth'. Send an interactive authorization request for this user and resource.`,
      { suberror: "consent_required" },
    );
  }
  if (refusal === 700082) {
    return invalidGrant(
      700082,
      "The refresh token has expired due to inactivity. The token was issued on 2026-08-01T00:00:00Z and was inactive for 90.00:00:00.",
    );
  }
  const scope = form.get("scope") ?? grant.scope;
  return await issue(state, { ...grant, scope }, {});
}
