/**
 * GitHub Actions' own OpenID Connect token: a job with `permissions: id-token: write` can ask
 * the runner for a JWT that says which repository, workflow and ref it runs for. Used as the
 * subject of a token exchange, it gets a job a token with no stored secret.
 *
 * The runner hands the job ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN;
 * the caller reads them (flows/ touches no environment) and passes them here.
 *
 * @module
 */

import { ClauthError } from "../../errors.ts";
import type { FlowDependencies } from "../protocol/dependencies.ts";
import { describeUrl, timedFetch } from "../protocol/http.ts";
import { isLoopbackHost } from "../protocol/endpoints.ts";

/** Where and how to ask the runner for the token. */
export interface GitHubActionsIdTokenRequest {
  /** ACTIONS_ID_TOKEN_REQUEST_URL. */
  url: string;
  /** ACTIONS_ID_TOKEN_REQUEST_TOKEN (a bearer token for that URL). */
  token: string;
}

/** Options for {@linkcode gitHubActionsIdToken}. */
export interface GitHubActionsIdTokenOptions {
  /** The `aud` claim to ask for (default: GitHub's, the repository owner's URL). */
  audience?: string;
  /** Network and timeout. */
  deps?: FlowDependencies;
}

/**
 * Requests the job's OIDC ID token (a JWT) from the GitHub Actions runtime.
 *
 * @example Exchange the job's identity for an access token (no stored secret)
 * ```ts
 * import assert from "node:assert/strict";
 * import { createClient, gitHubActionsIdToken, TOKEN_TYPES, tokenExchangeFlow } from "@clauth/clauth";
 * // Stand-ins for the GitHub runner and for your server (which trusts GitHub's tokens):
 * import { startGitHubOidc } from "../../tests/helpers/github_oidc.ts";
 * import { startDevProvider } from "../../dev/provider.ts";
 *
 * const github = await startGitHubOidc();
 * const idp = await startDevProvider({ trustedJwtIssuers: [github.trusted("my-server")] });
 * // In a job with `permissions: id-token: write`, the runner sets these:
 * // Deno.env.get("ACTIONS_ID_TOKEN_REQUEST_URL"), Deno.env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN").
 * const { requestUrl: url, requestToken: token } = github;
 *
 * const jobToken = await gitHubActionsIdToken({ url, token }, { audience: "my-server" });
 * const client = await createClient({ issuer: idp.issuer, clientId: "demo-cli" });
 * const { response } = await tokenExchangeFlow(client, {
 *   subjectToken: jobToken,
 *   subjectTokenType: TOKEN_TYPES.jwt,
 *   scope: "api:read",
 * });
 * assert.equal(response.token_type, "bearer");
 * await idp.close();
 * await github.close();
 * ```
 *
 * @see https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect
 */
export async function gitHubActionsIdToken(
  request: GitHubActionsIdTokenRequest,
  options: GitHubActionsIdTokenOptions = {},
): Promise<string> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    throw new ClauthError("usage", "ACTIONS_ID_TOKEN_REQUEST_URL is not a URL.");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw new ClauthError(
      "usage",
      `Refusing to send the Actions request token to ${describeUrl(url.href)}: not https.`,
    );
  }
  if (options.audience !== undefined) url.searchParams.set("audience", options.audience);
  const where = "GitHub's OIDC token endpoint";
  const response = await timedFetch(options.deps ?? {})(url, {
    headers: { authorization: `Bearer ${request.token}`, accept: "application/json" },
  });
  const text = await response.text();
  if (!response.ok) {
    throw new ClauthError(
      "server",
      `${where} (${describeUrl(url.href)}) answered HTTP ${response.status}${
        response.status === 401 || response.status === 403
          ? ": the request token was refused (it is valid only inside the job that got it)"
          : ""
      }.`,
    );
  }
  let value: unknown;
  try {
    value = (JSON.parse(text) as { value?: unknown }).value;
  } catch {
    // reported below
  }
  if (typeof value !== "string" || value.split(".").length !== 3) {
    throw new ClauthError("server", `${where} answered without a JWT in "value".`);
  }
  return value;
}
