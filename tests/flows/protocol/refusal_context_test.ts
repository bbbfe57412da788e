/**
 * A server's refusal is described by its context, not by its error code alone: an
 * access_denied nobody was asked about is the server's policy, a refused public client has no
 * secret to check, and a server that lets only confidential clients revoke is not a bad secret.
 */

import assert from "node:assert/strict";
import { exitCodeFor } from "../../../errors.ts";
import { createClient } from "../../../flows/protocol/client.ts";
import { clientCredentialsFlow } from "../../../flows/grants/client_credentials.ts";
import { deviceCodeFlow } from "../../../flows/grants/device_code.ts";
import { tokenExchangeFlow } from "../../../flows/grants/token_exchange.ts";
import {
  isPublicClientRevocationRefusal,
  revokeToken,
} from "../../../flows/protocol/revocation.ts";
import { FAKE_BROWSER, makeCliHome, profileHome, runClauth } from "../../helpers/cli.ts";
import { withProvider } from "../../helpers/dev_provider.ts";
import { fakeFetch, json, metadata, type Route } from "../../helpers/fake_fetch.ts";
import { rejectsWith } from "../../helpers/assertions.ts";

const ISSUER = "https://as.example";

function server(routes: Record<string, Route>, extra: Record<string, unknown> = {}) {
  return fakeFetch({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: () =>
      json(metadata(ISSUER, {
        revocation_endpoint: `${ISSUER}/revoke`,
        device_authorization_endpoint: `${ISSUER}/device`,
        ...extra,
      })),
    ...routes,
  });
}

const confidential = { issuer: ISSUER, clientId: "gateway", clientSecret: "gw-secret" };
const publicClient = { issuer: ISSUER, clientId: "cli" };

Deno.test("tokenExchangeFlow() reports access_denied as the server refusing the exchange, not a denied login", async () => {
  const { fetch } = server({
    [`POST ${ISSUER}/token`]: () =>
      json({ error: "access_denied", error_description: "Client not allowed to exchange" }, 403),
  });
  const client = await createClient(confidential, { fetch });
  const error = await rejectsWith(
    tokenExchangeFlow(client, { subjectToken: "subject" }),
    "server",
    /^https:\/\/as\.example refused the exchange: access_denied \(Client not allowed to exchange\), HTTP 403\. Its policy does not let client "gateway" exchange this token/,
  );
  assert.equal(exitCodeFor(error.code), 1);
  assert.equal(error.oauthError, "access_denied");
  assert.doesNotMatch(error.message, /denied the login|user/i);
});

Deno.test("tokenExchangeFlow() says an invalid_client over HTTP 400 is about the audience, not the credentials", async () => {
  const { fetch } = server({
    [`POST ${ISSUER}/token`]: () =>
      json({ error: "invalid_client", error_description: "Audience not found" }, 400),
  });
  const client = await createClient(confidential, { fetch });
  const error = await rejectsWith(
    tokenExchangeFlow(client, { subjectToken: "subject", audience: ["nowhere"] }),
    "usage",
    /refused the exchange: invalid_client \(Audience not found\), HTTP 400\. .*Check the audience asked for\.$/,
  );
  assert.equal(error.setting, undefined);

  const refused = server({
    [`POST ${ISSUER}/token`]: () => json({ error: "invalid_client" }, 401),
  });
  const wrongSecret = await createClient(confidential, { fetch: refused.fetch });
  const secretError = await rejectsWith(
    tokenExchangeFlow(wrongSecret, { subjectToken: "subject" }),
    "invalid_client",
    /Check the client id and secret/,
  );
  assert.equal(secretError.setting, "client_secret");
});

Deno.test("clientCredentialsFlow() reports access_denied as the server's policy (exit 1), not a person's no", async () => {
  const { fetch } = server({
    [`POST ${ISSUER}/token`]: () => json({ error: "access_denied" }, 403),
  });
  const client = await createClient(confidential, { fetch });
  const error = await rejectsWith(
    clientCredentialsFlow(client),
    "server",
    /^The token endpoint refused the request: access_denied, HTTP 403\. The server refused it by its own policy: no person denied anything\.$/,
  );
  assert.equal(exitCodeFor(error.code), 1);
});

Deno.test("deviceCodeFlow() tells a refused public client about its client id, not a secret it does not have", async () => {
  for (
    const answer of [
      () => json({ error: "invalid_client", error_description: "client not found" }, 401),
      () => new Response(null, { status: 401 }), // no OAuth error in the body
    ]
  ) {
    const { fetch } = server({ [`POST ${ISSUER}/device`]: answer });
    const client = await createClient(publicClient, { fetch });
    const error = await rejectsWith(
      deviceCodeFlow(client, { onUserCode: () => {} }),
      "invalid_client",
      /The server does not accept this client id without client credentials: the client id is wrong or not allowed at this server/,
    );
    assert.doesNotMatch(error.message, /Check the client id and secret/);
    assert.equal(error.setting, "client_id");
  }
});

