/**
 * The endpoints a profile may set by hand, for servers whose discovery document is missing
 * or wrong. No imports: the config validator (on the cached-token path) reads this list.
 *
 * @module
 */

/** Endpoints a profile may set by hand for servers whose metadata is missing or wrong. */
export interface EndpointOverrides {
  authorization_endpoint?: string;
  token_endpoint?: string;
  device_authorization_endpoint?: string;
  revocation_endpoint?: string;
  introspection_endpoint?: string;
  userinfo_endpoint?: string;
  jwks_uri?: string;
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
