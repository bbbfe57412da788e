/** Signing keys and ID tokens of our own, to present tokens a real server would not issue. */

import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

export interface TestKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  /** The public JWK, as a jwks_uri would publish it. */
  jwk: JWK;
}

/** A fresh key pair (ES256 by default: fast to make). */
export async function testKey(kid: string, alg = "ES256"): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...await exportJWK(publicKey), kid, alg, use: "sig" };
  return { kid, alg, privateKey, jwk };
}

/** Seconds since the epoch. */
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Standard ID token claims for `issuer` and `clientId`, valid for an hour from now. */
export function idTokenClaims(
  issuer: string,
  clientId: string,
  extra: Record<string, unknown> = {},
) {
  const now = nowSeconds();
  return { iss: issuer, sub: "alice", aud: clientId, iat: now, exp: now + 3600, ...extra };
}

/** Signs `claims` with `key`; `header` replaces header fields (e.g. another kid). */
export async function signJwt(
  key: TestKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  return await new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT", ...header })
    .sign(key.privateKey);
}

/** The claims of a JWT, unverified (for tests that re-sign what a server issued). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(Uint8Array.fromBase64(jwt.split(".")[1]!, {
    alphabet: "base64url",
  })));
}

/** `jwt` with its payload replaced and the original signature kept (so it no longer verifies). */
export function withPayload(jwt: string, claims: Record<string, unknown>): string {
  const [header, , signature] = jwt.split(".");
  const payload = new TextEncoder().encode(JSON.stringify(claims)).toBase64({
    alphabet: "base64url",
    omitPadding: true,
  });
  return `${header}.${payload}.${signature}`;
}
