/**
 * ID token validation (OpenID Connect Core §3.1.3.7): the signature against the issuer's
 * published keys, then `iss`, `aud` (and `azp` when there are several audiences), `exp` and
 * `iat` with a small clock tolerance, and the `nonce` of a browser login. Every refusal is a
 * ClauthError ("server") whose message names the claim; the token itself is never quoted.
 *
 * oauth4webapi checks the claims of ID tokens in token responses but not their signature;
 * {@linkcode verifyIdTokenInResponse} runs before it in every flow that can return one, so the
 * signature is checked first and the messages are ours.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import type { Client } from "./client.ts";
import { defaultNow } from "./dependencies.ts";
import { decodeJwt, shown, verifyJwtSignature } from "./jwt.ts";

/** Seconds of clock difference tolerated for `exp` and `iat` (oauth4webapi's default too). */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** The claims of a verified ID token. */
export interface IdTokenClaims {
  /** The issuer, equal to the client's issuer. */
  iss: string;
  /** The user's stable identifier at the issuer. */
  sub: string;
  /** The audience; includes the client id. */
  aud: string | string[];
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Issue time, seconds since the epoch. */
  iat: number;
  /** The nonce of the browser login that got it, echoed back. */
  nonce?: string;
  /** The client it was issued to, when there are several audiences. */
  azp?: string;
  /** When the user last authenticated, seconds since the epoch. */
  auth_time?: number;
  /** Any other claim the server put in (name, email, ...). */
  [claim: string]: unknown;
}

/** Options for {@linkcode verifyIdToken}. */
export interface VerifyIdTokenOptions {
  /** The nonce the authorization request sent; the token must carry exactly it. */
  nonce?: string;
  /** The current time in milliseconds since the epoch (default: the client's clock). */
  now?: number;
  /**
   * Accept a token past its `exp` (everything else is still checked): an old ID token still
   * says who logged in, which is all `whoami` asks of it.
   */
  allowExpired?: boolean;
}

/**
 * Verifies an ID token and returns its claims.
 *
 * Flows already verify the ID tokens they return; call this for one read back from a store.
 *
 * @example Who logged in? (from a stored login)
 * ```ts ignore
 * import { createClient, JsonFileStore, verifyIdToken } from "@clauth/clauth";
 *
 * const client = await createClient({ issuer: "https://login.example.com", clientId: "my-cli" });
 * const tokens = await new JsonFileStore(".state").get("default");
 * if (tokens?.id_token) {
 *   const claims = await verifyIdToken(client, tokens.id_token, { allowExpired: true });
 *   console.log(claims.sub, claims.email);
 * }
 * ```
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse
 */
