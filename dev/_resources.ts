/**
 * Resource indicators (RFC 8707) and Auth0's `audience` parameter in the dev provider.
 *
 * Any https URL, and any http URL on a loopback host, names a resource server. The access token
 * issued for it is a JWT (RFC 9068) signed with the provider's keys whose `aud` is the resource
 * (and whose `cnf.jkt` is the DPoP key, when there was a proof), so tests can read both. Without
 * a resource, tokens stay opaque and usable at userinfo, as before.
 *
 * `audience` is Auth0's name for the same idea; it is mapped onto the resource indicator so it
 * goes through oidc-provider's own checks, grant bookkeeping and consent rather than around
 * them. When a request has both, `resource` wins and `audience` is ignored.
 * - Authorization, device authorization and PAR requests: `audience` is an `extraParams`
 *   parameter (oidc-provider keeps it with the request), and `defaultResource` answers with it
 *   when no `resource` was given.
 * - Token requests: oidc-provider keeps a fixed parameter list per grant and drops anything
 *   else, with no option to add to it. {@link acceptAudienceAtTokenEndpoint} adds `audience` to
 *   the lists of the built-in grants and lets it stand for a missing `resource`; like
 *   dev/_device_pacing.ts it reaches into oidc-provider's private per-instance store.
 *
 * Like Auth0, a token request that names no resource gets the one granted at authorization
 * (`useGrantedResource`), also when `openid` was asked for; RFC 8707 §2.2 lets the server
 * choose. Several resources granted at once must then be told apart at the token endpoint.
 *
 * @module
 */

import { errors } from "oidc-provider";
import providerInternals from "oidc-provider/lib/helpers/weak_cache.js";
import { RESOURCE_SCOPES } from "./_constants.ts";
import type { KoaContext, OidcKoaContext, Provider } from "./_provider_api.ts";
import { stringParam } from "./_requests.ts";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

/** Whether the dev provider issues tokens for `resource`: https, or http on a loopback host. */
export function isAcceptedResource(resource: string): boolean {
  const url = URL.parse(resource);
  if (!url) return false;
  return url.protocol === "https:" ||
    (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname));
}

/** `features.resourceIndicators` of the dev provider's configuration. */
export function resourceIndicatorsFeature() {
  return {
    enabled: true,
    // Called when the request has no `resource`: Auth0's `audience` stands in for it. With
    // `oneOf` (the resources granted earlier) oidc-provider asks which one to use: let it
    // refuse a choice among several, as it does by default.
    defaultResource: (ctx: KoaContext, _client: unknown, oneOf?: string | string[]) =>
      Promise.resolve(
        oneOf ?? (ctx.oidc?.params ? stringParam(ctx.oidc.params, "audience") : undefined),
      ),
    useGrantedResource: () => Promise.resolve(true),
    getResourceServerInfo: (_ctx: unknown, resource: string) => {
      if (!isAcceptedResource(resource)) {
        return Promise.reject(
          new errors.InvalidTarget(
            "resource must be an https URL, or an http URL on a loopback host",
          ),
        );
      }
      return Promise.resolve({
        scope: RESOURCE_SCOPES.join(" "),
        audience: resource,
        // RS256 with the provider's RSA key (oidc-provider's default for JWT access tokens).
        accessTokenFormat: "jwt",
      });
    },
  };
}

type GrantHandler = (ctx: OidcKoaContext) => Promise<void>;

/**
 * Lets every built-in grant that takes `resource` (authorization_code, refresh_token,
 * device_code, client_credentials) take `audience` too, standing for a missing `resource`.
 * Call once, after the provider is built and before other grants are registered.
 */
export function acceptAudienceAtTokenEndpoint(provider: Provider): void {
  const internals = providerInternals(provider) as {
    grantTypeHandlers: Map<string, GrantHandler>;
    /** Parameters per grant type; the `undefined` key holds all of them together. */
    grantTypeParams: Map<string | undefined, Set<string>>;
  };
  const allParams = internals.grantTypeParams.get(undefined);
  if (!allParams) throw new Error("oidc-provider keeps no token endpoint parameter list");
  for (const [grantType, params] of internals.grantTypeParams) {
    if (grantType === undefined || !params.has("resource") || params.has("audience")) continue;
    const handler = internals.grantTypeHandlers.get(grantType);
    if (!handler) continue;
    params.add("audience");
    internals.grantTypeHandlers.set(grantType, (ctx) => {
      const { params } = ctx.oidc;
      if (params.resource === undefined && params.audience !== undefined) {
        params.resource = params.audience;
      }
      return handler(ctx);
    });
  }
  allParams.add("audience");
}
