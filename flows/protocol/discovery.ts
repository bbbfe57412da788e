/**
 * Provider discovery: OpenID Connect Discovery 1.0 first, then RFC 8414 metadata, cached by
 * the caller so repeated commands make no extra requests, with endpoints the profile sets
 * explicitly laid over whatever the document says (or standing in for it when there is none).
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import { ClauthError } from "../../errors.ts";
import type { FlowDependencies } from "./dependencies.ts";
import {
  checkEndpointUrl,
  checkIssuer,
  ENDPOINT_NAMES,
  type EndpointOverrides,
  isLoopbackHost,
} from "./endpoints.ts";
import { describeUrl, followSameOriginRedirects, timedFetch } from "./http.ts";
import { withEndpoint } from "./oauth_errors.ts";
import type { AuthorizationServer } from "./oauth_types.ts";
import { safeText } from "./safe_text.ts";

/** Options for {@linkcode discover}. */
export interface DiscoverOptions {
  /** Endpoints that win over the discovery document. */
  endpoints?: EndpointOverrides;
  /** Network, timeout and cache. */
  deps?: FlowDependencies;
  /**
   * False for a provider that publishes no discovery document (GitHub): the metadata is the
   * issuer and `endpoints`, and nothing is fetched.
   */
  discovery?: boolean;
  /**
   * The issuer the document must name when it is not `issuer` itself (an Entra multi-tenant
   * authority's document names `https://login.microsoftonline.com/{tenantid}/v2.0`), or a
   * test of the issuer it names (an Entra tenant given by its domain names the tenant's GUID).
   */
  documentIssuer?: string | ((named: string) => boolean);
}

/**
 * Returns the authorization server's metadata for `issuer`. `createClient` calls
 * it; call it yourself only to read the metadata.
 *
 * Refuses http:// issuers that are not loopback, follows same-origin redirects on the
 * discovery GET, and requires the document's `issuer` to equal the configured one. Every
 * field clauth uses must have its type (endpoints: https or loopback URLs; the ID token
 * algorithms: an array of strings; flags: booleans), else a "server" error names the field;
 * `null` counts as absent, and malformed advisory lists (`grant_types_supported`,
 * `token_endpoint_auth_methods_supported`, ...) are ignored. The document may be at most
 * 1 MiB.
 *
 * @example Which grants does the server advertise?
 * ```ts
 * import assert from "node:assert/strict";
 * import { discover } from "@clauth/clauth";
 * // The dev provider stands in for your server:
 * import { startDevProvider } from "../../dev/provider.ts";
 *
 * const idp = await startDevProvider();
 * const metadata = await discover(idp.issuer);
 * assert.equal(metadata.issuer, idp.issuer);
 * assert.ok(metadata.grant_types_supported?.includes("urn:ietf:params:oauth:grant-type:device_code"));
 * await idp.close();
 * ```
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 */
export async function discover(
  issuer: string,
  options: DiscoverOptions = {},
): Promise<AuthorizationServer> {
  const issuerUrl = checkIssuer(issuer);
  const deps = options.deps ?? {};
  const overrides = definedOnly(options.endpoints ?? {});
  if (options.discovery === false) return checkedMetadata({ issuer, ...overrides }, overrides);
  const cached = await deps.metadataCache?.get(issuerUrl.href);
  if (isMetadata(cached)) {
    try {
      return checkedMetadata({ ...cached, ...overrides }, overrides);
    } catch {
      // Cached before types were checked: fetch it anew, and report what is still wrong.
    }
  }

  let metadata: oauth.AuthorizationServer;
  try {
    metadata = await fetchMetadata(issuerUrl, deps, options.documentIssuer);
  } catch (error) {
    // A provider without discovery still works when the profile names its endpoints.
    const mismatch = error instanceof ClauthError && error.code === "usage";
    if (overrides.token_endpoint && !mismatch) {
      return checkedMetadata({ issuer, ...overrides }, overrides);
    }
    throw error;
  }
  // Checked before it is cached: a document with a wrong type is never kept.
  const checked = checkedMetadata({ ...metadata, ...overrides }, overrides);
  await deps.metadataCache?.set(issuerUrl.href, metadata);
  return checked;
}

