/**
 * DPoP (RFC 9449) in the dev provider.
 *
 * oidc-provider 9 does the checks by itself, for every client, at the token, PAR and userinfo
 * endpoints: the proof's signature with its embedded key (ES256, Ed25519 or EdDSA, advertised
 * as `dpop_signing_alg_values_supported`), `typ`, `htm`, `htu`, `iat` within a minute, and `jti`
 * replay per client (`features.dPoP.allowReplay` is false by default). A token request with a
 * proof gets a `DPoP` token bound with `cnf.jkt`; a client with `dpop_bound_access_tokens`
 * (demo-dpop) gets nothing without one. This file adds what is not on by default:
 * - server nonces (§8), required at the token and PAR endpoints when the dev provider is
 *   started with `dpopNonce`;
 * - the same proof checks and binding for the token exchange grant: oidc-provider leaves them
 *   to each grant's handler, and passes its helpers only to its built-in grants.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import validateDpop from "oidc-provider/lib/helpers/validate_dpop.js";
import { checkDpopRequired } from "oidc-provider/lib/helpers/sender_constraints.js";
import { applyDpopBinding } from "oidc-provider/lib/helpers/grant_common.js";
import type { KoaContext, OidcKoaContext, Provider, ProviderToken } from "./_provider_api.ts";

/** The routes where `dpopNonce` makes a nonce mandatory in every proof. */
const NONCE_ROUTES = new Set(["token", "pushed_authorization_request"]);

/** `features.dPoP` of the dev provider's configuration. */
export function dpopFeature(options: { requireNonce: boolean }) {
  if (!options.requireNonce) return { enabled: true };
  return {
    enabled: true,
    // Nonces are HMACs over a time window under this key (a 32-byte Buffer is required). Left
    // unset otherwise: with a secret, oidc-provider sends DPoP-Nonce on every DPoP answer.
    nonceSecret: Buffer.from(crypto.getRandomValues(new Uint8Array(32))),
    requireNonce: (ctx: KoaContext) => NONCE_ROUTES.has(ctx.oidc?.route ?? ""),
  };
}

/** A checked DPoP proof: the key's JWK thumbprint (RFC 7638) and the proof's `jti`. */
export interface DpopProof {
  thumbprint: string;
  jti: string;
  iat: number;
}

/**
 * Checks the request's DPoP proof as the built-in grants do; undefined when there is none,
 * which a client with `dpop_bound_access_tokens` is refused (invalid_grant).
 */
export async function tokenRequestProof(
  provider: Provider,
  ctx: OidcKoaContext,
): Promise<DpopProof | undefined> {
  const proof: DpopProof | undefined = await validateDpop(provider, ctx);
  checkDpopRequired(provider, ctx, proof);
  return proof;
}

/**
 * Binds `token` to the proof's key (refusing a replayed proof) before it is saved; returns
 * the `token_type` to answer with.
 */
export async function bindToProof(
  provider: Provider,
  ctx: OidcKoaContext,
  proof: DpopProof | undefined,
  token: ProviderToken,
): Promise<"DPoP" | "Bearer"> {
  if (!proof) return "Bearer";
  await applyDpopBinding(provider, ctx, proof, token);
  return "DPoP";
}
