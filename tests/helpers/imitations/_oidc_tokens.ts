/**
 * The imitation's memory and its token minting: authorization codes, device codes, pushed
 * requests, access and refresh tokens (each with the login it stands for), and signed ID
 * tokens. The signing keys are made once per test process (RS256, as the four providers sign
 * by default): a fresh RSA key per server would cost more than the test.
 *
 * @module
 */

import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import type { Dialect, GrantRecord } from "./_oidc_config.ts";

/** An RS256 signing key: the private half, and the public JWK a jwks_uri publishes. */
interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

const keys = new Map<string, Promise<SigningKey>>();

/** The process's key named `kid`, made on first use. */
function signingKey(kid: string): Promise<SigningKey> {
  let key = keys.get(kid);
  if (!key) {
    key = generateKeyPair("RS256", { extractable: true }).then(async (
      { privateKey, publicKey },
    ) => ({
      kid,
      privateKey,
      jwk: { ...await exportJWK(publicKey), kid, alg: "RS256", use: "sig" },
    }));
    keys.set(kid, key);
  }
  return key;
}

/** The public keys the jwks_uri publishes (never the "unpublished" one). */
export async function publishedKeys(): Promise<JWK[]> {
  return [(await signingKey("imitation-1")).jwk];
}

/** Signs `claims` as a JWT (typ "JWT" unless told). */
export async function signClaims(
  claims: Record<string, unknown>,
  options: { unpublished?: boolean; typ?: string } = {},
): Promise<string> {
  const key = await signingKey(options.unpublished ? "imitation-unpublished" : "imitation-1");
  return await new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: options.typ ?? "JWT" })
    .sign(key.privateKey);
}

/** A random base64url string of `bytes` bytes. */
export function randomToken(bytes = 32): string {
  return crypto.getRandomValues(new Uint8Array(bytes)).toBase64({
    alphabet: "base64url",
    omitPadding: true,
  });
}

/** An issued access or refresh token. */
export interface TokenRecord {
  kind: "access" | "refresh";
  grant: GrantRecord;
  /** Expiry in seconds; refresh tokens have none here. */
  exp?: number;
  revoked: boolean;
  /** Tokens issued together share it: revoking "pair" revokes both. */
  pair: number;
}

/** An authorization code waiting to be exchanged. */
export interface CodeRecord {
  grant: GrantRecord;
  redirectUri: string;
  challenge?: string;
  method?: string;
  /** The `dpop_jkt` of the authorization request (RFC 9449 §10). */
  dpopJkt?: string;
  exp: number;
  used: boolean;
}

/** A device authorization (RFC 8628) and where the person is with it. */
export interface DeviceRecord {
  grant: GrantRecord;
  userCode: string;
  status: "pending" | "approved" | "denied" | "done";
  exp: number;
}

/** Everything the imitation remembers, and the clock it reads. */
export class ImitationState {
  readonly codes = new Map<string, CodeRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly devices = new Map<string, DeviceRecord>();
  readonly pushed = new Map<string, { params: URLSearchParams; exp: number }>();
  /** DPoP proof `jti`s already seen (RFC 9449 §11.1). */
  readonly proofIds = new Set<string>();
  #pairs = 0;

  constructor(readonly dialect: Dialect, readonly issuer: string, readonly clock: () => number) {}

  /** The time in whole seconds. */
  now(): number {
    return Math.floor(this.clock() / 1000);
  }

  /** The token's record when it is usable now (issued, not revoked, not expired). */
  live(token: string, kind: TokenRecord["kind"]): TokenRecord | undefined {
    const record = this.tokens.get(token);
    if (!record || record.kind !== kind || record.revoked) return undefined;
    if (record.exp !== undefined && record.exp <= this.now()) return undefined;
    return record;
  }

  /**
   * Mints the tokens of one token response for `grant`: an access token, a refresh token
   * unless `refresh` is false, and an ID token when `openid` was granted (with the login's
   * nonce only after a code exchange, OpenID Connect Core §12.2). `pair` continues an existing
   * pair (a refresh that keeps its refresh token).
   */
  async issue(
    grant: GrantRecord,
    options: { refresh: boolean; nonce?: string; pair?: number },
  ): Promise<Record<string, unknown>> {
    const { dialect, issuer } = this;
    const pair = options.pair ?? ++this.#pairs;
    const iat = this.now();
    const exp = iat + dialect.accessTokenLifetime;
    const context = { grant, issuer, iat, exp, jti: crypto.randomUUID(), sign: signClaims };
    const accessToken = dialect.accessToken ? await dialect.accessToken(context) : randomToken();
    this.tokens.set(accessToken, { kind: "access", grant, exp, revoked: false, pair });
    const body: Record<string, unknown> = {
      access_token: accessToken,
      token_type: grant.jkt ? "DPoP" : dialect.tokenType,
      expires_in: dialect.accessTokenLifetime,
    };
    if (options.refresh) {
      const refreshToken = randomToken();
      this.tokens.set(refreshToken, { kind: "refresh", grant, revoked: false, pair });
      body.refresh_token = refreshToken;
    }
    // A person's login only: client credentials have no user to name.
    if (grant.scope.includes("openid") && grant.subject === dialect.user.sub) {
      body.id_token = await this.idToken(grant, iat, options.nonce);
    }
    body.scope = grant.scope.join(" ");
    return { ...body, ...dialect.tokenResponseExtras?.(grant, iat) };
  }

  /** An ID token (OpenID Connect Core §2) with the user's claims the scopes grant. */
  async idToken(grant: GrantRecord, iat: number, nonce: string | undefined): Promise<string> {
    const { user } = this.dialect;
    return await signClaims({
      iss: this.issuer,
      sub: user.sub,
      aud: grant.client.id,
      azp: grant.client.id,
      iat,
      exp: iat + 3600,
      auth_time: grant.authTime,
      ...(nonce ? { nonce } : {}),
      ...userClaims(this.dialect, grant.scope),
    });
  }

  /** Revokes every token of `pair`. */
  revokePair(pair: number): void {
    for (const record of this.tokens.values()) if (record.pair === pair) record.revoked = true;
  }
}

/** The user's claims that `scope` grants (OpenID Connect Core §5.4), with `sub`. */
export function userClaims(dialect: Dialect, scope: string[]): Record<string, unknown> {
  return {
    sub: dialect.user.sub,
    ...(scope.includes("profile") ? dialect.user.profile : {}),
    ...(scope.includes("email") ? dialect.user.email : {}),
  };
}
