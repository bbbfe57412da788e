/**
 * Client authentication at the token endpoint (RFC 6749 §2.3).
 *
 * The method comes from the profile when set, else from what worked last time, else from
 * discovery's `token_endpoint_auth_methods_supported` (client_secret_basic preferred). Basic
 * credentials are form-urlencoded before base64 (RFC 6749 §2.3.1) and some servers never
 * decode them, so when Basic is rejected and the server may take client_secret_post, one
 * retry uses post; the caller remembers what worked. A client with a private key signs a JWT
 * assertion instead (private_key_jwt, RFC 7523) unless the profile names another method.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import type { AuthMethod } from "../../acquisition.ts";
import { ClauthError, type ClauthSetting } from "../../errors.ts";
import { checkClientAdvice, oauthErrorCode } from "./oauth_errors.ts";
import type { AuthorizationServer } from "./oauth_types.ts";
import type { ClientPrivateKey } from "../tokens/private_key.ts";

export type { AuthMethod };

/** What decides the method: the secret or key, the profile's choice, and what worked before. */
export interface ClientCredentials {
  /** The client secret; leave out for a public client (such as a CLI run by people). */
  clientSecret?: string;
  /** Signs private_key_jwt assertions; read one with `parsePrivateKey`. */
  privateKey?: ClientPrivateKey;
  /** Set by the profile; never second-guessed. */
  configuredMethod?: AuthMethod;
  /** What worked last time (`auth_method` in the stored tokens); skips a failing first try. */
  rememberedMethod?: AuthMethod;
}

/**
 * Picks the authentication method for a token-endpoint request: the configured one, else
 * private_key_jwt with a key, none without a secret, what worked last time, and finally
 * client_secret_basic unless the server lists only client_secret_post.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chooseAuthMethod } from "@clauth/clauth";
 *
 * const as = {
 *   issuer: "https://login.example.com",
 *   token_endpoint_auth_methods_supported: ["client_secret_post"],
 * };
 * assert.equal(chooseAuthMethod(as, { clientSecret: "secret" }), "client_secret_post");
 * assert.equal(chooseAuthMethod(as, {}), "none");
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2 (token_endpoint_auth_methods_supported)
 */
export function chooseAuthMethod(
  as: AuthorizationServer,
  credentials: ClientCredentials,
): AuthMethod {
  if (credentials.configuredMethod) return credentials.configuredMethod;
  if (credentials.privateKey) return "private_key_jwt";
  if (credentials.clientSecret === undefined) return "none";
  if (credentials.rememberedMethod && credentials.rememberedMethod !== "none") {
    return credentials.rememberedMethod;
  }
  const supported = as.token_endpoint_auth_methods_supported;
  if (supported && !supported.includes("client_secret_basic")) {
    if (supported.includes("client_secret_post")) return "client_secret_post";
  }
  return "client_secret_basic";
}

/**
 * The oauth4webapi strategy for a method.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 */
export function clientAuthFor(
  method: AuthMethod,
  credentials: ClientCredentials,
): oauth.ClientAuth {
  if (method === "none") return oauth.None();
  if (method === "private_key_jwt") {
    const { privateKey } = credentials;
    if (!privateKey) {
      throw new ClauthError(
        "usage",
        "The private_key_jwt client authentication needs a private key, and the client has none.",
        { setting: "private_key" },
      );
    }
    return oauth.PrivateKeyJwt(privateKey, {
      // oauth4webapi names Ed25519 keys "Ed25519"; a JWK may ask for the older "EdDSA".
      [oauth.modifyAssertion]: (header) => {
        header.alg = privateKey.alg;
      },
    });
  }
  const { clientSecret } = credentials;
  if (clientSecret === undefined) {
    throw new ClauthError(
      "usage",
      `The ${method} client authentication needs a client secret, and the client has none.`,
      { setting: "client_secret" },
    );
  }
  return method === "client_secret_post"
    ? oauth.ClientSecretPost(clientSecret)
    : oauth.ClientSecretBasic(clientSecret);
}

/**
 * Sends a token-endpoint request with the chosen method, retrying once with
 * client_secret_post when Basic was rejected and nothing forbids post.
 * Resolves to the result and the method that worked.
 */
export async function withClientAuth<T>(
  as: oauth.AuthorizationServer,
  credentials: ClientCredentials,
  send: (auth: oauth.ClientAuth) => Promise<T>,
): Promise<{ result: T; method: AuthMethod }> {
  const method = chooseAuthMethod(as, credentials);
  try {
    return { result: await send(clientAuthFor(method, credentials)), method };
  } catch (error) {
    const supported = as.token_endpoint_auth_methods_supported;
    const mayRetry = method === "client_secret_basic" && !credentials.configuredMethod &&
      rejectionStatus(error) !== undefined &&
      (supported === undefined || supported.includes("client_secret_post"));
    if (!mayRetry) throw bodilessRejection(error, method);
    const post = "client_secret_post";
    try {
      return { result: await send(clientAuthFor(post, credentials)), method: post };
    } catch (retryError) {
      throw bodilessRejection(retryError, post);
    }
  }
}

/**
 * The HTTP status when the server refused the client: `invalid_client`, or a 401/403 whose
 * body is empty or not JSON (oauth4webapi then keeps the Response as the error's cause).
 */
function rejectionStatus(error: unknown): number | undefined {
  const cause = (error as { cause?: unknown }).cause;
  const status = (error as { status?: number }).status ??
    (cause instanceof Response ? cause.status : undefined);
  const code = oauthErrorCode(error);
  if (code === "invalid_client") return status ?? 401;
  // Another OAuth error (access_denied, slow_down in a 403) is not about the credentials.
  if (code !== undefined) return undefined;
  return status === 401 || status === 403 ? status : undefined;
}

/**
 * The setting to look at when the server refuses a client that authenticated with
 * `method`: its secret, its private key, or (a public client) its id.
 */
export function credentialSetting(method: AuthMethod): ClauthSetting {
  if (method === "private_key_jwt") return "private_key";
  return method === "none" ? "client_id" : "client_secret";
}

/** A 401/403 without an OAuth error body is still a refused client: say so. */
function bodilessRejection(error: unknown, method: AuthMethod): unknown {
  const status = rejectionStatus(error);
  if (status === undefined || oauthErrorCode(error) !== undefined) return error;
  return new ClauthError(
    "invalid_client",
    `The server refused the client (HTTP ${status}, no OAuth error in the answer). ${
      checkClientAdvice(credentialSetting(method))
    }`,
    { cause: error, status, setting: credentialSetting(method) },
  );
}
