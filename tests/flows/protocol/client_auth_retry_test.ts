import assert from "node:assert/strict";
import { clientCredentialsFlow } from "../../../flows/grants/client_credentials.ts";
import { createClient } from "../../../flows/protocol/client.ts";
import { fakeFetch, json, metadata } from "../../helpers/fake_fetch.ts";

const issuer = "https://as.example";

Deno.test("a 401/403 that carries another OAuth error is not a refused client: no second try with client_secret_post", async () => {
  for (const [status, error] of [[403, "access_denied"], [401, "invalid_grant"]] as const) {
    const server = fakeFetch({
      [`GET ${issuer}/.well-known/openid-configuration`]: () => json(metadata(issuer)),
      [`POST ${issuer}/token`]: () => json({ error }, status),
    });
    const client = await createClient(
      { issuer, clientId: "c", clientSecret: "s" },
      { fetch: server.fetch },
    );
    await assert.rejects(clientCredentialsFlow(client), { oauthError: error });
    const posts = server.calls.filter((call) => call.method === "POST");
    assert.equal(posts.length, 1, `${status} ${error}: one request, no retry`);
  }
});

Deno.test("a bodiless 401 is still a refused client: one retry with client_secret_post", async () => {
  const server = fakeFetch({
    [`GET ${issuer}/.well-known/openid-configuration`]: () => json(metadata(issuer)),
    [`POST ${issuer}/token`]: (call) =>
      call.headers.get("authorization")
        ? new Response(null, { status: 401 })
        : json({ access_token: "t", token_type: "Bearer" }),
  });
  const client = await createClient({ issuer, clientId: "c", clientSecret: "s" }, {
    fetch: server.fetch,
  });
  const { authMethod } = await clientCredentialsFlow(client);
  assert.equal(authMethod, "client_secret_post");
});
