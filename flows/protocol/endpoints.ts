/**
 * Where clauth may send requests: the issuer and endpoint URL checks (https, or plain http on
 * loopback only) and the endpoints a profile may set by hand, for servers whose discovery
 * document is missing or wrong. Light on purpose: the config validator on the cached-token
 * path uses it.
 *
 * @module
 */

import { ClauthError } from "../../errors.ts";

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

/**
 * Whether a host name is a loopback address, where plain http cannot be sniffed. Only
 * literal addresses and `localhost` itself: `*.localhost` names go through DNS like any other.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Refuses an endpoint URL that would send tokens or secrets in clear: https, or http on a
 * loopback address only. `name` is the metadata field, for the message.
 */
export function checkEndpointUrl(name: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ClauthError("server", `The ${name} "${value}" is not a URL.`);
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    return;
  }
  throw new ClauthError(
    "insecure_issuer",
    `Refusing the ${name} ${url.origin}${url.pathname}: tokens and secrets would cross the network unencrypted. Endpoints must be https:// (plain http only on loopback).`,
  );
}

/**
 * Parses an issuer URL and refuses plain http except on loopback (RFC 8252 §8.3 spirit:
 * tokens must not cross a network unencrypted). Returns the parsed URL.
 */
export function checkIssuer(issuer: string): URL {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ClauthError(
      "usage",
      `The issuer "${issuer}" is not a URL: give the full address, e.g. https://login.example.com.`,
      { setting: "issuer" },
    );
  }
  if (url.search || url.hash) {
    throw new ClauthError(
      "usage",
      `The issuer "${issuer}" has a query or fragment: an issuer identifier has neither (RFC 8414 §2).`,
      { setting: "issuer" },
    );
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return url;
  if (url.protocol === "http:") {
    throw new ClauthError(
      "insecure_issuer",
      `Refusing the http:// issuer ${issuer}: tokens and secrets would cross the network unencrypted. Use https:// (plain http is allowed only on loopback, such as 127.0.0.1 or localhost).`,
      { setting: "issuer" },
    );
  }
  throw new ClauthError("usage", `The issuer "${issuer}" must be an https:// URL.`, {
    setting: "issuer",
  });
}
