/**
 * OAuth 2.0 Token Exchange (RFC 8693): trade a token (the subject, and optionally an actor)
 * for another one, usually narrower (fewer scopes, one audience) or for another service.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import type { Acquisition } from "../../acquisition.ts";
import { ClauthError } from "../../errors.ts";
import { type Client, tokenEndpointCall } from "../protocol/client.ts";
import { describeOAuthError, fieldsOf, oauthErrorDetail } from "../protocol/oauth_errors.ts";

/** The grant type URN of token exchange. */
export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";

/**
 * Token type identifiers by short name (RFC 8693 §3; `jwt` from RFC 7519 §9).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-3
 */
export const TOKEN_TYPES = {
  access_token: "urn:ietf:params:oauth:token-type:access_token",
  refresh_token: "urn:ietf:params:oauth:token-type:refresh_token",
  id_token: "urn:ietf:params:oauth:token-type:id_token",
  jwt: "urn:ietf:params:oauth:token-type:jwt",
  saml1: "urn:ietf:params:oauth:token-type:saml1",
  saml2: "urn:ietf:params:oauth:token-type:saml2",
} as const;

/** A short token type name, e.g. `access_token`. */
export type TokenTypeName = keyof typeof TOKEN_TYPES;

/**
 * The token type URN for a short name or a known URN; undefined when it is neither.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenTypeUri } from "@clauth/clauth";
 *
 * assert.equal(tokenTypeUri("id_token"), "urn:ietf:params:oauth:token-type:id_token");
 * assert.equal(tokenTypeUri("urn:ietf:params:oauth:token-type:jwt"), "urn:ietf:params:oauth:token-type:jwt");
 * assert.equal(tokenTypeUri("cookie"), undefined);
 * ```
 */
export function tokenTypeUri(value: string): string | undefined {
  if (Object.hasOwn(TOKEN_TYPES, value)) return TOKEN_TYPES[value as TokenTypeName];
  return (Object.values(TOKEN_TYPES) as string[]).includes(value) ? value : undefined;
}

/** Options for {@linkcode tokenExchangeFlow}. */
export interface TokenExchangeOptions {
  /** The token to exchange. */
  subjectToken: string;
  /** Its type URN (default: access token). */
  subjectTokenType?: string;
  /** The party acting on the subject's behalf (delegation). */
  actorToken?: string;
  /** The actor token's type URN (default: access token). */
  actorTokenType?: string;
  /** Logical names of the services the new token is for. */
  audience?: string[];
  /** Absolute URIs of the services the new token is for (RFC 8707). */
  resource?: string[];
  /** Space-separated scopes for the new token. */
  scope?: string;
  /** The type URN of the token wanted back. */
  requestedTokenType?: string;
}

/** The exchange's response: the issued token, in `response.access_token` whatever its type. */
export interface TokenExchangeResult extends Acquisition {
  /** The type URN of the issued token (`issued_token_type`); undefined if the server omitted it. */
  issuedTokenType?: string;
}

/**
 * Exchanges a subject token (and optionally an actor token) at the token endpoint.
 *
 * The issued token is in `response.access_token` even when it is not an access token; its
 * type is {@linkcode TokenExchangeResult.issuedTokenType}, and `token_type` is then `n_a`
 * (RFC 8693 §2.2.1, lower-cased like every token_type).
 *
 * Failures: `unsupported_grant_type` becomes a "usage" error saying the server does not
 * support token exchange; `invalid_grant` a "server" error saying the subject (or actor)
 * token is not active; `access_denied` a "server" error saying the server refused the
 * exchange (its policy, not a person).
 *
 * @example Narrow a caller's token to one service
 * ```ts
 * import assert from "node:assert/strict";
 * import { authorizationCodeFlow, createClient, TOKEN_TYPES, tokenExchangeFlow } from "@clauth/clauth";
 * // The dev provider stands in for your server, and its scripted browser for the user's:
 * import { startDevProvider } from "../../dev/provider.ts";
 * import { followAuthorization } from "../../dev/browser.ts";
 *
 * const idp = await startDevProvider({ autoApprove: true });
 * // A request reaches the gateway with alice's access token.
 * const app = await createClient({ issuer: idp.issuer, clientId: "demo-cli" });
 * const incoming = await authorizationCodeFlow(app, {
 *   scope: "openid api:read api:write",
 *   openBrowser: async (url) => (await followAuthorization(url)).status === 200,
 * });
 *
 * const gateway = await createClient({
 *   issuer: idp.issuer,
 *   clientId: "demo-service",
 *   clientSecret: idp.clients.confidential.client_secret,
 * });
 * const { response, issuedTokenType } = await tokenExchangeFlow(gateway, {
 *   subjectToken: incoming.response.access_token,
 *   audience: ["https://orders.example"],
 *   scope: "api:read",
 * });
 * assert.equal(issuedTokenType, TOKEN_TYPES.access_token);
 * assert.notEqual(response.access_token, incoming.response.access_token);
 * await idp.close();
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2
 */