/** The endpoint URLs clauth may send requests to: strings, https (or http on loopback). */
const URL_FIELDS: readonly string[] = ENDPOINT_NAMES;

/**
 * The list clauth picks ID token algorithms from: a wrong type is refused, since ignoring it
 * would make clauth expect RS256 and fail only after the login's code was redeemed.
 */
const STRING_ARRAY_FIELDS = ["id_token_signing_alg_values_supported"];

/**
 * Lists clauth only takes advice from: a wrong type is dropped, and clauth acts as when the
 * server does not say. Client authentication then starts with client_secret_basic (with its
 * one fallback to client_secret_post); token exchange is tried anyway; a signed userinfo,
 * introspection or authorization answer is checked against oauth4webapi's defaults.
 */
const ADVISORY_ARRAY_FIELDS = [
  "token_endpoint_auth_methods_supported",
  "grant_types_supported",
  "userinfo_signing_alg_values_supported",
  "introspection_signing_alg_values_supported",
  "authorization_signing_alg_values_supported",
];

/** Fields clauth (or oauth4webapi) reads as booleans: only true and false are accepted. */
const BOOLEAN_FIELDS: Record<string, string> = {
  require_pushed_authorization_requests: "RFC 9126 §5",
  authorization_response_iss_parameter_supported: "RFC 9207 §3",
};

/**
 * Checks the type of every metadata field clauth uses, once, before any of them is used:
 * endpoint URLs are strings that pass {@linkcode checkEndpointUrl}, `*_supported` lists are
 * arrays of strings, flags are `true` or `false` (the string "false" is not false). A wrong
 * type is a "server" error naming the field (for an endpoint, `setting: "endpoints"`: the
 * profile can set the right URL, which then wins). A `null` member counts as absent, and the
 * advisory lists ({@linkcode ADVISORY_ARRAY_FIELDS}) are dropped when malformed. Returns the
 * metadata without those.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
function checkedMetadata(
  metadata: oauth.AuthorizationServer,
  overrides: EndpointOverrides,
): oauth.AuthorizationServer {
  const checked: Record<string, unknown> = {};
  const refuse = (field: string, value: unknown, wanted: string, fix: string) =>
    new ClauthError(
      "server",
      `The discovery document of ${metadata.issuer} has ${field} = ${
        shownValue(value)
      }, where ${wanted} is required. ${fix}`,
      {
        endpoint: "discovery",
        ...(URL_FIELDS.includes(field) ? { setting: "endpoints" as const } : {}),
      },
    );
  const serverFix = "The server's metadata is wrong: ask its administrator to correct it.";
  for (const [field, value] of Object.entries(metadata)) {
    if (value === null) continue;
    if (URL_FIELDS.includes(field) && Object.hasOwn(overrides, field)) {
      checkEndpointUrl(field, String(value)); // the caller's own: its words, not the document's
    } else if (URL_FIELDS.includes(field)) {
      if (typeof value !== "string" || !URL.canParse(value)) {
        throw refuse(
          field,
          value,
          "an absolute URL (a string)",
          `The server's metadata is wrong; if you know the right URL, set "${field}" in the profile.`,
        );
      }
      try {
        checkEndpointUrl(field, value);
      } catch (error) {
        if (!(error instanceof ClauthError)) throw error;
        throw new ClauthError(
          error.code,
          `${error.message} The discovery document of ${metadata.issuer} names it; if you know the right URL, set "${field}" in the profile.`,
          { cause: error, endpoint: "discovery", setting: "endpoints" },
        );
      }
    } else if (STRING_ARRAY_FIELDS.includes(field) && !isStringArray(value)) {
      throw refuse(field, value, "an array of strings", serverFix);
    } else if (ADVISORY_ARRAY_FIELDS.includes(field) && !isStringArray(value)) {
      continue;
    } else if (Object.hasOwn(BOOLEAN_FIELDS, field) && typeof value !== "boolean") {
      throw refuse(field, value, `true or false (${BOOLEAN_FIELDS[field]})`, serverFix);
    }
    checked[field] = value;
  }
  return checked as oauth.AuthorizationServer;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/** A metadata value as JSON, safe to show and at most a line long. */
function shownValue(value: unknown): string {
  return safeText(JSON.stringify(value) ?? String(value), 80);
}

