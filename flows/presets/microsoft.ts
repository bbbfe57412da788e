/**
 * Microsoft Entra ID (the Microsoft identity platform's v2.0 endpoints), in any tenant and any
 * national cloud.
 *
 * The issuer is `AUTHORITY/TENANT/v2.0`. Its discovery document names another issuer when the
 * tenant is not a GUID: `AUTHORITY/{tenantid}/v2.0` (a template) for `organizations` and
 * `common`, the consumers tenant's GUID for `consumers`, the tenant's GUID for a domain. ID
 * tokens are then checked against that issuer, with the template filled with the token's own
 * `tid`. Entra has no revocation or introspection endpoint; its error descriptions start with
 * an AADSTS code, which {@linkcode entraErrorHint} explains.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#validate-the-issuer
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/authentication-national-cloud
 * @module
 */

import { ClauthError } from "../../errors.ts";
import { isLoopbackHost } from "../protocol/endpoints.ts";
import type { IssuerClaims, Preset, PresetLocation } from "./preset.ts";
import { entraErrorHint } from "./microsoft_errors.ts";
import { checkEntraScope } from "./microsoft_scopes.ts";
import { entraTransport } from "./microsoft_transport.ts";

/**
 * The global service's authority; the national clouds have their own
 * (https://login.microsoftonline.us, https://login.partner.microsoftonline.cn).
 */
const GLOBAL_AUTHORITY = "https://login.microsoftonline.com";

/**
 * "consumers being a nickname for the tenant 9188040d-6c67-4c5b-b112-36a304b66dad", whose
 * discovery document names that tenant's issuer.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#single-tenant-applications
 */
export const CONSUMERS_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad";

/**
 * The tenant-independent authorities, whose discovery document names the issuer
 * `AUTHORITY/{tenantid}/v2.0` ("a template parametrized by the tenantid").
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#multi-tenant-applications
 */
const MULTI_TENANT = new Set(["organizations", "common"]);

/** What a token's `tid` stands in for in a multi-tenant authority's issuer. */
const TENANT_PLACEHOLDER = "{tenantid}";

/** "Validate that the tid claim is a GUID". */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A tenant's domain name (contoso.onmicrosoft.com, contoso.com). */
const DOMAIN = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/;

/**
 * What ends an Entra login, since Entra has no RFC 7009 endpoint: refresh tokens and browser
 * sessions are revoked by signing out everywhere or by an administrator; access tokens stay
 * valid until they expire ("a random value ranging between 60-90 minutes").
 *
 * @see https://learn.microsoft.com/en-us/graph/api/user-revokesigninsessions
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#token-lifetime
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens
 */
const REVOCATION_ADVICE =
  "Microsoft Entra ID has no token revocation endpoint (RFC 7009): the refresh token stays valid at Entra until it expires (90 days by default) or is revoked, and the access token until it expires (60 to 90 minutes). To end the login there, sign out everywhere at https://myaccount.microsoft.com (a personal account: https://account.microsoft.com/security), or have an administrator revoke the user's sessions (Entra admin center > Users > Revoke sessions, or Microsoft Graph's revokeSignInSessions); access tokens already issued still last until they expire.";

/** Where the tenant, the authority and an issuer given beside them put the server. */
interface EntraLocation {
  authority: string;
  tenant: string;
}

/** Microsoft Entra ID's preset. */
export const microsoft: Preset = {
  name: "microsoft",
  title: "Microsoft Entra ID",
  location: [
    {
      setting: "tenant",
      value: "TENANT",
      what: "a tenant GUID or domain, organizations, common or consumers",
      default: "organizations",
    },
    {
      setting: "authority",
      value: "URL",
      what: "a national cloud, such as https://login.microsoftonline.us",
      default: GLOBAL_AUTHORITY,
    },
  ],
  docs: [
    "https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc",
    "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow",
    "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code",
    "https://learn.microsoft.com/en-us/entra/identity-platform/authentication-national-cloud",
    "https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes",
  ],
  locate(where) {
    const { authority, tenant } = entraLocation(where);
    return { issuer: `${authority}/${tenant}/v2.0`, discovery: true };
  },
  // openid and profile give an ID token (and an access token for the userinfo endpoint, which
  // is Microsoft Graph's); "your app must explicitly request the offline_access scope, to
  // receive refresh tokens".
  // https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc#offline_access
  defaults: { scope: "openid profile offline_access" },
  behaviour: {
    // clauth asks for prompt=consent with offline_access (OIDC Core §11); Entra needs no
    // consent prompt to issue refresh tokens ("your app must explicitly request the
    // offline_access scope"), and prompt=consent shows the consent page at every login even
    // when consent was given ("or if the prompt=consent parameter has been provided, a consent
    // prompt is shown"), which stops users of tenants where only admins may consent.
    // select_account lets the person pick the account, as MSAL does by default.
    // https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code
    // https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc#default-when-the-user-has-already-given-consent
    authorizationParameters: { prompt: "select_account" },
    transport: entraTransport,
    discoveryIssuer: entraDiscoveryIssuer,
    expectedIssuer: entraExpectedIssuer,
    scope: checkEntraScope,
    revocationAdvice: REVOCATION_ADVICE,
    errorHint: entraErrorHint,
  },
};

/**
 * The authority (an origin) and the tenant (lower case) of `where`: `tenant` and `authority`
 * as given, or taken from a full authority (`https://login.microsoftonline.com/contoso.com`,
 * as MSAL writes it) or from the issuer; organizations at the global service when not given.
 */
