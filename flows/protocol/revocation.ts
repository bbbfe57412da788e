/**
 * Token revocation (RFC 7009): tell the server a token is no longer needed.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import { ClauthError } from "../../errors.ts";
import { authenticatedCall, type Client } from "./client.ts";
import { withProofFor } from "./dpop_requests.ts";
import { chooseAuthMethod } from "./client_auth.ts";
import { fieldsOf } from "./oauth_errors.ts";

/** Whether the server can revoke tokens (it advertises, or the profile sets, an endpoint). */
export function canRevoke(client: Client): boolean {
  return typeof client.as.revocation_endpoint === "string";
}

/** Options for {@linkcode revokeToken}. */
export interface RevokeTokenOptions {
  /** Which kind of token it is, to spare the server a search. */
  tokenTypeHint?: "access_token" | "refresh_token";
}

/**
 * Revokes `token` at the server. Revoking a refresh token also ends the access tokens of its
 * grant at most servers; revoking an unknown or expired token succeeds (RFC 7009 §2.2). A
 * server that lets only confidential clients revoke refuses a public client with a "server"
 * error that {@linkcode isPublicClientRevocationRefusal} recognises.
 *
 * @example Log out: revoke, then forget
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   authorizationCodeFlow,
 *   canRevoke,
 *   createClient,
 *   MemoryStore,
 *   refreshFlow,
 *   revokeToken,
 *   saveTokens,
 *   type TokenBinding,
 * } from "@clauth/clauth";
 * // The dev provider stands in for your server, and its scripted browser for the user's:
 * import { startDevProvider } from "../../dev/provider.ts";
 * import { followAuthorization } from "../../dev/browser.ts";
 *
 * const idp = await startDevProvider({ autoApprove: true });
 * const client = await createClient({ issuer: idp.issuer, clientId: "demo-cli" });
 * const store = new MemoryStore(); // or a JsonFileStore
 * const binding: TokenBinding = {
 *   issuer: idp.issuer,
 *   client_id: "demo-cli",
 *   scope: "offline_access openid",
 *   grant: "user",
 * };
 * const login = await authorizationCodeFlow(client, {
 *   scope: binding.scope,
 *   openBrowser: async (url) => (await followAuthorization(url)).status === 200,
 * });
 * await saveTokens(login, { store, profile: "default", binding });
 *
 * // Log out. Revoking the refresh token ends the whole grant at most servers.
 * const tokens = await store.get("default", binding);
 * if (tokens?.refresh_token && canRevoke(client)) {
 *   await revokeToken(client, tokens.refresh_token, { tokenTypeHint: "refresh_token" });
 * }
 * await store.withLock("default", () => store.delete("default", binding));
 *
 * await assert.rejects(refreshFlow(client, tokens!.refresh_token!), { code: "invalid_grant" });
 * await idp.close();
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009
 */
export async function revokeToken(
  client: Client,
  token: string,
  options: RevokeTokenOptions = {},
): Promise<void> {
  const additionalParameters = new URLSearchParams();
  if (options.tokenTypeHint) additionalParameters.set("token_type_hint", options.tokenTypeHint);
  try {
    await authenticatedCall(client, "revocation_endpoint", "revoking tokens", async (auth) => {
      const response = await oauth.revocationRequest(client.as, client.client, auth, token, {
        ...await withProofFor(client, "revocation_endpoint"),
        additionalParameters,
      });
      await oauth.processRevocationResponse(response);
    });
  } catch (error) {
    throw publicClientRefusal(error, client, options.tokenTypeHint) ?? error;
  }
}

/** The refusals {@linkcode isPublicClientRevocationRefusal} recognises. */
const publicClientRefusals = new WeakSet<ClauthError>();

/**
 * Whether `error` says the server does not let public clients revoke tokens (as glewlwyd
 * does): a client without a secret or key was refused at the revocation endpoint, although
 * the same client got the token. Nothing in the client's settings fixes that; the token stays
 * valid at the server until it expires.
 */
export function isPublicClientRevocationRefusal(error: unknown): boolean {
  return error instanceof ClauthError && publicClientRefusals.has(error);
}

/**
 * A refused client that authenticated with nothing (method none) is a server that revokes
 * only for confidential clients: RFC 7009 §2.1 lets it require client authentication.
 */
function publicClientRefusal(
  error: unknown,
  client: Client,
  tokenTypeHint: RevokeTokenOptions["tokenTypeHint"],
): ClauthError | undefined {
  if (!(error instanceof ClauthError) || error.code !== "invalid_client") return undefined;
  if (chooseAuthMethod(client.as, client.settings) !== "none") return undefined;
  const answer = `${error.oauthError ?? "no OAuth error"}, HTTP ${error.status ?? "?"}`;
  const stays = tokenTypeHint === "access_token"
    ? "The access token stays valid until it expires"
    : tokenTypeHint === "refresh_token"
    ? "The refresh token stays valid at the server until it expires or the server ends the session"
    : "The token stays valid at the server until it expires";
  const refusal = new ClauthError(
    "server",
    `${client.as.issuer} does not let public clients (no secret or key) revoke tokens: its revocation endpoint refused client "${client.client.client_id}" (${answer}). ${stays}.`,
    { ...fieldsOf(error), setting: undefined, cause: error.cause },
  );
  publicClientRefusals.add(refusal);
  return refusal;
}
