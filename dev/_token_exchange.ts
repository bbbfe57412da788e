/**
 * The dev provider's token exchange grant (RFC 8693): impersonation, or delegation when an
 * actor token is given (an `act` claim). JWTs from trusted issuers are accepted as subjects.
 */

import { errors } from "oidc-provider";
import { JWT_TOKEN_TYPES, TOKEN_TYPE_ACCESS_TOKEN } from "./_constants.ts";
import { bindToProof, tokenRequestProof } from "./_dpop.ts";
import type { OidcKoaContext, Provider, ProviderToken } from "./_provider_api.ts";
import { paramList, stringParam } from "./_requests.ts";
import { type TrustedJwtIssuer, trustedJwtSubject } from "./_trusted_jwt.ts";

async function findActiveToken(
  provider: Provider,
  value: string,
): Promise<ProviderToken | undefined> {
  const token = (await provider.AccessToken.find(value)) ??
    (await provider.ClientCredentials.find(value));
  if (!token || token.isExpired) return undefined;
  if (token.grantId && !(await provider.Grant.find(token.grantId))) return undefined;
  return token;
}

/** Who a subject or actor token stands for. */
interface ExchangeParty {
  /** The user, or for a trusted JWT its `sub`. */
  accountId?: string;
  clientId?: string;
  /** The token's scopes; undefined for a trusted JWT (only the client's scope limits it). */
  scopes?: Set<string>;
  /** The token's own `act` claim (it was exchanged before). */
  act?: unknown;
}

async function exchangeInput(
  provider: Provider,
  params: Record<string, unknown>,
  role: "subject" | "actor",
  trustedIssuers: readonly TrustedJwtIssuer[],
): Promise<ExchangeParty | undefined> {
  const value = stringParam(params, `${role}_token`);
  const type = stringParam(params, `${role}_token_type`);
  if (value === undefined) {
    if (role === "subject") {
      throw new errors.InvalidRequest("missing required parameter 'subject_token'");
    }
    if (type !== undefined) {
      throw new errors.InvalidRequest("actor_token_type given without actor_token");
    }
    return undefined;
  }
  if (type === undefined) {
    throw new errors.InvalidRequest(`missing required parameter '${role}_token_type'`);
  }
  const invalid = () =>
    new errors.CustomOIDCProviderError("invalid_grant", `${role}_token is invalid or expired`);
  if (trustedIssuers.length > 0 && JWT_TOKEN_TYPES.includes(type)) {
    const sub = await trustedJwtSubject(value, trustedIssuers);
    if (sub === undefined) throw invalid();
    return { accountId: sub };
  }
  if (type !== TOKEN_TYPE_ACCESS_TOKEN) {
    throw new errors.InvalidRequest(
      `${role}_token_type must be ${TOKEN_TYPE_ACCESS_TOKEN}${
        trustedIssuers.length > 0 ? `, or ${JWT_TOKEN_TYPES.join(" or ")} for a trusted JWT` : ""
      }`,
    );
  }
  const token = await findActiveToken(provider, value);
  if (!token) throw invalid();
  const scopes = token.scopes;
  scopes.delete("");
  return {
    ...(token.accountId ? { accountId: token.accountId } : {}),
    clientId: token.clientId,
    scopes,
    act: token.extra?.act,
  };
}

export async function tokenExchange(
  provider: Provider,
  ctx: OidcKoaContext,
  extras: WeakMap<object, Record<string, unknown>>,
  trustedIssuers: readonly TrustedJwtIssuer[],
): Promise<void> {
  const { params, client } = ctx.oidc;
  const proof = await tokenRequestProof(provider, ctx);
  const requestedType = stringParam(params, "requested_token_type");
  if (requestedType !== undefined && requestedType !== TOKEN_TYPE_ACCESS_TOKEN) {
    throw new errors.InvalidRequest(`requested_token_type must be ${TOKEN_TYPE_ACCESS_TOKEN}`);
  }
  const subject = await exchangeInput(provider, params, "subject", trustedIssuers);
  if (!subject) throw new errors.InvalidRequest("missing required parameter 'subject_token'");
  const actor = await exchangeInput(provider, params, "actor", trustedIssuers);

  const clientScopes = client.scope ? new Set(client.scope.split(" ")) : undefined;
  const subjectScopes = subject.scopes ?? clientScopes ?? new Set<string>();
  const requested = paramList(params.scope).flatMap((s) => s.split(" ")).filter(Boolean);
  let scopes: string[];
  if (requested.length > 0) {
    const beyondSubject = requested.filter((s) => !subjectScopes.has(s));
    if (beyondSubject.length > 0) {
      throw new errors.InvalidScope(
        "requested scope exceeds the scope of the subject_token",
        beyondSubject.join(" "),
      );
    }
    const notAllowed = requested.filter((s) => clientScopes && !clientScopes.has(s));
    if (notAllowed.length > 0) {
      throw new errors.InvalidScope(
        "requested scope is not allowed for this client",
        notAllowed.join(" "),
      );
    }
    scopes = [...new Set(requested)];
  } else {
    scopes = [...subjectScopes].filter((s) => !clientScopes || clientScopes.has(s));
  }
  const scope = scopes.join(" ");
  const audience = [...paramList(params.audience), ...paramList(params.resource)];

  let token: ProviderToken;
  if (subject.accountId) {
    const grant = new provider.Grant({ accountId: subject.accountId, clientId: client.clientId });
    if (scope) grant.addOIDCScope(scope);
    const grantId = await grant.save();
    token = new provider.AccessToken({
      accountId: subject.accountId,
      client,
      grantId,
      gty: "token_exchange",
      ...(scope ? { scope } : {}),
    });
  } else {
    token = new provider.ClientCredentials({ client, ...(scope ? { scope } : {}) });
  }
  const [onlyAudience, ...moreAudiences] = audience;
  if (onlyAudience !== undefined) {
    token.aud = moreAudiences.length === 0 ? onlyAudience : audience;
  }
  if (actor) {
    const act: Record<string, unknown> = { sub: actor.accountId ?? actor.clientId };
    const previous = subject.act;
    if (previous && typeof previous === "object") act.act = previous;
    extras.set(token, { act });
  } else if (subject.act) {
    extras.set(token, { act: subject.act });
  }

  const tokenType = await bindToProof(provider, ctx, proof, token);
  const value = await token.save();
  ctx.body = {
    access_token: value,
    issued_token_type: TOKEN_TYPE_ACCESS_TOKEN,
    token_type: tokenType,
    expires_in: token.expiration,
    ...(scope ? { scope } : {}),
  };
}
