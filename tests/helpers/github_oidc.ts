/**
 * A local stand-in for the GitHub Actions OIDC token endpoint: answers
 * `GET <ACTIONS_ID_TOKEN_REQUEST_URL>[&audience=...]` with `{"value": "<JWT>"}` when the
 * bearer token is right, like the runner does for a job with `permissions: id-token: write`.
 */

import { exportJWK, generateKeyPair, SignJWT } from "jose";
import type { TrustedJwtIssuer } from "../../dev/provider.ts";

export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
export const GITHUB_SUBJECT = "repo:octo-org/octo-repo:ref:refs/heads/main";
/** GitHub's default `aud`: the URL of the repository owner. */
export const GITHUB_DEFAULT_AUDIENCE = "https://github.com/octo-org";

export interface GitHubOidcStandIn {
  /** ACTIONS_ID_TOKEN_REQUEST_URL (with a query, as GitHub's has). */
  requestUrl: string;
  /** ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  requestToken: string;
  /** The variables a job with `id-token: write` gets. */
  env: Record<string, string>;
  /** What the dev provider must trust to accept these JWTs. */
  trusted(audience?: string): TrustedJwtIssuer;
  /** `audience` of every request (undefined when none was asked for). */
  audiences: (string | undefined)[];
  /** Requests refused for a wrong bearer token. */
  refused: number;
  close(): Promise<void>;
}

export async function startGitHubOidc(): Promise<GitHubOidcStandIn> {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const publicJwk = { ...(await exportJWK(publicKey)), kid: "gh-1", alg: "ES256" };
  const requestToken = crypto.randomUUID();
  const state = { audiences: [] as (string | undefined)[], refused: 0 };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const url = new URL(request.url);
    if (url.pathname !== "/token") return new Response("not found", { status: 404 });
    if (request.headers.get("authorization") !== `Bearer ${requestToken}`) {
      state.refused++;
      return new Response(JSON.stringify({ message: "Bad credentials" }), { status: 401 });
    }
    const audience = url.searchParams.get("audience") ?? undefined;
    state.audiences.push(audience);
    const value = await new SignJWT({ repository: "octo-org/octo-repo", ref: "refs/heads/main" })
      .setProtectedHeader({ alg: "ES256", kid: "gh-1", typ: "JWT" })
      .setIssuer(GITHUB_ISSUER)
      .setSubject(GITHUB_SUBJECT)
      .setAudience(audience ?? GITHUB_DEFAULT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(privateKey);
    return Response.json({ count: 1, value });
  });
  const requestUrl = `http://127.0.0.1:${server.addr.port}/token?api-version=2.0`;
  return {
    requestUrl,
    requestToken,
    env: { ACTIONS_ID_TOKEN_REQUEST_URL: requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken },
    trusted: (audience) => ({
      issuer: GITHUB_ISSUER,
      jwks: { keys: [publicJwk as JsonWebKey] },
      ...(audience === undefined ? {} : { audience }),
    }),
    get audiences() {
      return state.audiences;
    },
    get refused() {
      return state.refused;
    },
    close: () => server.shutdown(),
  };
}
