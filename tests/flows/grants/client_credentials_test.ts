import assert from "node:assert/strict";
import { createClient } from "../../../flows/protocol/client.ts";
import { clientCredentialsFlow } from "../../../flows/grants/client_credentials.ts";
import { fakeFetch, json, metadata, type Route } from "../../helpers/fake_fetch.ts";
import { rejectsWith } from "../../helpers/assertions.ts";

const ISSUER = "https://as.example";
const OIDC = `GET ${ISSUER}/.well-known/openid-configuration`;
const TOKEN = `POST ${ISSUER}/token`;

async function clientWith(token: Route, extra: Record<string, unknown> = {}) {
  const fake = fakeFetch({ [OIDC]: () => json(metadata(ISSUER, extra)), [TOKEN]: token });
  const client = await createClient(
    { issuer: ISSUER, clientId: "my-cli", clientSecret: "s3cret" },
    { fetch: fake.fetch },
  );
  return { client, calls: fake.calls };
}

/** rejectsWith(), plus: the client secret never appears in the message. */
async function rejectsWithoutSecret(promise: Promise<unknown>, code: string, pattern: RegExp) {
  const error = await rejectsWith(promise, code, pattern);
  assert.doesNotMatch(error.message, /s3cret/);
}

Deno.test("clientCredentialsFlow() sends Basic auth and the scope, and accepts a lowercase token_type", async () => {
  const { client, calls } = await clientWith(() =>
    json({ access_token: "T", token_type: "bearer", expires_in: 60 })
  );
  const { response, authMethod } = await clientCredentialsFlow(client, { scope: "api:read" });
  assert.equal(response.access_token, "T");
  assert.equal(authMethod, "client_secret_basic");
  const body = new URLSearchParams(calls[1]!.body);
  assert.equal(body.get("grant_type"), "client_credentials");
  assert.equal(body.get("scope"), "api:read");
  assert.match(calls[1]!.headers.get("authorization") ?? "", /^Basic /);
});

Deno.test("clientCredentialsFlow() retries once with client_secret_post when Basic is rejected", async () => {
  const { client, calls } = await clientWith((call) =>
    call.headers.has("authorization")
      ? json({ error: "invalid_client" }, 401)
      : json({ access_token: "T", token_type: "Bearer" })
  );
  const { authMethod } = await clientCredentialsFlow(client);
  assert.equal(authMethod, "client_secret_post");
  assert.equal(new URLSearchParams(calls[2]!.body).get("client_secret"), "s3cret");
  assert.equal(calls.length, 3);
});

Deno.test("clientCredentialsFlow() does not retry with post when the server does not support it", async () => {
  const { client, calls } = await clientWith(
    () => json({ error: "invalid_client", error_description: "bad secret" }, 401),
    { token_endpoint_auth_methods_supported: ["client_secret_basic"] },
  );
  await rejectsWithoutSecret(
    clientCredentialsFlow(client),
    "invalid_client",
    /token endpoint refused the request: invalid_client \(bad secret\), HTTP 401\. Check the client id and secret/,
  );
  assert.equal(calls.length, 2);
});

Deno.test("clientCredentialsFlow() reports an error with an empty body by its HTTP status", async () => {
  const { client } = await clientWith(() =>
    new Response(null, { status: 503, statusText: "Service Unavailable" })
  );
  await rejectsWithoutSecret(
    clientCredentialsFlow(client),
    "server",
    /token endpoint answered HTTP 503 Service Unavailable without an OAuth error/,
  );
});

Deno.test("clientCredentialsFlow() reports an HTML error page as not JSON", async () => {
  const { client } = await clientWith(() =>
    new Response("<h1>Oops</h1>", { status: 200, headers: { "content-type": "text/html" } })
  );
  await rejectsWithoutSecret(
    clientCredentialsFlow(client),
    "server",
    /body that is not JSON \(HTTP 200, content-type text\/html\)/,
  );
});

