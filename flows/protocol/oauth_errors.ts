/**
 * Turns oauth4webapi's errors into ClauthErrors a person can act on and a program can
 * branch on.
 *
 * Servers answer errors in many shapes: RFC 6749 JSON, a WWW-Authenticate challenge, an
 * empty body, an HTML page. Each becomes one sentence naming the endpoint, the HTTP status
 * and the server's own error code and description (shown as given, even outside the RFC),
 * and the same facts as fields: `oauthError`, `status`, `endpoint`, and `setting` when the
 * fix is in one.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import {
  type ClauthEndpoint,
  ClauthError,
  type ClauthErrorCode,
  type ClauthSetting,
} from "../../errors.ts";
import type { EndpointOverrides } from "./endpoints.ts";
import { ResponseTooLarge, tooLargeMessage } from "./http.ts";
import { safeText } from "./safe_text.ts";

/**
 * Maps RFC 6749 / RFC 8628 error codes to our categories; anything else is "server". Not
 * `access_denied`: from an endpoint it is the server's policy refusing the request ("server"),
 * not a person; the device flow, where a person's "no" arrives as a token endpoint answer,
 * and the authorization response make it "denied" themselves.
 */
const CODE_FOR_OAUTH_ERROR: Record<string, ClauthErrorCode> = {
  invalid_client: "invalid_client",
  unauthorized_client: "invalid_client",
  invalid_grant: "invalid_grant",
  expired_token: "expired",
  invalid_scope: "usage",
  invalid_target: "usage",
};

/** How messages name each endpoint. */
const ENDPOINT_TEXT: Record<ClauthEndpoint, string> = {
  discovery: "discovery endpoint",
  authorization: "authorization endpoint",
  par: "pushed authorization request endpoint",
  token: "token endpoint",
  device_authorization: "device authorization endpoint",
  revocation: "revocation endpoint",
  introspection: "introspection endpoint",
  userinfo: "userinfo endpoint",
  jwks: "issuer's key set (jwks_uri)",
};

/** The endpoint a metadata field names: `token_endpoint` is "token". */
const ENDPOINT_OF: Record<keyof EndpointOverrides, ClauthEndpoint> = {
  authorization_endpoint: "authorization",
  token_endpoint: "token",
  device_authorization_endpoint: "device_authorization",
  revocation_endpoint: "revocation",
  introspection_endpoint: "introspection",
  userinfo_endpoint: "userinfo",
  jwks_uri: "jwks",
  pushed_authorization_request_endpoint: "par",
};

/** The {@linkcode ClauthEndpoint} for a metadata field name such as `token_endpoint`. */
export function endpointOf(name: keyof EndpointOverrides): ClauthEndpoint {
  return ENDPOINT_OF[name];
}

/** The OAuth error in a server's answer, as oauth4webapi reports it. */
export interface OAuthErrorDetail {
  /** The `error` code as sent. */
  oauthError: string;
  /** The `error_description`, if any (server text: pass it through `safeText` to show it). */
  description?: string;
  /** The HTTP status. */
  status: number;
}

/** The OAuth error carried by an oauth4webapi error (a body or a challenge), if any. */
export function oauthErrorDetail(error: unknown): OAuthErrorDetail | undefined {
  if (error instanceof oauth.ResponseBodyError) {
    return withDescription(
      { oauthError: error.error, status: error.status },
      error.error_description,
    );
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const parameters = error.cause[0]?.parameters;
    const oauthError = parameters?.error ?? (error.status === 401 ? "invalid_client" : undefined);
    if (oauthError === undefined) return undefined;
    return withDescription({ oauthError, status: error.status }, parameters?.error_description);
  }
  return undefined;
}

function withDescription(detail: OAuthErrorDetail, description: unknown): OAuthErrorDetail {
  return typeof description === "string" && description ? { ...detail, description } : detail;
}

/** The OAuth `error` code carried by an oauth4webapi error, if any. */
export function oauthErrorCode(error: unknown): string | undefined {
  return oauthErrorDetail(error)?.oauthError;
}

/**
 * The setting a refusal's words point at when they name DPoP or PAR: servers require them per
 * client without saying so in their metadata (Keycloak: "DPoP proof is missing"; oidc-provider:
 * "Pushed Authorization Request must be used").
 */
export function settingNamedBy(
  oauthError: string,
  description: string | undefined,
): "dpop" | "par" | undefined {
  if (oauthError === "invalid_dpop_proof" || oauthError === "use_dpop_nonce") return "dpop";
  if (description && /\bdpop\b/i.test(description)) return "dpop";
  if (description && /pushed authori[sz]ation request/i.test(description)) return "par";
  return undefined;
}

/** "invalid_grant (the description), HTTP 400": the server's answer, safe to show. */
export function describeOAuthError(detail: OAuthErrorDetail): string {
  const description = detail.description ? ` (${safeText(detail.description)})` : "";
  return `${safeText(detail.oauthError)}${description}, HTTP ${detail.status}`;
}

/** The structured fields of `error`, to carry them over to an error that rewords it. */
export function fieldsOf(error: ClauthError): {
  oauthError: string | undefined;
  status: number | undefined;
  endpoint: ClauthEndpoint | undefined;
  setting: ClauthSetting | undefined;
} {
  const { oauthError, status, endpoint, setting } = error;
  return { oauthError, status, endpoint, setting };
}

/**
 * A login refused with `access_denied` while it asked for no scope. The person may have said
 * no; or the server refused to grant nothing: RFC 6749 §3.3 has a server use a default scope
 * or answer `invalid_scope`, but some (oidc-provider) answer `access_denied`, even after the
 * person approved. Still "denied", naming the scope setting so a CLI can say how to ask for
 * one. `denial` is the refusal as the flow reported it.
 */
