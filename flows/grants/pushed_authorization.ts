/**
 * Pushed authorization requests (RFC 9126): the authorization request's parameters go to the
 * server over a direct, authenticated (and with DPoP, proven) request; the browser carries
 * only the `request_uri` that stands for them.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import { authenticatedCall, type Client } from "../protocol/client.ts";

/** When to push: "auto" when the server offers it, "always", or "never". */
export type ParPolicy = "auto" | "always" | "never";

/**
 * Whether to push the request first (RFC 9126 §5: a client should when the server offers
 * it): always when asked or required, never when turned off, else when there is an endpoint.
 */
export function usePar(client: Client, par: ParPolicy): boolean {
  if (par !== "auto") return par === "always";
  // discover() let through only a boolean; `=== true` keeps any other value from counting.
  return client.as.require_pushed_authorization_requests === true ||
    typeof client.as.pushed_authorization_request_endpoint === "string";
}

/**
 * Sends the request parameters to the PAR endpoint and returns what the authorization URL
 * carries instead: `client_id` and `request_uri`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9126
 */
export async function pushAuthorizationRequest(
  client: Client,
  parameters: URLSearchParams,
  signal: AbortSignal,
  asked: boolean,
): Promise<URLSearchParams> {
  const { result } = await authenticatedCall(
    client,
    "pushed_authorization_request_endpoint",
    asked
      ? "pushed authorization requests (turned on for this login)"
      : "pushed authorization requests (the server requires them)",
    async (auth) => {
      const response = await oauth.pushedAuthorizationRequest(
        client.as,
        client.client,
        auth,
        parameters,
        { ...client.requestOptions, signal },
      );
      return await oauth.processPushedAuthorizationResponse(client.as, client.client, response);
    },
  );
  return new URLSearchParams({
    client_id: client.client.client_id,
    request_uri: result.request_uri,
  });
}
