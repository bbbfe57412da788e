/**
 * JSON Web Tokens: read one locally (nothing checked), or check its signature against the
 * issuer's published keys. Error messages name the token and quote its header values, never
 * the token itself.
 *
 * @module
 */

import type { JWTVerifyGetKey } from "jose";
import { compactVerify } from "jose/jws/compact/verify";
import * as errors from "jose/errors";
import { ClauthError, type ClauthErrorCode } from "../../errors.ts";
import type { Client } from "../protocol/client.ts";
import { describeUrl } from "../protocol/http.ts";
import { safeJson } from "../protocol/safe_text.ts";
import { withIssuerKeys } from "./jwks.ts";

/** A JWT's header and claims, as the token states them. */
export interface DecodedJwt {
  /** The JOSE header (`alg`, `kid`, `typ`, ...). */
  header: Record<string, unknown> & { alg: string; kid?: string };
  /** The claims set (`iss`, `sub`, `exp`, ...). */
  claims: Record<string, unknown>;
}

/** How a failure is reported: the token's name in messages and the error code. */
export interface JwtErrorOptions {
  /** Names the token at the start of messages, e.g. "The ID token" (default "The token"). */
  what?: string;
  /** The ClauthError code for a token that is not a JWT (default "usage"). */
  code?: ClauthErrorCode;
}

/** The signature algorithms clauth verifies: public-key ones only. */
export const SIGNING_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads a JWT's header and claims without checking anything. Throws a ClauthError (code
 * `options.code`, default "usage") that says why when the token is not a JWT: opaque,
 * encrypted (JWE), or malformed.
 *
 * @example Read a token's claims (for display only: nothing is verified)
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeJwt } from "@clauth/clauth";
 *
 * const part = (value: object) =>
 *   new TextEncoder().encode(JSON.stringify(value)).toBase64({ alphabet: "base64url", omitPadding: true });
 * const token = `${part({ alg: "RS256", kid: "k1" })}.${part({ sub: "alice", exp: 1700000000 })}.sig`;
 *
 * const { header, claims } = decodeJwt(token);
 * assert.equal(header.kid, "k1");
 * assert.equal(claims.sub, "alice");
 * assert.throws(() => decodeJwt("opaque-token"), { code: "usage" });
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-7.2
 */
export function decodeJwt(token: string, options: JwtErrorOptions = {}): DecodedJwt {
  const what = options.what ?? "The token";
  const fail = (why: string) => new ClauthError(options.code ?? "usage", `${what} ${why}`);
  const parts = token.trim().split(".");
  if (parts.length === 5) {
    throw fail("is an encrypted JWT (JWE): only its recipient can read it.");
  }
  if (parts.length !== 3 || parts.some((part, i) => part === "" && i < 2)) {
    throw fail(
      "is not a JWT: it is opaque (not header.payload.signature), so only the server that issued it can tell what it means.",
    );
  }
  const header = jsonPart(parts[0]!);
  if (!header) throw fail("is not a JWT: its header is not base64url-encoded JSON.");
  if (typeof header.alg !== "string" || header.alg === "") {
    throw fail('is not a JWT: its header has no "alg".');
  }
  if (header.kid !== undefined && typeof header.kid !== "string") {
    throw fail('is not a JWT: its header\'s "kid" is not a string.');
  }
  const claims = jsonPart(parts[1]!);
  if (!claims) throw fail("is not a JWT: its payload is not a JSON object of claims.");
  return { header: header as DecodedJwt["header"], claims };
}

/**
 * Checks a JWT's signature against the issuer's keys and returns its header and claims;
 * claims are not checked here. Refuses unsigned tokens and tokens signed with a shared secret
 * (HS256, ...). Failures are ClauthErrors with code "server".
 *
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.2
 */
export async function verifyJwtSignature(
  client: Client,
  token: string,
  options: { what?: string } = {},
): Promise<DecodedJwt> {
  const what = options.what ?? "The token";
  await verifyWithIssuerKeys(
    client,
    token,
    { what },
    (key) => compactVerify(token.trim(), key, { algorithms: SIGNING_ALGORITHMS }),
  );
  return decodeJwt(token, { what });
}

/** How messages name the token ("The ID token") and how the issuer signs its kind. */
type Naming = { what: string; expected?: string };

