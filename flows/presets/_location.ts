/**
 * Helpers presets share to turn the user's location options into URLs: an https origin from
 * a host name (plain http only for a loopback host, which is how tests point a preset at a
 * local server), and the checks that name the option at fault.
 *
 * @module
 */

import { ClauthError } from "../../errors.ts";
import { checkIssuer, isLoopbackHost } from "../protocol/endpoints.ts";

/** `https://HOST` for a host name (`http://` on loopback); a usage error otherwise. */
export function originOf(host: string): string {
  const name = host.replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(`https://${name}`);
  } catch {
    throw badHost(host);
  }
  if (url.pathname !== "/" || url.search || url.hash || url.username) {
    throw badHost(host);
  }
  return isLoopbackHost(url.hostname) ? `http://${url.host}` : url.origin;
}

function badHost(host: string): ClauthError {
  return new ClauthError(
    "usage",
    `The provider's host must be a host name such as github.example.com, not "${host}".`,
  );
}

/** The issuer the user gave, checked like any issuer; a usage error when the preset needs one. */
export function givenIssuer(issuer: string | undefined, title: string, example: string): string {
  if (issuer === undefined) {
    throw new ClauthError(
      "usage",
      `The ${title} preset needs your issuer, such as ${example}.`,
      { setting: "issuer" },
    );
  }
  checkIssuer(issuer);
  return issuer;
}