Deno.test("clientCredentialsFlow() shows error codes outside the RFC as given", async () => {
  const { client } = await clientWith(() =>
    json({ error: "quota_exceeded", error_description: "try tomorrow" }, 429)
  );
  await rejectsWithoutSecret(
    clientCredentialsFlow(client),
    "server",
    /quota_exceeded \(try tomorrow\), HTTP 429/,
  );
});

Deno.test("clientCredentialsFlow() accepts an OAuth error sent as text/html", async () => {
  const { client } = await clientWith(() =>
    new Response(JSON.stringify({ error: "invalid_scope" }), {
      status: 400,
      headers: { "content-type": "text/html" },
    })
  );
  await rejectsWithoutSecret(clientCredentialsFlow(client), "usage", /invalid_scope, HTTP 400/);
});

Deno.test("createClient() refuses plain-http endpoints off loopback, even for a loopback issuer", async () => {
  const issuer = "http://127.0.0.1:9";
  const fake = fakeFetch({
    [`GET ${issuer}/.well-known/openid-configuration`]: () =>
      json(metadata(issuer, { token_endpoint: "http://192.0.2.1/token" })),
  });
  await rejectsWith(
    createClient({ issuer, clientId: "c", clientSecret: "s3cret" }, { fetch: fake.fetch }),
    "insecure_issuer",
    /Refusing the token_endpoint http:\/\/192\.0\.2\.1\/token/,
  );
  assert.equal(fake.calls.length, 1, "nothing was sent to the http endpoint");
  // A profile's endpoint override gets the same check.
  const overridden = fakeFetch({
    [`GET ${issuer}/.well-known/openid-configuration`]: () => json(metadata(issuer)),
  });
  await rejectsWith(
    createClient({
      issuer,
      clientId: "c",
      endpoints: { revocation_endpoint: "http://example.com/revoke" },
    }, {
      fetch: overridden.fetch,
    }),
    "insecure_issuer",
    /revocation_endpoint http:\/\/example\.com\/revoke/,
  );
});

Deno.test("an issuer under *.localhost is not loopback: its name goes through DNS", async () => {
  const fake = fakeFetch({});
  await rejectsWith(
    createClient({ issuer: "http://evil.localhost", clientId: "c" }, { fetch: fake.fetch }),
    "insecure_issuer",
    /Refusing the http:\/\/ issuer/,
  );
  assert.equal(fake.calls.length, 0);
});

Deno.test("clientCredentialsFlow() escapes control characters in the server's error text", async () => {
  const { client } = await clientWith(() =>
    json(
      { error: "invalid_scope", error_description: "\x1b[2J\x1b[1;1Hopen https://evil.example" },
      400,
    )
  );
  const error = await rejectsWith(clientCredentialsFlow(client), "usage", /invalid_scope/);
  assert.ok(!error.message.includes("\x1b"), "no raw escape sequence reaches the terminal");
  assert.match(error.message, /\\u001b\[2J/);
});

Deno.test("clientCredentialsFlow() falls back to client_secret_post after a 401 with an empty body", async () => {
  const { client, calls } = await clientWith((call) =>
    call.headers.has("authorization")
      ? new Response(null, { status: 401 })
      : json({ access_token: "T", token_type: "Bearer" })
  );
  const { authMethod } = await clientCredentialsFlow(client);
  assert.equal(authMethod, "client_secret_post");
  assert.equal(calls.length, 3);
});

Deno.test("clientCredentialsFlow() reports a 401 without an OAuth error as a refused client", async () => {
  const { client } = await clientWith(() =>
    new Response("<h1>Unauthorized</h1>", { status: 401, headers: { "content-type": "text/html" } })
  );
  await rejectsWithoutSecret(
    clientCredentialsFlow(client),
    "invalid_client",
    /refused the client \(HTTP 401, no OAuth error in the answer\)/,
  );
});
