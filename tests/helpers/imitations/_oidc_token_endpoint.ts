/**
 * The imitation's token endpoint (RFC 6749 §3.2, §4.1.3, §4.4, §6; RFC 7636 §4.6; RFC 8628
 * §3.4; RFC 9449 §5) and the client authentication every back-channel endpoint shares
 * (RFC 6749 §2.3.1: client_secret_basic, form-urlencoded first, or client_secret_post).
 *
 * @module
 */

import {
  DEVICE_GRANT_TYPE,
  type ErrorAnswer,
  type Grant,
  type GrantRecord,
  type ImitationClient,
  type Refusal,
  type RefusalContext,
  refusalOf,
} from "./_oidc_config.ts";
import { checkTokenEndpointProof } from "./_oidc_dpop.ts";
import type { ImitationState } from "./_oidc_tokens.ts";

/** An OAuth error response (RFC 6749 §5.2). */
export function errorResponse(answer: ErrorAnswer): Response {
  return Response.json(
    { error: answer.error, error_description: answer.description },
    { status: answer.status, headers: { "cache-control": "no-store" } },
  );
}

/** An error page: what the browser shows when the redirect URI cannot be trusted. */
export function errorPage(text: string): Response {
  return new Response(`<!DOCTYPE html><title>Error</title><p>${text}</p>`, {
    status: 400,
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}

function refuse(state: ImitationState, refusal: Refusal, context: RefusalContext = {}): Response {
  return errorResponse(refusalOf(state.dialect, refusal, context));
}

/** The Basic credentials, each form-urlencoded first as RFC 6749 §2.3.1 says. */
function basicCredentials(header: string | null): [string, string] | undefined {
  if (!header?.startsWith("Basic ")) return undefined;
  const decoded = atob(header.slice(6));
  const colon = decoded.indexOf(":");
  const decode = (text: string) => decodeURIComponent(text.replace(/\+/g, " "));
  return [decode(decoded.slice(0, colon)), decode(decoded.slice(colon + 1))];
}

/**
 * The client the request authenticates as: a public client by its `client_id`, a
 * confidential one only with its secret. The provider's refusal otherwise.
 */
export function authenticateClient(
  state: ImitationState,
  form: URLSearchParams,
  headers: Headers,
): ImitationClient | Response {
  const basic = basicCredentials(headers.get("authorization"));
  const id = basic?.[0] ?? form.get("client_id");
  const secret = basic?.[1] ?? form.get("client_secret");
  const client = state.dialect.clients.find((candidate) => candidate.id === id);
  if (!client) return refuse(state, "unknown_client");
  if (client.secret !== undefined && secret !== client.secret) {
    return refuse(state, "bad_secret", { client });
  }
  return client;
}

const GRANT_OF: Record<string, Grant> = {
  authorization_code: "authorization_code",
  refresh_token: "refresh_token",
  [DEVICE_GRANT_TYPE]: "device_code",
  client_credentials: "client_credentials",
};

/** Whether a token response for `grant` carries a refresh token. */
function refreshFor(state: ImitationState, grant: GrantRecord): boolean {
  if (!grant.client.grants.includes("refresh_token")) return false;
  return state.dialect.refreshTokens === "always" || grant.scope.includes("offline_access");
}

/** S256 (RFC 7636 §4.6). */
async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return new Uint8Array(digest).toBase64({ alphabet: "base64url", omitPadding: true });
}

/** Answers one token request. */
export async function tokenEndpoint(
  state: ImitationState,
  request: Request,
  form: URLSearchParams,
): Promise<Response> {
  const grantType = form.get("grant_type") ?? "";
  const grant = GRANT_OF[grantType];
  if (!grant) return refuse(state, "unsupported_grant_type", { grantType });
  const client = authenticateClient(state, form, request.headers);
  if (client instanceof Response) return client;
  if (!client.grants.includes(grant) || (grant === "client_credentials" && !client.secret)) {
    return refuse(state, "grant_not_allowed", { client, grantType });
  }
  // RFC 9449 §5: a proof binds the tokens; a client that requires DPoP gets none without one.
  const proofHeader = request.headers.get("dpop");
  let jkt: string | undefined;
  if (proofHeader !== null || client.requireDpop) {
    const verdict = await checkTokenEndpointProof(
      proofHeader,
      { method: "POST", url: request.url, now: state.now() },
      state.proofIds,
    );
    if ("refused" in verdict) {
      return refuse(state, proofHeader === null ? "dpop_missing" : "dpop_invalid", {
        client,
        grantType,
        detail: verdict.refused,
      });
    }
    jkt = verdict.thumbprint;
  }
  const own = state.dialect.checkTokenRequest?.(grantType, form, client);
  if (own) return errorResponse(own);
  const body = await grantTokens(state, grant, form, client, jkt);
  if (body instanceof Response) return body;
  return Response.json(body, { headers: { "cache-control": "no-store", pragma: "no-cache" } });
}

async function grantTokens(
  state: ImitationState,
  grant: Grant,
  form: URLSearchParams,
  client: ImitationClient,
  jkt: string | undefined,
): Promise<Record<string, unknown> | Response> {
  switch (grant) {
    case "authorization_code": {
      const code = state.codes.get(form.get("code") ?? "");
      if (!code || code.used || code.exp <= state.now() || code.grant.client !== client) {
        return refuse(state, "bad_code", { client });
      }
      if (form.get("redirect_uri") !== code.redirectUri) {
        return refuse(state, "bad_code", { client });
      }
      const verifier = form.get("code_verifier");
      if (code.challenge !== undefined || verifier !== null) {
        if (verifier === null || await challengeOf(verifier) !== code.challenge) {
          return refuse(state, "bad_verifier", { client });
        }
      }
      if (code.dpopJkt !== undefined && jkt !== code.dpopJkt) {
        // RFC 9449 §10: the proof's key must be the one the authorization request named.
        return refuse(state, "dpop_invalid", { client, detail: "dpop_jkt mismatch" });
      }
      code.used = true; // RFC 6749 §4.1.2: once
      const record = { ...code.grant, ...(jkt ? { jkt } : {}) };
      return await state.issue(record, {
        refresh: refreshFor(state, record),
        ...(record.nonce ? { nonce: record.nonce } : {}),
      });
    }
    case "refresh_token": {
      const old = state.live(form.get("refresh_token") ?? "", "refresh");
      if (!old || old.grant.client !== client) return refuse(state, "bad_refresh", { client });
      if (old.grant.jkt !== undefined && jkt !== old.grant.jkt) {
        // RFC 9449 §5.0: a bound refresh token needs a proof of the same key.
        return refuse(state, jkt ? "dpop_invalid" : "dpop_missing", {
          client,
          grantType: "refresh_token",
          detail: "DPoP proof key is not the refresh token's",
        });
      }
      const record = jkt ? { ...old.grant, jkt } : old.grant;
      const rotation = state.dialect.rotation;
      if (rotation === "replace") state.revokePair(old.pair);
      if (rotation === "none") return await state.issue(record, { refresh: false, pair: old.pair });
      return await state.issue(record, { refresh: true });
    }
    case "device_code": {
      const device = state.devices.get(form.get("device_code") ?? "");
      if (!device || device.grant.client !== client || device.status === "done") {
        return refuse(state, "bad_code", { client });
      }
      if (device.exp <= state.now()) return refuse(state, "expired_device", { client });
      if (device.status === "denied") return refuse(state, "denied_device", { client });
      if (device.status === "pending") return refuse(state, "pending", { client });
      device.status = "done";
      const record = { ...device.grant, ...(jkt ? { jkt } : {}) };
      return await state.issue(record, { refresh: refreshFor(state, record) });
    }
    case "client_credentials": {
      const audience = form.get("audience");
      const record: GrantRecord = {
        client,
        scope: (form.get("scope") ?? "").split(" ").filter(Boolean),
        subject: client.id,
        authTime: state.now(),
        ...(audience ? { audience } : {}),
        ...(jkt ? { jkt } : {}),
      };
      return await state.issue(record, { refresh: false });
    }
  }
}
