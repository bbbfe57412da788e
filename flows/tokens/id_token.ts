/**
 * ID token validation (OpenID Connect Core §3.1.3.7), each check done once, by a library
 * where one does it. oauth4webapi checks the claims of an ID token in a token response as it
 * processes the response (algorithm, `iss`, `aud`, `azp`, `exp`, the `nonce` of a browser
 * login); jose checks signatures, and the claims of an ID token read back from a store
 * (`iss`, `aud`, `exp`). We add what neither checks (an `iat` in the future; on a stored
 * token, `azp` and a nonce; after a refresh, that it is about the same login) and word every
 * refusal: a ClauthError ("server") naming the claim, never quoting the token.
 *
 * @module
 */

import { compactVerify } from "jose/jws/compact/verify";
import * as errors from "jose/errors";
import { jwtVerify } from "jose/jwt/verify";
import * as oauth from "oauth4webapi";
import { ClauthError } from "../../errors.ts";
import type { Client } from "../protocol/client.ts";
import { defaultNow } from "../protocol/dependencies.ts";
import { safeText } from "../protocol/safe_text.ts";
import {
  algorithmRefusal,
  decodeJwt,
  shown as quoted,
  SIGNING_ALGORITHMS,
  verifyWithIssuerKeys,
} from "./jwt.ts";

/** Seconds of clock difference tolerated for `exp` and `iat` (oauth4webapi's default too). */
export const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * A claim's value quoted for a message: jwt.ts's `shown` (bounded, controls escaped), with bidi
 * and other format characters escaped too, so a hostile token cannot reorder the message.
 */
function shown(value: unknown): string {
  return safeText(quoted(value));
}

/** How messages name the token. */
const WHAT = "The ID token";

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
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   authorizationCodeFlow,
 *   createClient,
 *   MemoryStore,
 *   saveTokens,
 *   type SaveTokensOptions,
 *   verifyIdToken,
 * } from "@clauth/clauth";
 * // The dev provider stands in for your server, and its scripted browser for the user's:
 * import { startDevProvider } from "../../dev/provider.ts";
 * import { followAuthorization } from "../../dev/browser.ts";
 *
 * const idp = await startDevProvider({ autoApprove: true });
 * const client = await createClient({ issuer: idp.issuer, clientId: "demo-cli" });
 * const slot: SaveTokensOptions = {
 *   store: new MemoryStore(), // or a JsonFileStore
 *   profile: "default",
 *   binding: { issuer: idp.issuer, client_id: "demo-cli", scope: "openid", grant: "user" },
 * };
 * const login = await authorizationCodeFlow(client, {
 *   scope: "openid",
 *   openBrowser: async (url) => (await followAuthorization(url)).status === 200,
 * });
 * await saveTokens(login, slot);
 *
 * // Later: a stored ID token is checked again before anyone believes it.
 * const tokens = await slot.store.get(slot.profile, slot.binding);
 * const claims = await verifyIdToken(client, tokens!.id_token!, { allowExpired: true });
 * assert.equal(claims.sub, "alice");
 * await idp.close();
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
  const nowMs = options.now ?? (client.deps.now ?? defaultNow)();
  const now = Math.floor(nowMs / 1000);
  const clientId = client.client.client_id;
  const { algorithms, expected } = idTokenAlgorithms(client);
  let claims: Record<string, unknown>;
  try {
    ({ payload: claims } = await verifyWithIssuerKeys(
      client,
      idToken,
      { what: WHAT, expected },
      (key) =>
        jwtVerify(idToken.trim(), key, {
          algorithms: algorithms.filter((alg) => SIGNING_ALGORITHMS.includes(alg)),
          issuer: expectedIssuerOf(client, idToken),
          audience: clientId,
          requiredClaims: ["sub", "exp", "iat"],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          currentDate: new Date(nowMs),
        }),
    ));
  } catch (error) {
    if (!(error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWTExpired)) {
      throw error;
    }
    // jose checks exp last: an expired token passed every other check.
    const expired = error instanceof errors.JWTExpired && error.claim === "exp";
    if (!(expired && options.allowExpired)) {
      throw claimRefusal(client, error.payload, error.claim, error.reason, now, error);
    }
    claims = error.payload;
  }
  // What jose leaves to us: sub's type, azp (§3.1.3.7 (4, 5)), the nonce, iat.
  if (typeof claims.sub !== "string" || claims.sub === "") {
    throw new ClauthError("server", `${WHAT}'s sub is not a non-empty string.`);
  }
  const party = claims.azp !== undefined ? "azp" : "aud";
  if (claims.azp !== undefined ? claims.azp !== clientId : [claims.aud].flat().length > 1) {
    throw claimRefusal(client, claims, party, "check_failed", now);
  }
  if (options.nonce !== undefined && claims.nonce !== options.nonce) {
    throw claimRefusal(client, claims, "nonce", "check_failed", now);
  }
  checkIssuedAt(client, claims, now);
  return claims as IdTokenClaims;
}

