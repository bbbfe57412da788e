/**
 * DPoP proofs as an authorization server checks them (RFC 9449 §4.3): at the token endpoint
 * there is no access token yet, so no `ath`; at userinfo the proof must carry the token's
 * `ath`, which tests/helpers/dpop_proof_check.ts checks.
 *
 * @module
 */

import { decodeProtectedHeader } from "jose/decode/protected_header";
import { EmbeddedJWK } from "jose/jwk/embedded";
import { calculateJwkThumbprint } from "jose/jwk/thumbprint";
import { jwtVerify } from "jose/jwt/verify";
import { checkDPoPProof, PROOF_ALGORITHMS, PROOF_WINDOW_SECONDS } from "../dpop_proof_check.ts";

/** A proof's verdict: its key's thumbprint (RFC 7638), or why it was refused. */
export type ProofVerdict = { thumbprint: string } | { refused: string };

/** Checks a token-endpoint proof: signature, typ, htm, htu, iat, and `jti` not seen before. */
export async function checkTokenEndpointProof(
  header: string | null,
  request: { method: string; url: string; now: number },
  seen: Set<string>,
): Promise<ProofVerdict> {
  if (header === null) return { refused: "missing" };
  let jwk: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    const protectedHeader = decodeProtectedHeader(header);
    if (protectedHeader.typ !== "dpop+jwt") return { refused: "typ is not dpop+jwt" };
    jwk = protectedHeader.jwk as Record<string, unknown>;
    ({ payload } = await jwtVerify(header, EmbeddedJWK, {
      typ: "dpop+jwt",
      algorithms: PROOF_ALGORITHMS,
      currentDate: new Date(request.now * 1000),
    }));
  } catch (error) {
    return { refused: `unverifiable (${(error as Error).message})` };
  }
  const { htm, htu, iat, jti } = payload;
  if (htm !== request.method) return { refused: "DPoP HTTP method mismatch" };
  const target = (url: string) => url.split(/[?#]/)[0];
  if (typeof htu !== "string" || target(htu) !== target(request.url)) {
    return { refused: "DPoP HTTP URL mismatch" };
  }
  if (typeof iat !== "number" || Math.abs(iat - request.now) > PROOF_WINDOW_SECONDS) {
    return { refused: "DPoP proof is not active" };
  }
  if (typeof jti !== "string" || seen.has(jti)) {
    return { refused: "DPoP proof has already been used" };
  }
  seen.add(jti);
  return {
    thumbprint: await calculateJwkThumbprint(jwk as Parameters<typeof calculateJwkThumbprint>[0]),
  };
}

/** Checks a proof sent with a DPoP-bound access token, and that its key is the token's. */
export async function checkResourceProof(
  header: string | null,
  request: { method: string; url: string; now: number; accessToken: string; jkt: string },
): Promise<ProofVerdict> {
  const check = await checkDPoPProof(header, { ...request, nowSeconds: request.now });
  if (!check.ok) return { refused: check.reason };
  if (check.proof.thumbprint !== request.jkt) {
    return { refused: "DPoP proof key is not the token's" };
  }
  return { thumbprint: check.proof.thumbprint };
}
