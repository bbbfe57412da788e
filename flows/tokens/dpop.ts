/**
 * DPoP (RFC 9449): the key pair a token slot's tokens are bound to, and the proofs that show
 * a server clauth holds it. oauth4webapi signs the proofs and remembers each server's nonce
 * (its DPoP handle); this module makes, stores and loads the key, and reaches the two parts
 * of the handle that requests without a DPoP option (revocation, introspection) and a proof
 * for another tool need.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import type { DPoPKey } from "../../acquisition.ts";
import { ClauthError } from "../../errors.ts";
import type { AuthorizationServer } from "./../protocol/oauth_types.ts";
import { safeText } from "../protocol/safe_text.ts";

export type { DPoPKey } from "../../acquisition.ts";

/** The proof algorithms clauth can sign with, in the order it prefers them. */
export const DPOP_ALGORITHMS = ["ES256", "Ed25519", "EdDSA", "ES384", "PS256", "RS256"] as const;
/** One of {@linkcode DPOP_ALGORITHMS}. */
export type DPoPAlgorithm = typeof DPOP_ALGORITHMS[number];

/** How WebCrypto makes, imports and signs with a key of each algorithm. */
const KEY_ALGORITHMS: Record<DPoPAlgorithm, RsaHashedImportParams | EcKeyImportParams | Algorithm> =
  {
    ES256: { name: "ECDSA", namedCurve: "P-256" },
    ES384: { name: "ECDSA", namedCurve: "P-384" },
    // The same key: "Ed25519" is its fully specified name (RFC 9864), "EdDSA" the older one.
    Ed25519: { name: "Ed25519" },
    EdDSA: { name: "Ed25519" },
    PS256: { name: "RSA-PSS", hash: "SHA-256" },
    RS256: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
  };

/** The private members of a JWK: never in a proof, never shown. */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/**
 * The algorithm to sign proofs with: the first of ours the server lists in
 * `dpop_signing_alg_values_supported`, or ES256 when it lists none (RFC 9449 §5.1 makes the
 * list optional). A list with none of ours is a usage error naming both.
 */
export function chooseDPoPAlgorithm(as: Pick<AuthorizationServer, "issuer">): DPoPAlgorithm {
  const listed = (as as { dpop_signing_alg_values_supported?: unknown })
    .dpop_signing_alg_values_supported;
  if (!Array.isArray(listed) || listed.length === 0) return "ES256";
  const chosen = DPOP_ALGORITHMS.find((alg) => listed.includes(alg));
  if (chosen) return chosen;
  throw new ClauthError(
    "usage",
    `${as.issuer} accepts DPoP proofs signed with ${
      safeText(listed.slice(0, 8).join(", "), 120)
    } only; clauth signs with ${DPOP_ALGORITHMS.join(", ")}.`,
    { setting: "dpop" },
  );
}

/** A new key pair for a new login's tokens, as it is stored with them. */
export async function generateDPoPKey(alg: DPoPAlgorithm): Promise<DPoPKey> {
  const params = KEY_ALGORITHMS[alg];
  const rsa = alg === "PS256" || alg === "RS256"
    ? { modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }
    : {};
  const pair = await crypto.subtle.generateKey({ ...params, ...rsa }, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  // RFC 7638's SHA-256 thumbprint, as oauth4webapi sends it in `dpop_jkt`.
  const jkt = await oauth.DPoP({}, pair).calculateThumbprint();
  return { alg, jwk: stripped(jwk), jkt };
}

/**
 * The oauth4webapi DPoP handle that signs proofs with `key`, plus the proof a request without
 * a DPoP option needs ({@linkcode DPoPProofs}). The private key is imported non-extractable.
 */
export async function dpopProofs(key: DPoPKey): Promise<DPoPProofs> {
  const alg = key.alg as DPoPAlgorithm;
  const params = KEY_ALGORITHMS[alg];
  if (!params) throw new ClauthError("storage", `The stored DPoP key has an unknown algorithm.`);
  const privateKey = await crypto.subtle.importKey("jwk", key.jwk, params, false, ["sign"]);
  const publicKey = await crypto.subtle.importKey("jwk", publicJwk(key.jwk), params, true, [
    "verify",
  ]);
  // oauth4webapi names Ed25519 proofs "Ed25519"; a server that lists "EdDSA" gets that.
  const options: oauth.ModifyAssertionOptions = alg === "EdDSA"
    ? { [oauth.modifyAssertion]: (header) => void (header.alg = "EdDSA") }
    : {};
  const handle = oauth.DPoP({}, { privateKey, publicKey }, options) as
    & oauth.DPoPHandle
    & Partial<Internals>;
  if (typeof handle.addProof !== "function" || typeof handle.cacheNonce !== "function") {
    // oauth4webapi's handle has had these since 3.0; an update that drops them must fail here.
    throw new Error("oauth4webapi's DPoP handle lacks addProof/cacheNonce");
  }
  const internals = handle as oauth.DPoPHandle & Internals;
  return {
    handle,
    key,
    proof: async (method, url, accessToken) => {
      const headers = new Headers();
      await internals.addProof(new URL(url), headers, method.toUpperCase(), accessToken);
      return headers.get("dpop")!;
    },
    remember: (response, url) => internals.cacheNonce(response, new URL(url)),
  };
}

/** What oauth4webapi's DPoP handle does besides being passed as the `DPoP` option. */
interface Internals {
  addProof(url: URL, headers: Headers, htm: string, accessToken?: string): Promise<void>;
  cacheNonce(response: Response, url: URL): void;
}

/** A key's proofs: the handle for oauth4webapi, and proofs for any other request. */
export interface DPoPProofs {
  /**
   * Pass as oauth4webapi's `DPoP` option; it adds proofs and learns nonces itself. Its shape
   * follows oauth4webapi's.
   *
   * @internal
   */
  readonly handle: oauth.DPoPHandle;
  /** The key the proofs are signed with. */
  readonly key: DPoPKey;
  /**
   * A proof for one request (RFC 9449 §4.2): `htm`, `htu` (the URL without query and
   * fragment), `iat`, a fresh `jti`, the server's last nonce, and `ath` when an access token
   * goes with it.
   */
  proof(method: string, url: string, accessToken?: string): Promise<string>;
  /** Learns the nonce a response carries (its `DPoP-Nonce` header) for the next proof. */
  remember(response: Response, url: string): void;
}

/** Whether an error asks to send the request again with the server's new nonce (§8, §9). */
export function isDPoPNonceError(error: unknown): boolean {
  return oauth.isDPoPNonceError(error) ||
    oauth.isDPoPNonceError((error as { cause?: unknown } | null)?.cause);
}

function publicJwk(jwk: JsonWebKey): JsonWebKey {
  const copy: Record<string, unknown> = { ...jwk };
  for (const member of [...PRIVATE_MEMBERS, "key_ops", "ext", "use", "alg"]) delete copy[member];
  return copy as JsonWebKey;
}

/** The JWK without WebCrypto's bookkeeping (`key_ops`, `ext`): what is stored. */
function stripped(jwk: JsonWebKey): JsonWebKey {
  const { key_ops: _ops, ext: _ext, ...rest } = jwk;
  return rest;
}
