/**
 * Turns oauth4webapi's errors into ClauthErrors a person can act on.
 *
 * Servers answer errors in many shapes: RFC 6749 JSON, a WWW-Authenticate challenge, an
 * empty body, an HTML page. Each becomes one sentence naming the endpoint, the HTTP status
 * and the server's own error code and description (shown as given, even outside the RFC).
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import { ClauthError, type ClauthErrorCode } from "../errors.ts";
import { safeText } from "./safe_text.ts";

/** Maps RFC 6749 / RFC 8628 error codes to our categories; anything else is "server". */
const CODE_FOR_OAUTH_ERROR: Record<string, ClauthErrorCode> = {
  invalid_client: "invalid_client",
  unauthorized_client: "invalid_client",
  invalid_grant: "invalid_grant",
  access_denied: "denied",
  expired_token: "expired",
  invalid_scope: "usage",
  invalid_target: "usage",
};

/** The OAuth `error` code carried by an oauth4webapi error, if any. */
export function oauthErrorCode(error: unknown): string | undefined {
  if (error instanceof oauth.ResponseBodyError) return error.error;
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    return error.cause[0]?.parameters.error ??
      (error.status === 401 ? "invalid_client" : undefined);
  }
  return undefined;
}

/**
 * Converts an error thrown while calling `endpoint` (a name such as "token endpoint") into a
 * ClauthError. ClauthErrors pass through unchanged.
 */
export function toClauthError(error: unknown, endpoint: string): ClauthError {
  if (error instanceof ClauthError) return error;
  const oauthError = oauthErrorCode(error);
  if (oauthError !== undefined) {
    const status = (error as oauth.ResponseBodyError | oauth.WWWAuthenticateChallengeError).status;
    const description = error instanceof oauth.ResponseBodyError
      ? error.error_description
      : (error as oauth.WWWAuthenticateChallengeError).cause[0]?.parameters.error_description;
    const code = CODE_FOR_OAUTH_ERROR[oauthError] ?? "server";
    let message = `The ${endpoint} refused the request: ${safeText(oauthError)}${
      description ? ` (${safeText(description)})` : ""
    }, HTTP ${status}`;
    if (code === "invalid_client") {
      message +=
        ". Check the client id and secret (CLAUTH_CLIENT_SECRET or --client-secret-file) and the profile's token_endpoint_auth_method";
    }
    return new ClauthError(code, message, { cause: error });
  }
  if (error instanceof oauth.OperationProcessingError) {
    const response = error.cause instanceof Response ? error.cause : undefined;
    switch (error.code) {
      case oauth.RESPONSE_IS_NOT_CONFORM:
        return new ClauthError(
          "server",
          `The ${endpoint} answered HTTP ${response?.status ?? "?"}${
            response?.statusText ? ` ${response.statusText}` : ""
          } without an OAuth error in the body.`,
          { cause: error },
        );
      case oauth.RESPONSE_IS_NOT_JSON:
      case oauth.PARSE_ERROR:
        return new ClauthError(
          "server",
          `The ${endpoint} answered with a body that is not JSON${
            response ? ` (HTTP ${response.status}, content-type ${contentType(response)})` : ""
          }.`,
          { cause: error },
        );
      default:
        return new ClauthError(
          "server",
          `The ${endpoint} sent a response clauth cannot use: ${error.message}.`,
          { cause: error },
        );
    }
  }
  if (error instanceof oauth.UnsupportedOperationError) {
    return new ClauthError(
      "server",
      `The ${endpoint} response is not supported: ${error.message}.`,
      {
        cause: error,
      },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ClauthError("server", `The ${endpoint} request failed: ${message}.`, { cause: error });
}

function contentType(response: Response): string {
  return response.headers.get("content-type")?.split(";")[0] || "none";
}
