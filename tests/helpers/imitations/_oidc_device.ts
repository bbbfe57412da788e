/**
 * The imitation's device flow (RFC 8628): the device authorization endpoint (§3.1-3.2) for a
 * client the provider allows the grant, and the verification page (§3.3) where the person
 * enters the code: opened with `user_code`, it approves at once (`deny` denies).
 *
 * @module
 */

import { refusalOf } from "./_oidc_config.ts";
import { authenticateClient, errorPage, errorResponse } from "./_oidc_token_endpoint.ts";
import { type ImitationState, randomToken } from "./_oidc_tokens.ts";

/** RFC 8628 §3.1-3.2: a device code for a client allowed the grant. */
export function deviceAuthorization(
  state: ImitationState,
  request: Request,
  form: URLSearchParams,
  origin: string,
): Response {
  const { dialect } = state;
  const client = authenticateClient(state, form, request.headers);
  if (client instanceof Response) return client;
  if (!client.grants.includes("device_code")) {
    return errorResponse(refusalOf(dialect, "device_not_allowed", { client }));
  }
  const scope = (form.get("scope") ?? "").split(" ").filter(Boolean);
  const unknown = dialect.scopes && scope.find((name) => !dialect.scopes!.includes(name));
  if (unknown) {
    return errorResponse(refusalOf(dialect, "invalid_scope", { client, detail: unknown }));
  }
  const own = dialect.checkAuthorization?.(form, client);
  if (own) return errorResponse(own);
  const deviceCode = randomToken();
  const userCode = dialect.userCode();
  const audience = form.get("audience");
  state.devices.set(deviceCode, {
    grant: {
      client,
      scope,
      subject: dialect.user.sub,
      authTime: state.now(),
      ...(audience ? { audience } : {}),
    },
    userCode,
    status: "pending",
    exp: state.now() + 600,
  });
  const verification = `${origin}${dialect.paths.verification}`;
  return Response.json({
    device_code: deviceCode,
    user_code: userCode,
    verification_uri: verification,
    verification_uri_complete: `${verification}?user_code=${encodeURIComponent(userCode)}`,
    expires_in: 600,
    interval: dialect.deviceInterval,
  });
}

/** The verification page, opened with a user code: approves it (or denies, with `deny`). */
export function verifyUserCode(state: ImitationState, query: URLSearchParams): Response {
  const userCode = query.get("user_code");
  const device = [...state.devices.values()].find((d) => d.userCode === userCode);
  if (!device || device.status !== "pending") return errorPage("Invalid code");
  device.status = query.has("deny") ? "denied" : "approved";
  return new Response(`<!DOCTYPE html><p>Device ${device.status}.</p>`, {
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}
