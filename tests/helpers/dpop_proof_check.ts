/**
 * Checks one DPoP proof the way a protected resource must (RFC 9449 §4.3 and §7.1), except
 * for what needs memory or the token's binding: the caller checks `jti` replay, the nonce and
 * the thumbprint against `cnf.jkt` (tests/helpers/resource_server.ts).
 *
 * @module
 */

import { decodeProtectedHeader } from "jose/decode/protected_header";
import { EmbeddedJWK } from "jose/jwk/embedded";
import { calculateJwkThumbprint } from "jose/jwk/thumbprint";
import { jwtVerify } from "jose/jwt/verify";

/** Asymmetric JWS algorithms a proof may use (RFC 9449 §4.3 item 5: never `none` or MAC). */
export const PROOF_ALGORITHMS = [
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
  "PS256",
  "PS384",
  "PS512",
  "RS256",
  "RS384",
  "RS512",
];

/** How far (seconds) a proof's `iat` may be from the server's clock, either way. */
export const PROOF_WINDOW_SECONDS = 60;

/** JWK members that only a private (or symmetric) key has (RFC 7518 §6.2.2, §6.3.2, §6.4). */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/** What the request that carries the proof looked like. */
export interface ProofExpectations {
  /** The request's method (`htm`). */
  method: string;
  /** The request's URL as the server received it (`htu`: query and fragment are ignored). */
  url: string;
  /** The access token sent with the proof (`ath`). */
  accessToken: string;
  /** The server's clock, in seconds. */
  nowSeconds: number;
}

/** A proof that passed every check this module makes. */
export interface CheckedProof {
  /** The SHA-256 JWK thumbprint (RFC 7638) of the proof's key, to compare with `cnf.jkt`. */
  thumbprint: string;
  jti: string;
  iat: number;
  nonce: string | undefined;
}

export type ProofCheck = { ok: true; proof: CheckedProof } | { ok: false; reason: string };

function refused(reason: string): ProofCheck {
  return { ok: false, reason };
}

/**
 * Checks the DPoP header's value (`null` when the request had none).
 *
 * Fetch's Headers join repeated fields with ", ", and a compact JWS never contains a comma,
 * so a comma means more than one DPoP header (RFC 9449 §4.3 item 1).
 */
export async function checkDPoPProof(
  header: string | null,
  expected: ProofExpectations,
): Promise<ProofCheck> {
  if (header === null) return refused("missing");
  if (header.includes(",")) return refused("more than one DPoP header");
  if (header.split(".").length !== 3) return refused("not a compact JWS");

  // Header checks first, so each refusal names its cause (§4.3 items 4, 5 and 7).
  let protectedHeader: ReturnType<typeof decodeProtectedHeader>;
  try {
    protectedHeader = decodeProtectedHeader(header);
  } catch {
    return refused("unreadable JOSE header");
  }
  if (protectedHeader.typ !== "dpop+jwt") return refused("typ is not dpop+jwt");
  if (!PROOF_ALGORITHMS.includes(String(protectedHeader.alg))) {
    return refused("alg is not an asymmetric signature algorithm");
  }
  const jwk = protectedHeader.jwk;
  if (typeof jwk !== "object" || jwk === null) return refused("no jwk in the header");
  if (PRIVATE_MEMBERS.some((member) => Object.hasOwn(jwk, member))) {
    return refused("jwk holds a private key");
  }

  // §4.3 item 6: the signature verifies with the embedded public key.
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(header, EmbeddedJWK, {
      typ: "dpop+jwt",
      algorithms: PROOF_ALGORITHMS,
      currentDate: new Date(expected.nowSeconds * 1000),
    }));
  } catch {
    return refused("signature does not verify with its jwk");
  }

  // §4.2: the claims every proof to a protected resource carries (`ath` with a token).
  const { jti, htm, htu, iat, ath, nonce } = payload;
  if (typeof jti !== "string" || jti === "") return refused("jti missing");
  if (typeof htm !== "string") return refused("htm missing");
  if (typeof htu !== "string") return refused("htu missing");
  if (typeof iat !== "number" || !Number.isFinite(iat)) return refused("iat missing");
  if (nonce !== undefined && typeof nonce !== "string") return refused("nonce is not a string");

  // §4.3 item 8: the method, compared exactly (methods are case-sensitive, RFC 9110 §9.1).
  if (htm !== expected.method) return refused("htm does not match the request method");
  // §4.3 item 9: the URL without query and fragment, after URL normalization (§4.3: RFC 3986
  // §6.2.2 and §6.2.3; WHATWG URL parsing lowercases scheme and host, drops default ports and
  // resolves dot segments).
  if (!sameTarget(htu, expected.url)) return refused("htu does not match the request URL");
  // §4.3 item 11: created within an acceptable window (§11.1 bounds how long jti is kept).
  if (Math.abs(expected.nowSeconds - iat) > PROOF_WINDOW_SECONDS) {
    return refused("iat is outside the acceptable window");
  }
  // §4.3 item 12 and §7.1: ath = base64url(SHA-256(ASCII(access token))).
  if (ath !== await accessTokenHash(expected.accessToken)) {
    return refused("ath does not match the access token");
  }

  const thumbprint = await calculateJwkThumbprint(
    jwk as Parameters<typeof calculateJwkThumbprint>[0],
  );
  return { ok: true, proof: { thumbprint, jti, iat, nonce } };
}

/** `ath` for a token (RFC 9449 §4.2). */
export async function accessTokenHash(accessToken: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(accessToken));
  return new Uint8Array(digest).toBase64({ alphabet: "base64url", omitPadding: true });
}

function sameTarget(htu: string, requestUrl: string): boolean {
  const claimed = URL.parse(htu);
  const actual = URL.parse(requestUrl);
  if (!claimed || !actual) return false;
  return claimed.origin === actual.origin && claimed.pathname === actual.pathname;
}