Deno.test("revokeToken() says a server refusing public clients does not let them revoke, and what stays valid", async () => {
  const { fetch, calls } = server({
    [`POST ${ISSUER}/revoke`]: (call) =>
      call.headers.has("authorization")
        ? new Response(null, { status: 200 })
        : json({ error: "invalid_client" }, 401),
  });
  const client = await createClient(publicClient, { fetch });
  const error = await rejectsWith(
    revokeToken(client, "refresh-1", { tokenTypeHint: "refresh_token" }),
    "server",
    /^https:\/\/as\.example does not let public clients \(no secret or key\) revoke tokens: its revocation endpoint refused client "cli" \(invalid_client, HTTP 401\)\. The refresh token stays valid at the server until it expires or the server ends the session\.$/,
  );
  assert.ok(isPublicClientRevocationRefusal(error));
  assert.equal(error.setting, undefined);
  assert.equal(error.endpoint, "revocation");
  assert.ok(!error.message.includes("refresh-1"));
  assert.equal(calls.filter((call) => call.url.endsWith("/revoke")).length, 1);

  const access = await rejectsWith(
    revokeToken(client, "access-1", { tokenTypeHint: "access_token" }),
    "server",
    /The access token stays valid until it expires\.$/,
  );
  assert.ok(isPublicClientRevocationRefusal(access));
});

Deno.test("revokeToken() still blames the secret when a confidential client is refused", async () => {
  const { fetch } = server({
    [`POST ${ISSUER}/revoke`]: () => json({ error: "invalid_client" }, 401),
  });
  const client = await createClient({ ...confidential, configuredMethod: "client_secret_basic" }, {
    fetch,
  });
  const error = await rejectsWith(
    revokeToken(client, "token"),
    "invalid_client",
    /Check the client id and secret/,
  );
  assert.equal(isPublicClientRevocationRefusal(error), false);
  assert.equal(error.setting, "client_secret");
});

Deno.test("clauth login with a client id the server does not know says so, without asking for a secret", async () => {
  await withProvider({}, async (idp) => {
    const home = await profileHome("p", {
      issuer: idp.issuer,
      client_id: "nobody",
      flow: "device",
    });
    const result = await runClauth(["login"], { env: home.env });
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /^clauth: The device authorization endpoint refused the request: invalid_client .*HTTP 401\. The server does not accept this client id without client credentials/,
    );
    assert.doesNotMatch(result.stderr, /Check the client id and secret/);
  });
});

Deno.test("clauth exchange reports the server refusing the exchange with exit 1, not as a denied login", async () => {
  const controller = new AbortController();
  const fake = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen() {} },
    (request) => {
      const { origin: issuer, pathname } = new URL(request.url);
      if (pathname === "/.well-known/openid-configuration") {
        return Response.json({ issuer, token_endpoint: `${issuer}/token` });
      }
      return Response.json({ error: "access_denied" }, { status: 403 });
    },
  );
  try {
    const home = await makeCliHome();
    const result = await runClauth([
      "exchange",
      "--issuer",
      `http://127.0.0.1:${fake.addr.port}`,
      "--client-id",
      "c",
      "--subject-token",
      "-",
    ], { env: home.env, stdin: "T" });
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /^clauth: http:\/\/127\.0\.0\.1:\d+ refused the exchange: access_denied/,
    );
    assert.doesNotMatch(result.stderr, /denied the login/);
  } finally {
    controller.abort();
    await fake.finished;
  }
});

Deno.test("clauth logout at a server that refuses public clients' revocations says so, and still deletes the tokens", async () => {
  // Revocation as glewlwyd does it: client authentication required, so a public client gets 401.
  const controller = new AbortController();
  const revocation = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen() {} },
    (request) =>
      request.headers.has("authorization")
        ? new Response(null, { status: 200 })
        : Response.json({ error: "invalid_client" }, { status: 401 }),
  );
  try {
    await withProvider({ autoApprove: true }, async (idp) => {
      const home = await profileHome("me", {
        issuer: idp.issuer,
        client_id: "demo-cli",
        flow: "browser",
        scope: "openid offline_access",
        revocation_endpoint: `http://127.0.0.1:${revocation.addr.port}/revoke`,
      }, { BROWSER: FAKE_BROWSER });
      const login = await runClauth(["login"], { env: home.env });
      assert.equal(login.code, 0, login.stderr);
      const result = await runClauth(["logout"], { env: home.env });
      assert.match(
        result.stderr,
        /does not let public clients \(no secret or key\) revoke tokens: its revocation endpoint refused client "demo-cli" \(invalid_client, HTTP 401\)\. The refresh token stays valid at the server until it expires/,
      );
      assert.doesNotMatch(
        result.stderr,
        /CLAUTH_CLIENT_SECRET|client-secret-file|check the client id and secret/i,
      );
      assert.match(result.stderr, /Logged out of profile "me"/);
      assert.match(result.stderr, /Its access token stays valid at the server \(expires in /);
      assert.equal(result.code, 0, "nothing the user can change: not a failure (DESIGN.md)");
      await assert.rejects(Deno.stat(`${home.stateDir}/tokens/me.json`), Deno.errors.NotFound);
    });
  } finally {
    controller.abort();
    await revocation.finished;
  }
});
