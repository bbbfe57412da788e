/** The dev provider's signing keys: a fresh EC key per provider, an RSA key per process. */

let rsaKeyPromise: Promise<JsonWebKey> | undefined;

/** A fresh P-256 key per provider (under a millisecond). */
export async function generateEcKey(): Promise<JsonWebKey> {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  return cleanJwk(await crypto.subtle.exportKey("jwk", pair.privateKey), "ES256");
}

/**
 * ID tokens default to RS256, so the keystore needs an RSA key too. Generating one takes
 * 60-300 ms, so it is made once per process (still fresh every run) and shared by the providers
 * a process starts.
 */
export function rsaKey(): Promise<JsonWebKey> {
  rsaKeyPromise ??= generateRsaSigningKey();
  return rsaKeyPromise;
}

/** A new RSA private key, as a JWK, for `DevProviderOptions.rsaSigningKey`. */
export async function generateRsaSigningKey(): Promise<JsonWebKey> {
  const pair = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
  return cleanJwk(await crypto.subtle.exportKey("jwk", pair.privateKey), "RS256");
}

function cleanJwk(jwk: JsonWebKey, alg: string): JsonWebKey {
  const { key_ops: _ops, ext: _ext, ...rest } = jwk;
  return { ...rest, alg, use: "sig" };
}