export async function verifyIdToken(
  client: Client,
  idToken: string,
  options: VerifyIdTokenOptions = {},
): Promise<IdTokenClaims> {
  const what = "The ID token";
  const { header, claims } = await verifyJwtSignature(client, idToken, { what });
  const expectedAlgs = expectedAlgorithms(client);
  if (!expectedAlgs.includes(header.alg)) {
    throw new ClauthError(
      "server",
      `${what} is signed with ${header.alg}, but ${client.as.issuer} signs ID tokens with ${
        expectedAlgs.join(" or ")
      }${
        client.as.id_token_signing_alg_values_supported
          ? ""
          : " (RS256 when its metadata does not say)"
      }.`,
    );
  }
  const refuse = (message: string) => new ClauthError("server", message);
  const clientId = client.client.client_id;
  const now = Math.floor((options.now ?? (client.deps.now ?? defaultNow)()) / 1000);

  for (const name of ["iss", "sub", "aud", "exp", "iat"]) {
    if (claims[name] === undefined) throw refuse(`${what} has no ${name} claim.`);
  }
  if (claims.iss !== client.as.issuer) {
    throw refuse(`${what}'s iss is ${shown(claims.iss)}, expected ${shown(client.as.issuer)}.`);
  }
  if (typeof claims.sub !== "string" || claims.sub === "") {
    throw refuse(`${what}'s sub is not a non-empty string.`);
  }

  const aud = claims.aud;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.every((value) => typeof value === "string")) {
    throw refuse(`${what}'s aud is not a string or a list of strings.`);
  }
  if (!audiences.includes(clientId)) {
    throw refuse(`${what}'s aud does not include ${clientId} (it is ${shown(aud)}).`);
  }
  // OIDC Core §3.1.3.7 (4, 5): with other audiences, azp must name us.
  if (claims.azp !== undefined && claims.azp !== clientId) {
    throw refuse(`${what}'s azp is ${shown(claims.azp)}, not ${clientId}.`);
  }
  if (audiences.length > 1 && claims.azp === undefined) {
    throw refuse(`${what} has several audiences (${shown(aud)}) but no azp naming ${clientId}.`);
  }

  const exp = claims.exp;
  const iat = claims.iat;
  if (typeof exp !== "number" || !Number.isFinite(exp)) {
    throw refuse(`${what}'s exp is not a number of seconds.`);
  }
  if (typeof iat !== "number" || !Number.isFinite(iat)) {
    throw refuse(`${what}'s iat is not a number of seconds.`);
  }
  if (!options.allowExpired && exp <= now - CLOCK_TOLERANCE_SECONDS) {
    throw refuse(
      `${what} expired at ${isoTime(exp)}, ${
        now - exp
      } s ago (beyond the ${CLOCK_TOLERANCE_SECONDS} s clock tolerance). If that seems wrong, check this computer's clock.`,
    );
  }
  if (iat > now + CLOCK_TOLERANCE_SECONDS) {
    throw refuse(
      `${what}'s iat is ${isoTime(iat)}, ${
        iat - now
      } s in the future (beyond the ${CLOCK_TOLERANCE_SECONDS} s clock tolerance). If that seems wrong, check this computer's clock.`,
    );
  }

  if (options.nonce !== undefined) {
    if (claims.nonce === undefined) {
      throw refuse(`${what} has no nonce, although the login sent one.`);
    }
    if (claims.nonce !== options.nonce) {
      throw refuse(
        `${what}'s nonce does not match the one this login sent (the token may come from another login).`,
      );
    }
  }
  return claims as IdTokenClaims;
}

/**
 * Verifies the ID token of a successful token-endpoint response, if it has one. Call it before
 * oauth4webapi processes the response (it reads a clone), so a bad ID token is refused with
 * our message, signature first.
 */
export async function verifyIdTokenInResponse(
  client: Client,
  response: Response,
  options: VerifyIdTokenOptions = {},
): Promise<IdTokenClaims | undefined> {
  if (response.status !== 200) return undefined;
  let body: unknown;
  try {
    body = await response.clone().json();
  } catch {
    return undefined; // not JSON: processing the response reports that
  }
  const idToken = (body as { id_token?: unknown } | null)?.id_token;
  return typeof idToken === "string" ? await verifyIdToken(client, idToken, options) : undefined;
}

/**
 * Checks that an ID token from a refresh is about the same login as the original one: same
 * `iss`, `sub` and `aud`, and the same `auth_time` when both have it (OIDC Core §12.2).
 * `original` was verified when it arrived; here it is only read.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse
 */
export function checkSameLogin(refreshed: IdTokenClaims, original: string): void {
  const before = decodeJwt(original, { what: "The stored ID token", code: "storage" }).claims;
  const audiences = (aud: unknown) => [aud].flat().map(String).sort().join(" ");
  const differs = (["iss", "sub"] as const).find((claim) => refreshed[claim] !== before[claim]) ??
    (audiences(refreshed.aud) !== audiences(before.aud) ? "aud" : undefined) ??
    (refreshed.auth_time !== undefined && before.auth_time !== undefined &&
        refreshed.auth_time !== before.auth_time
      ? "auth_time"
      : undefined);
  if (differs) {
    throw new ClauthError(
      "server",
      `The ID token from the refresh has another ${differs} (${
        shown(refreshed[differs])
      }) than the one from the login (${
        shown(before[differs])
      }): it is not about the same login, so clauth refused it (OIDC Core §12.2).`,
    );
  }
}

/**
 * The algorithms an ID token may use: the client's registered one, else what the issuer
 * advertises, else RS256 (OIDC Core §3.1.3.7 (7); oauth4webapi applies the same rule).
 */
function expectedAlgorithms(client: Client): string[] {
  const registered = client.client.id_token_signed_response_alg;
  if (registered) return [registered];
  return client.as.id_token_signing_alg_values_supported?.filter((alg) => alg !== "none") ??
    ["RS256"];
}

function isoTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime())
    ? String(seconds)
    : date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