export async function tokenExchangeFlow(
  client: Client,
  options: TokenExchangeOptions,
): Promise<TokenExchangeResult> {
  if (options.actorTokenType !== undefined && options.actorToken === undefined) {
    throw new ClauthError("usage", "An actor token type was given without an actor token.");
  }
  const parameters = new URLSearchParams({
    subject_token: options.subjectToken,
    subject_token_type: options.subjectTokenType ?? TOKEN_TYPES.access_token,
  });
  if (options.actorToken !== undefined) {
    parameters.set("actor_token", options.actorToken);
    parameters.set("actor_token_type", options.actorTokenType ?? TOKEN_TYPES.access_token);
  }
  for (const resource of options.resource ?? []) parameters.append("resource", resource);
  for (const audience of options.audience ?? []) parameters.append("audience", audience);
  if (options.scope) parameters.set("scope", options.scope);
  if (options.requestedTokenType) {
    parameters.set("requested_token_type", options.requestedTokenType);
  }

  let result: Acquisition;
  try {
    result = await tokenEndpointCall(client, async (auth) => {
      const response = await oauth.genericTokenEndpointRequest(
        client.as,
        client.client,
        auth,
        TOKEN_EXCHANGE_GRANT,
        parameters,
        client.requestOptions,
      );
      return await oauth.processGenericTokenEndpointResponse(client.as, client.client, response, {
        // RFC 8693 §2.2.1: "N_A" when the issued token is not an access token.
        recognizedTokenTypes: { n_a: () => {} },
      });
    });
  } catch (error) {
    throw exchangeError(error, client, options);
  }
  const issued = result.response.issued_token_type;
  return {
    ...result,
    ...(typeof issued === "string" ? { issuedTokenType: issued } : {}),
  };
}

/**
 * Rewords the failures a token exchange has its own words for. An inactive token is blamed on
 * the subject (`setting: "subject_token"`) unless an actor token was sent and the server's
 * description mentions it (`"actor_token"`).
 */
function exchangeError(error: unknown, client: Client, options: TokenExchangeOptions): unknown {
  if (!(error instanceof ClauthError)) return error;
  const answer = oauthErrorDetail(error.cause);
  if (answer === undefined) return error;
  const fields = { ...fieldsOf(error), cause: error.cause };
  const advertised = client.as.grant_types_supported;
  const unlisted = advertised !== undefined && !advertised.includes(TOKEN_EXCHANGE_GRANT);
  const server = client.as.issuer;
  const detail = describeOAuthError(answer);
  switch (answer.oauthError) {
    case "unsupported_grant_type":
      return new ClauthError(
        "usage",
        `This server does not support token exchange (RFC 8693): ${server} answered ${detail}${
          unlisted ? "; its metadata does not list the grant in grant_types_supported either" : ""
        }.`,
        fields,
      );
    case "unauthorized_client":
      return new ClauthError(
        "invalid_client",
        `The client "${client.client.client_id}" may not use token exchange at ${server}: ${detail}. The server's administrator can allow the grant for this client.`,
        { ...fields, setting: undefined }, // the fix is at the server, not in a setting
      );
    case "access_denied":
      // Not a person's "no": the server's policy refused this exchange (Keycloak says so).
      return new ClauthError(
        "server",
        `${server} refused the exchange: ${detail}. Its policy does not let client "${client.client.client_id}" exchange this token (for this audience, resource or scope); the server's administrator decides.`,
        { ...fields, setting: undefined },
      );
    case "invalid_client":
      // A refused client is HTTP 401 (RFC 6749 §5.2); Keycloak also says invalid_client, with
      // HTTP 400, for an audience it does not know. Only the former is about the credentials.
      if (answer.status === 401 || answer.status === 403) return error;
      return new ClauthError(
        "usage",
        `${server} refused the exchange: ${detail}. Over HTTP ${answer.status} this is not about the client's credentials: some servers (Keycloak) answer so for an audience they do not know. Check the audience asked for.`,
        { ...fields, setting: undefined },
      );
    case "invalid_grant": {
      // Which token the server means is only in its own words, when it says at all.
      const actor = options.actorToken !== undefined && /actor/i.test(answer.description ?? "");
      return new ClauthError(
        "server",
        `The ${
          actor ? "actor" : "subject"
        } token is not active (expired, revoked or unknown to ${server}): ${detail}.`,
        { ...fields, setting: actor ? "actor_token" : "subject_token" },
      );
    }
    default:
      if (unlisted && answer.oauthError === "invalid_request") {
        return new ClauthError(
          error.code,
          `${error.message} This server may not support token exchange: its metadata does not list the grant.`,
          fields,
        );
      }
      return error;
  }
}
