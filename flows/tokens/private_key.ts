/**
 * The private key a client signs its `private_key_jwt` assertions with (RFC 7523, OIDC Core
 * §9): read from PEM (PKCS#8, or the older PKCS#1 RSA and SEC1 EC forms) or from a JWK in
 * JSON (a single key, or a JWK Set holding exactly one private key).
 *
 * The JWS algorithm follows from the key: the JWK's own `alg` when it has one, else RS256 for
 * RSA, ES256/ES384/ES512 by curve, Ed25519 for Ed25519 keys. The key id is the JWK's `kid`,
 * else its RFC 7638 thumbprint (SHA-256), which is what servers that match keys by
 * thumbprint expect.
 *
 * @module
 */

import { createPrivateKey } from "node:crypto";
import { calculateJwkThumbprint, importJWK, type JWK } from "jose";
import { ClauthError, jsonErrorPlace } from "../../errors.ts";

/** A signing key for client assertions. */
export interface ClientPrivateKey {
  /** The private key, usable for signing. */
  key: CryptoKey;
  /** Sent as the assertion's `kid` header. */
  kid: string;
  /** The JWS algorithm, e.g. "RS256", "ES256", "Ed25519". */
  alg: string;
}

const ALGS_BY_KTY: Record<string, readonly string[]> = {
  RSA: ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"],
  EC: ["ES256", "ES384", "ES512"],
  OKP: ["Ed25519", "EdDSA"],
};
const ALG_BY_CURVE: Record<string, string> = {
  "P-256": "ES256",
  "P-384": "ES384",
  "P-521": "ES512",
  Ed25519: "Ed25519",
};

/**
 * Parses a private key file's text. `source` names the file in error messages.
 *
 * @example Authenticate a client with private_key_jwt
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientCredentialsFlow, createClient, parsePrivateKey } from "@clauth/clauth";
 * // The dev provider stands in for your server; it knows the public half of this key:
 * import { startDevProvider } from "../../dev/provider.ts";
 *
 * const idp = await startDevProvider();
 * // Your key file's text: PEM, or a JWK as here.
 * const keyText = JSON.stringify(idp.clients.privateKeyJwt.private_jwk);
 *
 * const privateKey = await parsePrivateKey(keyText, "client-key.json");
 * const client = await createClient({ issuer: idp.issuer, clientId: "demo-jwt-service", privateKey });
 * const { authMethod } = await clientCredentialsFlow(client, { scope: "api:read" });
 * assert.equal(authMethod, "private_key_jwt");
 * await idp.close();
 * ```
 *
 * @example The algorithm and key id follow from the key
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePrivateKey } from "@clauth/clauth";
 *
 * const { privateKey } = await crypto.subtle.generateKey(
 *   { name: "ECDSA", namedCurve: "P-256" },
 *   true,
 *   ["sign", "verify"],
 * );
 * const jwk = await crypto.subtle.exportKey("jwk", privateKey);
 * const key = await parsePrivateKey(JSON.stringify({ ...jwk, kid: "2024-01" }), "key.json");
 * assert.equal(key.alg, "ES256");
 * assert.equal(key.kid, "2024-01");
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 * @see https://www.rfc-editor.org/rfc/rfc7638
 */
export async function parsePrivateKey(text: string, source: string): Promise<ClientPrivateKey> {
  const fail = (problem: string, cause?: unknown) =>
    new ClauthError("usage", `The private key file ${source} ${problem}.`, { cause });
  const trimmed = text.trim();
  let jwk: JWK;
  if (trimmed.startsWith("{")) {
    jwk = jwkFromJson(trimmed, fail);
  } else if (trimmed.includes("-----BEGIN")) {
    if (/-----BEGIN (?:ENCRYPTED|[A-Z]+ PUBLIC|PUBLIC) /.test(trimmed)) {
      throw fail(
        /ENCRYPTED/.test(trimmed)
          ? "is encrypted: decrypt it first (openssl pkcs8 -topk8 -nocrypt)"
          : "holds a public key: clauth needs the private key",
      );
    }
    try {
      jwk = createPrivateKey({ key: trimmed, format: "pem" }).export({ format: "jwk" }) as JWK;
    } catch (error) {
      throw fail(`is not a PEM private key clauth can read: ${(error as Error).message}`, error);
    }
  } else {
    throw fail("is neither PEM (-----BEGIN PRIVATE KEY-----) nor a JWK in JSON");
  }
  if (jwk.d === undefined) throw fail("holds a public key: clauth needs the private key");

  const kty = jwk.kty ?? "";
  const allowed = ALGS_BY_KTY[kty];
  if (!allowed) throw fail(`has a key of type "${kty}"; use an RSA, EC or Ed25519 key`);
  const alg = jwk.alg ?? (kty === "RSA" ? "RS256" : ALG_BY_CURVE[jwk.crv ?? ""]);
  if (alg === undefined || !allowed.includes(alg)) {
    throw fail(`has an unsupported key (${kty} ${jwk.crv ?? ""} ${jwk.alg ?? ""})`.trimEnd());
  }
  let key: CryptoKey | Uint8Array;
  try {
    // jose imports EdDSA keys only under the name of the algorithm it knows them by.
    key = await importJWK({ ...jwk, ext: false }, alg === "EdDSA" ? "Ed25519" : alg);
  } catch (error) {
    throw fail(`cannot be used for ${alg}: ${(error as Error).message}`, error);
  }
  if (!(key instanceof CryptoKey)) throw fail("holds a symmetric key, not a private key");
  const kid = jwk.kid ?? await calculateJwkThumbprint(jwk, "sha256");
  return { key, kid, alg };
}

function jwkFromJson(text: string, fail: (problem: string, cause?: unknown) => Error): JWK {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw fail(`is not valid JSON${jsonErrorPlace(error)}`);
  }
  if (typeof value !== "object" || value === null) throw fail("is not a JWK");
  const keys = (value as { keys?: unknown }).keys;
  if (Array.isArray(keys)) {
    const privateKeys = keys.filter((k) => typeof k === "object" && k !== null && "d" in k);
    if (privateKeys.length !== 1) {
      throw fail(
        `is a JWK Set with ${privateKeys.length} private keys; it must hold exactly one`,
      );
    }
    return privateKeys[0] as JWK;
  }
  return value as JWK;
}
