/**
 * What getting tokens yields: the token endpoint's response and the client authentication
 * that got it. flows/ returns it and storage/ keeps it; they never import each other, so the
 * one type both speak lives here, beside the one error type.
 *
 * @module
 */

/**
 * The client authentication methods clauth speaks: a secret in the Basic header or in the
 * form, a signed JWT assertion, or none (a public client).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 */
export type AuthMethod = "client_secret_basic" | "client_secret_post" | "private_key_jwt" | "none";

/**
 * A successful token endpoint response. Flows return it validated (any ID token verified)
 * with `token_type` lower-cased; parameters outside RFC 6749 (`issued_token_type`, ...) are
 * kept as the server sent them.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export interface TokenResponse {
  /** The access token. */
  access_token: string;
  /** Its type, "bearer" or "dpop" (any case from elsewhere; stored lower-cased). */
  token_type: string;
  /** Its lifetime in seconds from now; stored as an absolute `expires_at`. */
  expires_in?: number;
  /** A new refresh token; absent after a refresh means "keep the old one" (RFC 6749 §6). */
  refresh_token?: string;
  /** An ID token (OpenID Connect). */
  id_token?: string;
  /** The granted scope, when it differs from the requested one or the server says anyway. */
  scope?: string;
  /** Any other parameter of the response, as the server sent it. */
  [parameter: string]: unknown;
}

/**
 * Tokens just obtained: what every flow that gets tokens returns (`authorizationCodeFlow`,
 * `deviceCodeFlow`, `clientCredentialsFlow`, `refreshFlow`, `tokenExchangeFlow`), what the
 * `refresh`, `fetchNew` and `login` functions handed to `getUsableToken` return, and what
 * `saveTokens` stores.
 */
export interface Acquisition {
  /** The token endpoint's response; stored with an absolute expiry. */
  response: TokenResponse;
  /**
   * The client authentication that worked (flows always say); stored, so that the next
   * request starts with it.
   */
  authMethod?: AuthMethod;
  /**
   * The DPoP key the tokens are bound to (RFC 9449), when the request carried proofs; stored
   * with them, since every later use of the tokens must prove it holds the same key.
   */
  dpopKey?: DPoPKey;
}

/**
 * A DPoP key pair as stored with the tokens it binds: the private JWK (which holds the public
 * members too), the algorithm it signs proofs with, and the public key's SHA-256 JWK
 * thumbprint (RFC 7638), which is the `jkt` servers bind the tokens to. Kept like the tokens
 * (0600), never printed.
 */
export interface DPoPKey {
  /** The JWS algorithm of its proofs: ES256, EdDSA, ES384, PS256 or RS256. */
  alg: string;
  /** The private key, as a JWK. */
  jwk: JsonWebKey;
  /** The public key's JWK SHA-256 thumbprint. */
  jkt: string;
}