/**
 * Processes a token-endpoint response with oauth4webapi: `process` calls its
 * `process...Response` with the client metadata it is given (which carries our clock), so the
 * claims of an ID token are checked there; then the ID token's signature and iat are checked.
 * Refusals are ClauthErrors naming the claim; other errors pass through.
 */
export async function processTokenResponse(
  client: Client,
  process: (metadata: oauth.Client) => Promise<oauth.TokenEndpointResponse>,
): Promise<oauth.TokenEndpointResponse> {
  const nowMs = (client.deps.now ?? defaultNow)();
  const metadata: oauth.Client = {
    ...client.client,
    [oauth.clockSkew]: Math.round((nowMs - Date.now()) / 1000),
    [oauth.clockTolerance]: CLOCK_TOLERANCE_SECONDS,
  };
  let result: oauth.TokenEndpointResponse;
  try {
    result = await process(metadata);
  } catch (error) {
    throw processingRefusal(client, error, Math.floor(nowMs / 1000));
  }
  const claims = oauth.getValidatedIdTokenClaims(result);
  if (claims === undefined) return result;
  // oauth4webapi checked the algorithm against the issuer's; the signature is jose's to check.
  const idToken = result.id_token!;
  await verifyWithIssuerKeys(
    client,
    idToken,
    { what: WHAT },
    (key) => compactVerify(idToken, key, { algorithms: SIGNING_ALGORITHMS }),
  );
  checkIssuedAt(client, claims, Math.floor(nowMs / 1000));
  return result;
}

/** oauth4webapi's refusal of the ID token, in our words; other errors pass through. */
function processingRefusal(client: Client, error: unknown, now: number): unknown {
  if (!(error instanceof oauth.OperationProcessingError)) return error;
  const { claims, claim, header } = (error.cause ?? {}) as {
    claims?: Record<string, unknown>;
    claim?: string;
    header?: { alg?: unknown };
  };
  if (claims && claim) return claimRefusal(client, claims, claim, "check_failed", now, error);
  const refuse = (message: string) => new ClauthError("server", message, { cause: error });
  if (header) {
    return refuse(algorithmRefusal(client, WHAT, header.alg, idTokenAlgorithms(client).expected));
  }
  // A claim missing or of the wrong type: oauth4webapi's message names it.
  return claims ? refuse(`${WHAT} was refused: ${error.message}.`) : error;
}

/** OIDC Core §3.1.3.7 (10): neither library refuses an iat in the future by default. */
function checkIssuedAt(client: Client, claims: Record<string, unknown>, now: number): void {
  if (typeof claims.iat === "number" && claims.iat > now + CLOCK_TOLERANCE_SECONDS) {
    throw claimRefusal(client, claims, "iat", "check_failed", now);
  }
}

/**
 * The refusal of `claim` (jose's reasons: "missing", "invalid" for a date that is not a
 * number, "check_failed"), naming the claim and what was expected.
 */