async function fetchMetadata(
  issuerUrl: URL,
  deps: FlowDependencies,
  documentIssuer: DiscoverOptions["documentIssuer"],
): Promise<oauth.AuthorizationServer> {
  const requestOptions = {
    // oauth4webapi asks with `redirect: "manual"`; some servers redirect discovery (to add
    // a slash, say). Same-origin hops are followed; the issuer check still guards the result.
    [oauth.customFetch]: followSameOriginRedirects(timedFetch(deps)),
    [oauth.allowInsecureRequests]: isLoopbackHost(issuerUrl.hostname),
  };
  const failures: string[] = [];
  let status: number | undefined;
  for (const algorithm of ["oidc", "oauth2"] as const) {
    let response: Response;
    try {
      response = await oauth.discoveryRequest(issuerUrl, { ...requestOptions, algorithm });
    } catch (error) {
      throw error instanceof ClauthError ? withEndpoint(error, "discovery") : error;
    }
    if (response.status === 404 || response.status === 410) {
      status = response.status;
      failures.push(`${describeUrl(response.url)} (HTTP ${response.status})`);
      await response.body?.cancel();
      continue;
    }
    const expected = await expectedDocumentIssuer(issuerUrl, documentIssuer, response);
    try {
      return await oauth.processDiscoveryResponse(expected, response);
    } catch (error) {
      throw discoveryError(error, expected, response);
    }
  }
  throw new ClauthError(
    "server",
    `No discovery document for issuer ${issuerUrl.href}: tried ${
      failures.join(" and ")
    }. Check the issuer URL, or set the endpoints in the profile (token_endpoint, ...).`,
    { status, endpoint: "discovery", setting: "issuer" },
  );
}

/**
 * The issuer the document must name: `documentIssuer`; or, when that is a test, the issuer
 * the document names if it passes (the processing that follows still compares the two).
 */
async function expectedDocumentIssuer(
  issuerUrl: URL,
  documentIssuer: DiscoverOptions["documentIssuer"],
  response: Response,
): Promise<URL> {
  if (typeof documentIssuer === "string") return new URL(documentIssuer);
  if (documentIssuer === undefined || response.status !== 200) return issuerUrl;
  const named = await response.clone().json().then((body) => body?.issuer, () => undefined);
  return typeof named === "string" && URL.canParse(named) && documentIssuer(named)
    ? new URL(named)
    : issuerUrl;
}

function discoveryError(error: unknown, issuerUrl: URL, response: Response): ClauthError {
  const where = describeUrl(response.url);
  const fields = { cause: error, status: response.status, endpoint: "discovery" } as const;
  if (error instanceof oauth.OperationProcessingError) {
    if (error.code === oauth.JSON_ATTRIBUTE_COMPARISON) {
      const actual = (error.cause as { body?: { issuer?: unknown } }).body?.issuer;
      return new ClauthError(
        "usage",
        `The discovery document at ${where} names the issuer "${
          safeText(String(actual))
        }", not "${issuerUrl.href}". If you trust this server, use the exact issuer it names.`,
        { ...fields, setting: "issuer" },
      );
    }
    if (error.code === oauth.RESPONSE_IS_NOT_CONFORM) {
      return new ClauthError(
        "server",
        `The discovery document at ${where} could not be fetched: HTTP ${response.status}.`,
        fields,
      );
    }
    if (error.code === oauth.RESPONSE_IS_NOT_JSON || error.code === oauth.PARSE_ERROR) {
      return new ClauthError(
        "server",
        `The discovery document at ${where} is not JSON (content-type ${
          safeText(response.headers.get("content-type") ?? "none", 100)
        }). Check the issuer URL.`,
        { ...fields, setting: "issuer" },
      );
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ClauthError(
    "server",
    `The discovery document at ${where} is unusable: ${safeText(message)}.`,
    fields,
  );
}

function isMetadata(value: unknown): value is oauth.AuthorizationServer {
  return typeof value === "object" && value !== null &&
    typeof (value as { issuer?: unknown }).issuer === "string";
}

function definedOnly(endpoints: EndpointOverrides): EndpointOverrides {
  return Object.fromEntries(Object.entries(endpoints).filter(([, value]) => value !== undefined));
}