export function entraLocation(where: PresetLocation): EntraLocation {
  const fromAuthority = where.authority === undefined
    ? undefined
    : parseAuthority(where.authority, "authority");
  const fromIssuer = where.issuer === undefined
    ? undefined
    : parseAuthority(where.issuer, "issuer");
  const authority = agreed("authority", [fromAuthority?.authority, fromIssuer?.authority]) ??
    GLOBAL_AUTHORITY;
  const tenant = agreed("tenant", [
    where.tenant?.toLowerCase(),
    fromAuthority?.tenant,
    fromIssuer?.tenant,
  ]) ?? "organizations";
  if (
    !MULTI_TENANT.has(tenant) && tenant !== "consumers" && !GUID.test(tenant) &&
    !DOMAIN.test(tenant)
  ) {
    throw new ClauthError(
      "usage",
      `The Entra tenant must be a GUID, a domain (contoso.onmicrosoft.com), organizations, common or consumers, not "${tenant}".`,
    );
  }
  return { authority, tenant };
}

/** The one value the given places agree on; a usage error when two differ. */
function agreed(what: string, values: Array<string | undefined>): string | undefined {
  const given = [...new Set(values.filter((value) => value !== undefined))];
  if (given.length > 1) {
    throw new ClauthError(
      "usage",
      `Two Entra ${what}s were given: ${
        given.join(" and ")
      }. Give one (the issuer, when given, must be AUTHORITY/TENANT/v2.0).`,
    );
  }
  return given[0];
}

/**
 * An authority (`https://login.microsoftonline.us`, optionally with `/TENANT`) or an issuer
 * (`AUTHORITY/TENANT/v2.0`): https, or http on loopback (a local stand-in, in tests).
 */
function parseAuthority(text: string, what: "authority" | "issuer"): Partial<EntraLocation> {
  const bad = () =>
    new ClauthError(
      "usage",
      what === "issuer"
        ? `An Entra issuer is AUTHORITY/TENANT/v2.0, such as https://login.microsoftonline.com/organizations/v2.0, not "${text}".`
        : `The Entra authority must be an https address such as https://login.microsoftonline.us (a national cloud), not "${text}".`,
      { setting: what === "issuer" ? "issuer" : undefined },
    );
  if (!URL.canParse(text)) throw bad();
  const url = new URL(text);
  const secure = url.protocol === "https:" ||
    (url.protocol === "http:" && isLoopbackHost(url.hostname));
  if (!secure || url.search || url.hash || url.username || url.password) throw bad();
  const parts = url.pathname.split("/").filter(Boolean);
  if (what === "issuer" && (parts.length !== 2 || parts[1] !== "v2.0")) throw bad();
  if (parts.length > 2 || (parts.length === 2 && parts[1] !== "v2.0")) throw bad();
  return parts[0] === undefined
    ? { authority: url.origin }
    : { authority: url.origin, tenant: decodeURIComponent(parts[0]).toLowerCase() };
}

/**
 * Whether the discovery document of `issuer` (AUTHORITY/TENANT/v2.0) may name `named`:
 * `AUTHORITY/{tenantid}/v2.0` for organizations and common; the consumers tenant's issuer for
 * consumers; for a domain, the issuer of a tenant GUID at the same authority (the tenant's own,
 * which the domain only names). A GUID tenant's document names the issuer itself.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#validate-the-issuer
 */
export function entraDiscoveryIssuer(issuer: string, named: string): boolean {
  const configured = splitIssuer(issuer);
  const document = splitIssuer(named);
  if (!configured || !document || document.authority !== configured.authority) return false;
  if (MULTI_TENANT.has(configured.tenant)) return document.tenant === TENANT_PLACEHOLDER;
  if (configured.tenant === "consumers") return document.tenant === CONSUMERS_TENANT_ID;
  return DOMAIN.test(configured.tenant) && GUID.test(document.tenant);
}

/**
 * The `iss` an ID token must carry, given the issuer the discovery document named. For the
 * template, "replace the {tenantid} value in the issuer metadata with the tenant ID ... (tid
 * claim of the token)" after checking "that the tid claim is a GUID": a token without a GUID
 * `tid` is held to the template itself, which no real issuer equals. For one tenant, the
 * issuer itself, and a `tid` naming another tenant refuses the token ("the issuer and tenantid
 * match").
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#multi-tenant-applications
 */
export function entraExpectedIssuer(claims: IssuerClaims, issuer: string): string | undefined {
  const named = splitIssuer(issuer);
  if (!named) return undefined;
  const tid = typeof claims.tid === "string" && GUID.test(claims.tid) ? claims.tid : undefined;
  if (named.tenant === TENANT_PLACEHOLDER) {
    return tid === undefined ? issuer : `${named.authority}/${tid}/v2.0`;
  }
  if (claims.tid === undefined || claims.tid === named.tenant) return issuer;
  // A token of this issuer that names another tenant: expect what its iss is not.
  return `${issuer} with tid ${named.tenant}`;
}

/** `AUTHORITY/TENANT/v2.0` split, the tenant as written (`{tenantid}` kept); else undefined. */
function splitIssuer(issuer: string): EntraLocation | undefined {
  const match = /^(https?:\/\/[^/]+)\/([^/]+)\/v2\.0$/.exec(issuer);
  if (!match) return undefined;
  return { authority: match[1]!.toLowerCase(), tenant: match[2]!.toLowerCase() };
}
