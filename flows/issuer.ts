/**
 * Checks an issuer identifier before anything is sent to it.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";

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
    );
  }
  if (url.search || url.hash) {
    throw new ClauthError(
      "usage",
      `The issuer "${issuer}" has a query or fragment: an issuer identifier has neither (RFC 8414 §2).`,
    );
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return url;
  if (url.protocol === "http:") {
    throw new ClauthError(
      "insecure_issuer",
      `Refusing the http:// issuer ${issuer}: tokens and secrets would cross the network unencrypted. Use https:// (plain http is allowed only on loopback, such as 127.0.0.1 or localhost).`,
    );
  }
  throw new ClauthError("usage", `The issuer "${issuer}" must be an https:// URL.`);
}