export function deniedWithoutScope(denial: ClauthError): ClauthError {
  return new ClauthError(
    "denied",
    `${
      denial.message.replace(/\.$/, "")
    }, and the login asked for no scope: either the person denied it, or the server refuses a login that asks for none (some do, even after the person approved).`,
    { ...fieldsOf(denial), setting: "scope", cause: denial.cause ?? denial },
  );
}

/** Options for {@linkcode toClauthError}. */
export interface ToClauthErrorOptions {
  /**
   * The setting to blame when the server refuses the client: the credential the request
   * was authenticated with (default "client_secret").
   */
  credential?: ClauthSetting;
}

/**
 * Converts an error thrown while calling `endpoint` into a ClauthError with the OAuth error,
 * HTTP status and endpoint as fields. ClauthErrors keep their message; those made before
 * the endpoint was known (the network's, a refused client's) get it added.
 */
export function toClauthError(
  error: unknown,
  endpoint: ClauthEndpoint,
  options: ToClauthErrorOptions = {},
): ClauthError {
  const credential = options.credential ?? "client_secret";
  if (error instanceof ClauthError) return completed(error, endpoint, credential);
  const where = ENDPOINT_TEXT[endpoint];
  const detail = oauthErrorDetail(error);
  if (detail !== undefined) {
    const code = CODE_FOR_OAUTH_ERROR[detail.oauthError] ?? "server";
    let message = `The ${where} refused the request: ${describeOAuthError(detail)}.`;
    if (code === "invalid_client") message += ` ${checkClientAdvice(credential)}`;
    if (detail.oauthError === "access_denied") {
      message += " The server refused it by its own policy: no person denied anything.";
    }
    return new ClauthError(code, message, {
      cause: error,
      oauthError: detail.oauthError,
      status: detail.status,
      endpoint,
      setting: code === "invalid_client"
        ? credential
        : detail.oauthError === "invalid_scope"
        ? "scope"
        : settingNamedBy(detail.oauthError, detail.description),
    });
  }
  if (error instanceof oauth.OperationProcessingError) {
    const response = error.cause instanceof Response ? error.cause : undefined;
    const fields = { cause: error, status: response?.status, endpoint };
    switch (error.code) {
      case oauth.RESPONSE_IS_NOT_CONFORM:
        return new ClauthError(
          "server",
          `The ${where} answered HTTP ${response?.status ?? "?"}${
            response?.statusText ? ` ${safeText(response.statusText, 100)}` : ""
          } without an OAuth error in the body.`,
          fields,
        );
      case oauth.RESPONSE_IS_NOT_JSON:
      case oauth.PARSE_ERROR:
        return new ClauthError(
          "server",
          `The ${where} answered with a body that is not JSON${
            response ? ` (HTTP ${response.status}, content-type ${contentType(response)})` : ""
          }.`,
          fields,
        );
      default:
        return new ClauthError(
          "server",
          `The ${where} sent a response clauth cannot use: ${error.message}.`,
          fields,
        );
    }
  }
  if (error instanceof oauth.UnsupportedOperationError) {
    return new ClauthError("server", `The ${where} response is not supported: ${error.message}.`, {
      cause: error,
      endpoint,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ClauthError("server", `The ${where} request failed: ${message}.`, {
    cause: error,
    endpoint,
  });
}

/** What to check when the server refuses the client; the caller's own advice follows. */
export const CHECK_CLIENT =
  "Check the client id and secret (or the private key, if the client signs its requests) and the client authentication method (token_endpoint_auth_method).";

/**
 * What a public client (no secret, no key: authentication method none) checks when the server
 * refuses it: the client id, not a secret it does not have.
 */
export const CHECK_PUBLIC_CLIENT =
  "The server does not accept this client id without client credentials: the client id is wrong or not allowed at this server (or the client is confidential, and then needs its secret or private key).";

/**
 * What to check when the server refuses a client that authenticated with `credential` (the
 * setting {@linkcode ToClauthErrorOptions.credential} names): {@linkcode CHECK_PUBLIC_CLIENT}
 * for a public client ("client_id"), else {@linkcode CHECK_CLIENT}.
 */
export function checkClientAdvice(credential: ClauthSetting): string {
  return credential === "client_id" ? CHECK_PUBLIC_CLIENT : CHECK_CLIENT;
}

/**
 * `error` with `endpoint` filled in when it names none (network errors are made without);
 * an answer that was too large is then named by its endpoint in the message too.
 */
export function withEndpoint(error: ClauthError, endpoint: ClauthEndpoint): ClauthError {
  return error.endpoint === undefined ? copy(error, { endpoint }) : error;
}

function copy(
  error: ClauthError,
  fields: { endpoint?: ClauthEndpoint; setting?: ClauthSetting | undefined },
): ClauthError {
  const endpoint = fields.endpoint ?? error.endpoint;
  const message = error.cause instanceof ResponseTooLarge && endpoint !== undefined
    ? tooLargeMessage(error.cause, ENDPOINT_TEXT[endpoint])
    : error.message;
  return new ClauthError(error.code, message, {
    ...fieldsOf(error),
    ...fields,
    cause: error.cause,
  });
}

/** `error` with the endpoint (and for a refused client, the credential) filled in. */
function completed(
  error: ClauthError,
  endpoint: ClauthEndpoint,
  credential: ClauthSetting,
): ClauthError {
  const setting = error.setting ?? (error.code === "invalid_client" ? credential : undefined);
  if (error.endpoint !== undefined && setting === error.setting) return error;
  return copy(error, { endpoint: error.endpoint ?? endpoint, setting });
}

function contentType(response: Response): string {
  return safeText(response.headers.get("content-type")?.split(";")[0] || "none", 100);
}
