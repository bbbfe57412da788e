/**
 * The tokens the Entra ID imitation issues (see microsoft_token.ts): an opaque access token
 * for one resource, a new refresh token with every answer when offline_access was granted,
 * and an ID token (RS256, `iss` = `ORIGIN/{tid}/v2.0`, `tid`, pairwise `sub`, `ver` 2.0)
 * when openid was.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#successful-response-2
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference
 */

import type { EntraState, Grant } from "./microsoft_state.ts";
import {
  aadstsError,
  GRAPH,
  KNOWN_RESOURCES,
  opaqueToken,
  pairwiseSubject,
  resourceOfScope,
  resourcesOf,
  scopeRefusal,
  signIdToken,
} from "./microsoft_wire.ts";

/** Tokens for one resource: an access token, a rotated refresh token and an ID token as asked. */
export async function issue(
  state: EntraState,
  grant: Grant,
  { nonce, app = false }: { nonce?: string | undefined; app?: boolean },
): Promise<Response> {
  const refused = scopeRefusal(grant.scope);
  if (refused) return aadstsError(400, "invalid_scope", refused.code, refused.text);
  const names = grant.scope.split(" ").filter(Boolean);
  const resource = resourcesOf(grant.scope)[0] ?? GRAPH;
  if (!KNOWN_RESOURCES.has(resource)) {
    return aadstsError(
      400,
      "invalid_resource",
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${grant.tid}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    );
  }
  const { user } = state;
  const sub = await pairwiseSubject(user.oid, grant.clientId);
  const lifetime = state.options.accessTokenLifetime ?? 3599;
  const oidc = names.filter((name) =>
    resourceOfScope(name) === undefined && name !== "offline_access"
  );
  const permissions = names.filter((name) => resourceOfScope(name) !== undefined);
  const scope = resource === GRAPH
    ? [...oidc, ...permissions.map((name) => name.slice(name.lastIndexOf("/") + 1))].join(" ") ||
      "openid"
    : permissions.join(" ");
  const accessToken = opaqueToken("eyJ0eXAiOiJKV1Qi");
  state.accessTokens.set(accessToken, {
    resource,
    scope,
    sub,
    expiresAt: Date.now() + lifetime * 1000,
  });
  const body: Record<string, unknown> = {
    token_type: "Bearer",
    scope,
    expires_in: lifetime,
    ext_expires_in: lifetime,
    access_token: accessToken,
  };
  if (!app && names.includes("offline_access")) {
    const refreshToken = opaqueToken("1.AXEA");
    state.refreshTokens.set(refreshToken, grant);
    body.refresh_token = refreshToken;
  }
  if (!app && names.includes("openid")) {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      aud: grant.clientId,
      iss: `${state.origin}/${grant.tid}/v2.0`,
      iat: now,
      nbf: now,
      exp: now + 3600,
      ...(names.includes("profile")
        ? { name: user.name, preferred_username: user.preferred_username }
        : {}),
      ...(names.includes("email") ? { email: user.preferred_username } : {}),
      ...(nonce === undefined ? {} : { nonce }),
      oid: user.oid,
      rh: "0.AXEA.",
      sub,
      tid: grant.tid,
      uti: crypto.randomUUID().slice(0, 22),
      ver: "2.0",
    };
    body.id_token = await signIdToken(state.options.idTokenClaims?.(claims) ?? claims);
  }
  return Response.json(body, { headers: { "cache-control": "no-store, no-cache" } });
}
