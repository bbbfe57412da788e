/**
 * The imitations refuse what their providers refuse, so that a client mistake fails a test
 * instead of passing it: redirect URIs, PKCE, spent codes, secrets, scopes, pushed requests,
 * DPoP. Driven over HTTP, as a client would.
 */

import assert from "node:assert/strict";
import { GITLAB_APP, startGitLab } from "./gitlab.ts";
import { KEYCLOAK_CLI, KEYCLOAK_SERVICE, startKeycloak } from "./keycloak.ts";
import type { OidcImitation } from "./_oidc_server.ts";

const VERIFIER = "a".repeat(43);
/** S256 of VERIFIER (RFC 7636 §4.2). */
async function challenge(): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(VERIFIER));
  return new Uint8Array(digest).toBase64({ alphabet: "base64url", omitPadding: true });
}

async function authorize(
  server: OidcImitation,
  path: string,
  params: Record<string, string>,
): Promise<Response> {
  const url = new URL(path, server.origin);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return await fetch(url, { redirect: "manual" });
}

async function token(server: OidcImitation, path: string, form: Record<string, string>) {
  const response = await fetch(new URL(path, server.origin), {
    method: "POST",
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: await response.json() };
}

Deno.test("the GitLab imitation: never another redirect path; PKCE checked; a code works once; unknown scopes refused", async () => {
  const server = await startGitLab();
  try {
    const base = {
      client_id: GITLAB_APP.id,
      response_type: "code",
      scope: "openid read_user",
      code_challenge: await challenge(),
      code_challenge_method: "S256",
      state: "s",
    };
    const elsewhere = await authorize(server, "/oauth/authorize", {
      ...base,
      redirect_uri: "http://127.0.0.1:5000/other",
    });
    assert.equal(elsewhere.status, 400);
    assert.match(await elsewhere.text(), /The redirect URI included is not valid/);

    const redirectUri = "http://127.0.0.1:5000/callback";
    const unknown = await authorize(server, "/oauth/authorize", {
      ...base,
      redirect_uri: redirectUri,
      scope: "openid offline_access",
    });
    assert.equal(
      new URL(unknown.headers.get("location")!).searchParams.get("error"),
      "invalid_scope",
    );

    const granted = await authorize(server, "/oauth/authorize", {
      ...base,
      redirect_uri: redirectUri,
    });
    const code = new URL(granted.headers.get("location")!).searchParams.get("code")!;
    const exchange = {
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri,
      client_id: GITLAB_APP.id,
    };
    const wrongVerifier = await token(server, "/oauth/token", {
      ...exchange,
      code_verifier: "b".repeat(43),
    });
    assert.equal(wrongVerifier.status, 400);
    assert.equal(wrongVerifier.body.error, "invalid_grant");
    const right = await token(server, "/oauth/token", { ...exchange, code_verifier: VERIFIER });
    assert.equal(right.status, 200);
    assert.equal(right.body.expires_in, 7200);
    const again = await token(server, "/oauth/token", { ...exchange, code_verifier: VERIFIER });
    assert.equal(again.body.error, "invalid_grant", "a code serves once (RFC 6749 §4.1.2)");
  } finally {
    await server.close();
  }
});

Deno.test("the Keycloak imitation: a secret is checked, a pushed request serves once, a client that requires DPoP gets nothing without a proof", async () => {
  const dpopClient = { ...KEYCLOAK_CLI, id: "needs-dpop", requireDpop: true };
  const server = await startKeycloak({ clients: [KEYCLOAK_CLI, KEYCLOAK_SERVICE, dpopClient] });
  const oidc = "/realms/demo/protocol/openid-connect";
  try {
    const wrongSecret = await token(server, `${oidc}/token`, {
      grant_type: "client_credentials",
      client_id: KEYCLOAK_SERVICE.id,
      client_secret: "not-it",
    });
    assert.equal(wrongSecret.status, 401);
    assert.equal(wrongSecret.body.error, "unauthorized_client");

    const pushed = await fetch(new URL(`${oidc}/ext/par/request`, server.origin), {
      method: "POST",
      body: new URLSearchParams({
        client_id: KEYCLOAK_CLI.id,
        response_type: "code",
        redirect_uri: "http://127.0.0.1:5000/callback",
        scope: "openid",
      }),
    });
    assert.equal(pushed.status, 201);
    const { request_uri } = await pushed.json();
    const use = () =>
      authorize(server, `${oidc}/auth`, { client_id: KEYCLOAK_CLI.id, request_uri });
    assert.equal((await use()).status, 302);
    assert.equal((await use()).status, 400, "a request_uri serves once (RFC 9126 §4)");

    const noProof = await token(server, `${oidc}/token`, {
      grant_type: "authorization_code",
      client_id: dpopClient.id,
      code: "any",
      redirect_uri: "http://127.0.0.1:5000/callback",
    });
    assert.deepEqual(noProof.body, {
      error: "invalid_request",
      error_description: "DPoP proof is missing",
    });
  } finally {
    await server.close();
  }
});
