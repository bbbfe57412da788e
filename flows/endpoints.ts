/**
 * The endpoints a profile may set by hand, for servers whose discovery document is missing
 * or wrong. No imports: the config validator (on the cached-token path) reads this list.
 *
 * @module
 */

/**
 * Endpoints a profile may set by hand for servers whose metadata is missing or wrong. Names
 * and meanings are the metadata's own; a value set here wins over discovery.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export interface EndpointOverrides {
  /** Where the browser login starts (RFC 6749 §3.1). */
  authorization_endpoint?: string;
  /** Where every grant gets its tokens (RFC 6749 §3.2); enough for a server without discovery. */
  token_endpoint?: string;
  /** Where the device flow gets its user code (RFC 8628 §3.1). */
  device_authorization_endpoint?: string;
  /** Where tokens are revoked at logout (RFC 7009). */
  revocation_endpoint?: string;
  /** Where a token's state is asked (RFC 7662). */
  introspection_endpoint?: string;
  /** Where the user's claims are read (OIDC Core §5.3). */
  userinfo_endpoint?: string;
  /** The issuer's signing keys, for ID token signatures (RFC 7517). */
  jwks_uri?: string;
  /** Where pushed authorization requests go (RFC 9126). */
  pushed_authorization_request_endpoint?: string;
}

/** Names of the endpoints that can be set in a profile. */
export const ENDPOINT_NAMES: readonly (keyof EndpointOverrides)[] = [
  "authorization_endpoint",
  "token_endpoint",
  "device_authorization_endpoint",
  "revocation_endpoint",
  "introspection_endpoint",
  "userinfo_endpoint",
  "jwks_uri",
  "pushed_authorization_request_endpoint",
];
