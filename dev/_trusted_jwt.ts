/**
 * Machine identities for the dev provider: JWTs from issuers it trusts (GitHub Actions' OIDC
 * tokens, say) accepted as token-exchange subjects, and the key pair of the private_key_jwt
 * client `demo-jwt-service`.
 */

import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";

/** An issuer whose JWTs the dev provider accepts as subject (or actor) of a token exchange. */
export interface TrustedJwtIssuer {
  /** The JWTs' `iss`. */
  issuer: string;
  /** Its public signing keys. */
  jwks: { keys: JsonWebKey[] };
  /** When set, the JWTs' `aud` must include it. */
  audience?: string;
}

/** Returns the `sub` of a JWT signed by one of `issuers`, or undefined when it is not one. */
export async function trustedJwtSubject(
  value: string,
  issuers: readonly TrustedJwtIssuer[],
): Promise<string | undefined> {
  for (const trusted of issuers) {
    try {
      const { payload } = await jwtVerify(
        value,
        createLocalJWKSet(trusted.jwks as JSONWebKeySet),
        {
          issuer: trusted.issuer,
          ...(trusted.audience === undefined ? {} : { audience: trusted.audience }),
        },
      );
      if (typeof payload.sub === "string" && payload.sub !== "") return payload.sub;
    } catch {
      // not from this issuer (or expired, or badly signed): try the next one
    }
  }
  return undefined;
}

/** A client key pair: the private JWK (for the client) and the public JWK (registered). */
export interface ClientKeyPair {
  privateJwk: JsonWebKey;
  publicJwk: JsonWebKey;
}

/** A fresh P-256 key pair whose `kid` is its RFC 7638 thumbprint. */
export async function generateClientKeyPair(): Promise<ClientKeyPair> {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const { crv, kty, x, y, d } = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const canonical = JSON.stringify({ crv, kty, x, y });
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical));
  const kid = new Uint8Array(digest).toBase64({ alphabet: "base64url", omitPadding: true });
  const publicJwk = { kty, crv, x, y, kid, alg: "ES256", use: "sig" } as JsonWebKey;
  return { privateJwk: { ...publicJwk, d } as JsonWebKey, publicJwk };
}
