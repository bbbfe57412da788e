/**
 * Client authentication at the token endpoint (RFC 6749 §2.3).
 *
 * The method comes from the profile when set, else from what worked last time, else from
 * discovery's `token_endpoint_auth_methods_supported` (client_secret_basic preferred). Basic
 * credentials are form-urlencoded before base64 (RFC 6749 §2.3.1) and some servers never
 * decode them, so when Basic is rejected and the server may take client_secret_post, one
 * retry uses post; the caller remembers what worked.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import { ClauthError } from "../errors.ts";
import { oauthErrorCode } from "./oauth_errors.ts";

/** The client authentication methods clauth speaks. */
export type AuthMethod = "client_secret_basic" | "client_secret_post" | "none";

/** The methods accepted in profiles, for config validation. */
export const AUTH_METHODS: readonly AuthMethod[] = [
  "client_secret_basic",
  "client_secret_post",
  "none",
];

/** What decides the method: the secret, the profile's choice, and what worked before. */
export interface ClientCredentials {
  clientSecret?: string;
  /** Set by the profile; never second-guessed. */
  configuredMethod?: AuthMethod;
  /** What worked last time (from the token store). */
  rememberedMethod?: AuthMethod;
}

/** Picks the authentication method for a token-endpoint request. */
export function chooseAuthMethod(
  as: oauth.AuthorizationServer,
  credentials: ClientCredentials,
): AuthMethod {
  if (credentials.configuredMethod) return credentials.configuredMethod;
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

/** The oauth4webapi strategy for a method. */
export function clientAuthFor(
  method: AuthMethod,
  clientSecret: string | undefined,
): oauth.ClientAuth {
  if (method === "none") return oauth.None();
  if (clientSecret === undefined) {
    throw new ClauthError(
      "usage",
      `The ${method} client authentication needs a client secret: set CLAUTH_CLIENT_SECRET or --client-secret-file.`,
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
    return { result: await send(clientAuthFor(method, credentials.clientSecret)), method };
  } catch (error) {
    const supported = as.token_endpoint_auth_methods_supported;
    const mayRetry = method === "client_secret_basic" && !credentials.configuredMethod &&
      isClientAuthRejection(error) &&
      (supported === undefined || supported.includes("client_secret_post"));
    if (!mayRetry) throw error;
    const post = "client_secret_post";
    return { result: await send(clientAuthFor(post, credentials.clientSecret)), method: post };
  }
}

function isClientAuthRejection(error: unknown): boolean {
  const status = (error as { status?: number }).status;
  return oauthErrorCode(error) === "invalid_client" || status === 401 || status === 403;
}