/**
 * Runs `verify` (jose's jwtVerify or compactVerify) with the issuer's keys (see
 * {@linkcode withIssuerKeys}); a token without kid that fits several keys must verify with one
 * of them. A token that is not a JWT is refused before any key is looked up. What jose finds
 * wrong with the signature, its algorithm or the key set becomes a ClauthError ("server") in
 * our words; its claim errors pass through for the caller to word.
 */
export async function verifyWithIssuerKeys<T>(
  client: Client,
  token: string,
  options: Naming,
  verify: (key: JWTVerifyGetKey | CryptoKey) => Promise<T>,
): Promise<T> {
  const { header } = decodeJwt(token, { what: options.what, code: "server" });
  return await withIssuerKeys(client, async (keys, uri) => {
    try {
      try {
        return await verify(keys);
      } catch (error) {
        if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
        for await (const key of error) {
          try {
            return await verify(key);
          } catch (inner) {
            if (!(inner instanceof errors.JWSSignatureVerificationFailed)) throw inner;
          }
        }
        throw new errors.JWSSignatureVerificationFailed();
      }
    } catch (error) {
      throw refusal(client, header, uri, error, options);
    }
  });
}

/** What jose found wrong with a token's signature, its algorithm or the key set, in our words. */
function refusal(
  client: Client,
  { alg, kid }: DecodedJwt["header"],
  uri: string,
  error: unknown,
  { what, expected }: Naming,
): unknown {
  if (
    !(error instanceof errors.JOSEError) || error instanceof errors.JWTClaimValidationFailed ||
    error instanceof errors.JWTExpired
  ) {
    return error;
  }
  const keyName = kid === undefined ? `no kid, alg ${alg}` : `kid ${shown(kid)}, alg ${alg}`;
  const where = `The issuer's key set at ${describeUrl(uri)}`;
  const refuse = (message: string, endpoint?: "jwks") =>
    new ClauthError("server", message, { cause: error, endpoint });
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return refuse(algorithmRefusal(client, what, alg, expected));
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return refuse(
      `${what}'s signature does not verify against the issuer's keys: ${describeUrl(uri)} has no ${
        kid === undefined ? `${alg} key` : `key with kid ${shown(kid)}`
      }, even after fetching the key set again.`,
    );
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return refuse(
      `${what}'s signature does not verify against the issuer's keys (${keyName}): it was altered, or not signed by ${client.as.issuer}.`,
    );
  }
  // jose's own fetch says so with a plain JOSEError over the JSON parser's.
  if (error.code === errors.JOSEError.code && error.cause instanceof SyntaxError) {
    return refuse(`${where} is not JSON.`, "jwks");
  }
  if (error instanceof errors.JWKSInvalid) {
    return refuse(`${where} is not a JWK Set clauth can use (${error.message}).`, "jwks");
  }
  return refuse(`${what} cannot be verified (${keyName}): ${error.message}.`);
}

/**
 * Why a token signed with `alg` is refused: never verified (none, a shared secret, unknown to
 * clauth), or not what the issuer uses for this kind of token (`expected`, e.g. "signs ID
 * tokens with RS256").
 */
export function algorithmRefusal(
  client: Client,
  what: string,
  alg: unknown,
  expected = "does not use it",
): string {
  if (alg === "none") return `${what} is not signed (alg none): refused.`;
  if (typeof alg === "string" && /^HS\d+$/.test(alg)) {
    return `${what} is signed with a shared secret (${alg}); clauth verifies only signatures by the issuer's published keys (RS256, ES256, ...).`;
  }
  if (typeof alg !== "string" || !SIGNING_ALGORITHMS.includes(alg)) {
    return `${what} is signed with ${shown(alg)}, an algorithm clauth does not verify.`;
  }
  return `${what} is signed with ${alg}, but ${client.as.issuer} ${expected}.`;
}

function jsonPart(part: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(
      decoder.decode(Uint8Array.fromBase64(part, { alphabet: "base64url" })),
    );
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A value from a token, quoted and bounded for a message (tokens are attacker-supplied). */
export function shown(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  const bounded = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  // Quoted as JSON, with DEL, C1 and format characters (bidi overrides) escaped too.
  return safeJson(bounded);
}
