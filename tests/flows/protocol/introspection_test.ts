import assert from "node:assert/strict";
import { ClauthError } from "../../../errors.ts";
import { createClient } from "../../../flows/protocol/client.ts";
import { introspectToken } from "../../../flows/protocol/introspection.ts";
import { postForm, withProvider } from "../../helpers/dev_provider.ts";
import { fakeFetch, json, metadata } from "../../helpers/fake_fetch.ts";
import { loginAsAlice } from "../../helpers/login.ts";

const ISSUER = "https://as.example";

Deno.test("introspectToken() says active for a valid token and inactive once it is revoked", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const client = await createClient({ issuer: idp.issuer, clientId: "demo-cli" });
    const { response } = await loginAsAlice(client, "openid api:read");

    const active = await introspectToken(client, response.access_token);
    assert.equal(active.authMethod, "none");
    assert.equal(active.response.active, true);
    assert.equal(active.response.client_id, "demo-cli");
    assert.equal(active.response.sub, "alice");
    assert.equal(active.response.scope, "openid api:read");
    assert.ok((active.response.exp ?? 0) > Date.now() / 1000);

    const revocationEndpoint = client.as.revocation_endpoint!;
    assert.equal(revocationEndpoint, `${idp.issuer}/token/revocation`);
    const revoked = await fetch(revocationEndpoint, {
      method: "POST",
      body: new URLSearchParams({ client_id: "demo-cli", token: response.access_token }),
    });
    await revoked.body?.cancel();
    assert.equal(revoked.status, 200);

    const inactive = await introspectToken(client, response.access_token, {
      tokenTypeHint: "access_token",
    });
    assert.deepEqual(inactive.response, { active: false });
    assert.equal(idp.counts.introspection, 2);
  });
});

Deno.test("introspectToken() authenticates a confidential client with its secret", async () => {
  await withProvider({}, async (idp) => {
    const issued = await postForm(`${idp.issuer}/token`, {
      grant_type: "client_credentials",
      scope: "api:read",
    }, `Basic ${btoa("demo-service:demo-service-secret")}`);
    const client = await createClient({
      issuer: idp.issuer,
      clientId: "demo-service",
      clientSecret: "demo-service-secret",
    });
    const { response, authMethod } = await introspectToken(
      client,
      String(issued.body.access_token),
    );
    assert.equal(authMethod, "client_secret_basic");
    assert.equal(response.active, true);
    assert.equal(response.client_id, "demo-service");
    assert.equal(response.scope, "api:read");
  });
});

Deno.test("introspectToken() reports rejected credentials and a missing endpoint", async () => {
  const fake = fakeFetch({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: () =>
      json(metadata(ISSUER, {
        introspection_endpoint: `${ISSUER}/introspect`,
        token_endpoint_auth_methods_supported: ["client_secret_basic"],
      })),
    [`POST ${ISSUER}/introspect`]: () => json({ error: "invalid_client" }, 401),
  });
  const client = await createClient({ issuer: ISSUER, clientId: "svc", clientSecret: "s3cret" }, {
    fetch: fake.fetch,
  });
  const error = await introspectToken(client, "some-token").catch((e) => e);
  assert.ok(error instanceof ClauthError);
  assert.equal(error.code, "invalid_client");
  assert.match(error.message, /^The introspection endpoint refused the request: invalid_client/);
  assert.ok(!error.message.includes("s3cret") && !error.message.includes("some-token"));
  assert.equal(new URLSearchParams(fake.calls[1]!.body).get("token"), "some-token");

  const bare = fakeFetch({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: () => json(metadata(ISSUER)),
  });
  const client2 = await createClient({ issuer: ISSUER, clientId: "svc" }, { fetch: bare.fetch });
  const missing = await introspectToken(client2, "t").catch((e) => e);
  assert.equal(missing.code, "usage");
  assert.match(
    missing.message,
    /advertises no introspection_endpoint, which token introspection needs/,
  );
});
