/**
 * Token revocation (RFC 7009): tell the server a token is no longer needed.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import { authenticatedCall, type Client } from "./client.ts";

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
 * grant at most servers; revoking an unknown or expired token succeeds (RFC 7009 §2.2).
 *
 * @example Log out: revoke, then forget
 * ```ts ignore
 * import { canRevoke, createClient, JsonFileStore, revokeToken } from "@clauth/clauth";
 *
 * const client = await createClient({ issuer: "https://login.example.com", clientId: "my-cli" });
 * const store = new JsonFileStore(".state");
 * const tokens = await store.get("default");
 * if (tokens?.refresh_token && canRevoke(client)) {
 *   await revokeToken(client, tokens.refresh_token, { tokenTypeHint: "refresh_token" });
 * }
 * await store.delete("default");
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
  await authenticatedCall(client, "revocation_endpoint", "revoking tokens", async (auth) => {
    const response = await oauth.revocationRequest(client.as, client.client, auth, token, {
      ...client.requestOptions,
      additionalParameters,
    });
    await oauth.processRevocationResponse(response);
  });
}
