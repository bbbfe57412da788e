/**
 * The Entra ID imitation's authorization, device authorization and userinfo endpoints (see
 * microsoft.ts), and the checks the token endpoint shares: the redirect URI registration and
 * the app's sign-in audience.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reply-url#localhost-exceptions
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code#device-authorization-response
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/userinfo#calling-the-api
 */

import { tenantOf } from "./microsoft.ts";
import { CONSUMERS_TENANT_ID, type EntraState, HOME_TENANT_ID } from "./microsoft_state.ts";
import { aadstsError, errorPage, GRAPH, redirectError, scopeRefusal } from "./microsoft_wire.ts";

/** Loopback redirect URIs match whatever their port; others exactly (reply-url.md). */
export function registeredRedirect(state: EntraState, uri: string) {
  let sent: URL;
  try {
    sent = new URL(uri);
  } catch {
    return undefined;
  }
  const loopback = sent.hostname === "127.0.0.1" || sent.hostname === "localhost";
  return state.app.redirectUris.find((entry) => {
    const registered = new URL(entry.uri);
    if (!loopback) return registered.href === sent.href;
    return registered.protocol === sent.protocol && registered.hostname === sent.hostname &&
      registered.pathname === sent.pathname && registered.search === sent.search;
  });
}

/** Whether the app may be used where the login goes (its sign-in audience), else the refusal. */
export function audienceRefusal(state: EntraState, segment: string, tenant: string) {
  const { clientId, signInAudience } = state.app;
  if (segment.toLowerCase() === "common" && signInAudience === "AzureADMyOrg") {
    return {
      code: 50194,
      text:
        `Application '${clientId}'(clauth) is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant.`,
    };
  }
  if (tenant === "consumers" && signInAudience !== "AzureADandPersonalMicrosoftAccount") {
    return {
      code: 9002332,
      text:
        `Application '${clientId}'(clauth) is configured for use by Azure Active Directory users only. Please do not use the /consumers endpoint to serve this request.`,
    };
  }
  return undefined;
}

export function authorize(
  state: EntraState,
  segment: string,
  tenant: string,
  query: URLSearchParams,
) {
  const clientId = query.get("client_id") ?? "";
  state.requests.push({ endpoint: "authorize", params: Object.fromEntries(query) });
  if (clientId !== state.app.clientId) {
    return errorPage(
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${segment}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  const redirectUri = query.get("redirect_uri") ?? "";
  if (!registeredRedirect(state, redirectUri)) {
    return errorPage(
      50011,
      `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`,
    );
  }
  const refusal = audienceRefusal(state, segment, tenant);
  if (refusal) return errorPage(refusal.code, refusal.text);
  const stateParam = query.get("state");
  if (query.get("response_type") !== "code") {
    return redirectError(
      redirectUri,
      stateParam,
      "unsupported_response_type",
      700054,
      "response_type is not enabled for the application.",
    );
  }
  const scope = query.get("scope") ?? "";
  if (!scope) {
    return redirectError(
      redirectUri,
      stateParam,
      "invalid_request",
      900144,
      "The request body must contain the following parameter: 'scope'.",
    );
  }
  const mixed = scopeRefusal(scope);
  // "For the /authorize leg of the request, this parameter can cover multiple resources."
  if (mixed && mixed.code !== 28000) {
    return redirectError(redirectUri, stateParam, "invalid_scope", mixed.code, mixed.text);
  }
  if (query.get("prompt")?.split(" ").includes("consent") && !state.app.userConsentAllowed) {
    // Users may not consent in this tenant: prompt=consent asks them anyway ("Need admin approval").
    return errorPage(
      90094,
      `Admin consent is required for the permissions requested by this application. An admin consent request may be sent to the admin.`,
    );
  }
  const code = crypto.randomUUID();
  state.codes.set(code, {
    clientId,
    segment: segment.toLowerCase(),
    redirectUri,
    scope,
    nonce: query.get("nonce") ?? undefined,
    challenge: query.get("code_challenge") ?? undefined,
    method: query.get("code_challenge_method") ?? "plain",
    tid: tenantIdFor(state, tenant),
  });
  const back = new URL(redirectUri);
  back.searchParams.set("code", code);
  if (stateParam !== null) back.searchParams.set("state", stateParam);
  back.searchParams.set("session_state", crypto.randomUUID());
  return Response.redirect(back.href, 302);
}

/**
 * The tenant the user signs in to: the one named, the consumers tenant for personal accounts,
 * the user's own at organizations and common.
 */
export function tenantIdFor(state: EntraState, tenant: string): string {
  if (tenant === "home") return HOME_TENANT_ID;
  if (tenant === "consumers") return CONSUMERS_TENANT_ID;
  return state.user.tid;
}

export function deviceCode(state: EntraState, segment: string, form: URLSearchParams) {
  state.requests.push({ endpoint: "devicecode", params: Object.fromEntries(form) });
  const clientId = form.get("client_id") ?? "";
  if (clientId !== state.app.clientId) {
    return aadstsError(
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${segment}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  const tenant = tenantOf(segment)!;
  const refusal = audienceRefusal(state, segment, tenant);
  if (refusal) return aadstsError(400, "invalid_request", refusal.code, refusal.text);
  const scope = form.get("scope") ?? "";
  if (!scope) {
    return aadstsError(
      400,
      "invalid_request",
      900144,
      "The request body must contain the following parameter: 'scope'.",
    );
  }
  const refused = scopeRefusal(scope);
  if (refused) return aadstsError(400, "invalid_scope", refused.code, refused.text);
  const userCode = Array.from(
    crypto.getRandomValues(new Uint8Array(9)),
    (byte) => "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"[byte % 32],
  ).join("");
  const deviceCode = crypto.randomUUID() + crypto.randomUUID();
  const verification = `${state.origin}/devicelogin`;
  state.devices.set(deviceCode, {
    userCode,
    clientId,
    segment: segment.toLowerCase(),
    scope,
    status: "pending",
    expiresAt: Date.now() + 900_000,
    tid: tenantIdFor(state, tenant),
  });
  return Response.json({
    user_code: userCode,
    device_code: deviceCode,
    verification_uri: verification,
    expires_in: 900,
    interval: state.options.deviceInterval ?? 5,
    message:
      `To sign in, use a web browser to open the page ${verification} and enter the code ${userCode} to authenticate.`,
  });
}

/** Microsoft Graph's userinfo: only for access tokens whose resource is Graph. */
export function userinfo(state: EntraState, request: Request): Response {
  const token = request.headers.get("authorization")?.match(/^Bearer (\S+)$/)?.[1];
  const record = token === undefined ? undefined : state.accessTokens.get(token);
  const refuse = (message: string) =>
    Response.json({ error: { code: "InvalidAuthenticationToken", message } }, {
      status: 401,
      headers: {
        "www-authenticate":
          'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
      },
    });
  if (!record || record.expiresAt < Date.now()) return refuse("Access token validation failure.");
  if (record.resource !== GRAPH) {
    return refuse("Access token validation failure. Invalid audience.");
  }
  const { user } = state;
  const [given_name, family_name] = user.name.split(" ");
  return Response.json({
    sub: record.sub,
    name: user.name,
    family_name,
    given_name,
    picture: "https://graph.microsoft.com/v1.0/me/photo/$value",
    ...(record.scope.split(" ").includes("email") ? { email: user.preferred_username } : {}),
  });
}