function claimRefusal(
  client: Client,
  claims: Record<string, unknown>,
  claim: string,
  reason: string,
  now: number,
  cause?: unknown,
): ClauthError {
  const refuse = (message: string) => new ClauthError("server", `${WHAT}${message}`, { cause });
  const clientId = client.client.client_id;
  const value = claims[claim];
  const clock = (text: string) =>
    refuse(
      `${text} (beyond the ${CLOCK_TOLERANCE_SECONDS} s clock tolerance). If that seems wrong, check this computer's clock.`,
    );
  if (reason === "missing") return refuse(` has no ${claim} claim.`);
  if (reason === "invalid") return refuse(`'s ${claim} is not a number of seconds.`);
  switch (claim) {
    case "iss":
      return refuse(
        `'s iss is ${shown(value)}, expected ${shown(expectedIssuerFor(client, claims))}.`,
      );
    case "aud":
      // Several audiences without azp are refused as a bad aud (by oauth4webapi too).
      return [value].flat().includes(clientId)
        ? refuse(` has several audiences (${shown(value)}) but no azp naming ${clientId}.`)
        : refuse(`'s aud does not include ${clientId} (it is ${shown(value)}).`);
    case "azp":
      return refuse(`'s azp is ${shown(value)}, not ${clientId}.`);
    case "nonce":
      return refuse(
        value === undefined
          ? " has no nonce, although the login sent one."
          : "'s nonce does not match the one this login sent (the token may come from another login).",
      );
    case "exp":
      return clock(` expired at ${isoTime(value)}, ${now - Number(value)} s ago`);
    case "iat":
      return clock(`'s iat is ${isoTime(value)}, ${Number(value) - now} s in the future`);
    case "nbf":
      return clock(` is not valid before ${isoTime(value)}, ${Number(value) - now} s from now`);
    default:
      return refuse(`'s ${claim} is ${shown(value)}: refused.`);
  }
}

/**
 * Checks that an ID token from a refresh is about the same login as the original one: same
 * `iss`, `sub` and `aud`, and the same `auth_time` when both have it (OIDC Core §12.2).
 * `original` was verified when it arrived; here it is only read.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse
 */
export function checkSameLogin(refreshed: Record<string, unknown>, original: string): void {
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
 * advertises, else RS256 (OIDC Core §3.1.3.7 (7); oauth4webapi applies the same rule), and
 * the end of a sentence saying so ("signs ID tokens with RS256").
 */
function idTokenAlgorithms(client: Client): { algorithms: string[]; expected: string } {
  const registered = client.client.id_token_signed_response_alg;
  const advertised = client.as.id_token_signing_alg_values_supported;
  const algorithms = registered
    ? [registered]
    : advertised?.filter((alg) => alg !== "none") ?? ["RS256"];
  return {
    algorithms,
    expected: `signs ID tokens with ${algorithms.join(" or ")}${
      registered || advertised ? "" : " (RS256 when its metadata does not say)"
    }`,
  };
}

function isoTime(seconds: unknown): string {
  const date = new Date(Number(seconds) * 1000);
  return Number.isNaN(date.getTime())
    ? shown(seconds)
    : date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The `iss` an ID token must carry: the issuer, or what the client's preset computes from the
 * token's claims (Entra's multi-tenant authorities: the issuer with the token's `tid`). The
 * claims are read before the signature is checked; the check that follows covers them.
 */
function expectedIssuerOf(client: Client, idToken: string): string {
  const hook = client.settings.behaviour?.expectedIssuer;
  if (!hook) return client.as.issuer;
  try {
    return expectedIssuerFor(client, decodeJwt(idToken.trim()).claims);
  } catch {
    return client.as.issuer; // not a JWT: jose refuses it next, with its own reason
  }
}

function expectedIssuerFor(client: Client, claims: Record<string, unknown>): string {
  return client.settings.behaviour?.expectedIssuer?.(claims, client.as.issuer) ??
    client.as.issuer;
}
