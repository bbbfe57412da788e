/**
 * Where issued tokens are used at the imitation: userinfo (OpenID Connect Core §5.3, with the
 * Bearer scheme of RFC 6750 or the DPoP scheme and proof of RFC 9449 §7) and revocation
 * (RFC 7009 §2.1), which revokes what the provider revokes.
 *
 * @module
 */

import { checkResourceProof } from "./_oidc_dpop.ts";
import { type ImitationState, userClaims } from "./_oidc_tokens.ts";

/** What a revocation request named, and whether anything was revoked. */
export interface Revocation {
  kind: "access" | "refresh" | "unknown";
  revoked: boolean;
}

/** Userinfo: the user's claims for a live access token granted `openid`. */
export async function userinfo(state: ImitationState, request: Request): Promise<Response> {
  const [scheme, token = ""] = (request.headers.get("authorization") ?? "").split(" ");
  const record = state.live(token, "access");
  const challenge = (name: string, error: string, status = 401) =>
    new Response(null, {
      status,
      headers: { "www-authenticate": `${name} error="${error}"` },
    });
  if (!record || record.grant.subject !== state.dialect.user.sub) {
    return challenge("Bearer", "invalid_token");
  }
  const { jkt } = record.grant;
  if (jkt !== undefined || scheme === "DPoP") {
    // RFC 9449 §7: a bound token comes with the DPoP scheme and a proof of its key.
    if (jkt === undefined || scheme !== "DPoP") return challenge("DPoP", "invalid_token");
    const verdict = await checkResourceProof(request.headers.get("dpop"), {
      method: request.method,
      url: request.url,
      now: state.now(),
      accessToken: token,
      jkt,
    });
    if ("refused" in verdict) return challenge("DPoP", "invalid_dpop_proof");
  } else if (scheme !== "Bearer") {
    return challenge("Bearer", "invalid_token");
  }
  if (!record.grant.scope.includes("openid")) return challenge("Bearer", "insufficient_scope", 403);
  return Response.json(userClaims(state.dialect, record.grant.scope));
}

/** RFC 7009 §2.1: revokes what the dialect revokes; unknown tokens are no error. */
export function revoke(
  state: ImitationState,
  token: string,
  clientId: string,
): Revocation {
  const record = state.tokens.get(token);
  if (!record || record.grant.client.id !== clientId) return { kind: "unknown", revoked: false };
  const mode = state.dialect.revocation;
  if (mode === "refresh-only" && record.kind !== "refresh") {
    return { kind: record.kind, revoked: false };
  }
  if (mode === "pair") state.revokePair(record.pair);
  else record.revoked = true;
  return { kind: record.kind, revoked: true };
}
