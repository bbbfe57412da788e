import assert from "node:assert/strict";
import { generateRsaSigningKey } from "../../../dev/_keys.ts";
import { createClient } from "../../../flows/protocol/client.ts";
import { clientCredentialsFlow } from "../../../flows/grants/client_credentials.ts";
import { parsePrivateKey } from "../../../flows/tokens/private_key.ts";
import { fakeFetch, json, metadata } from "../../helpers/fake_fetch.ts";

const ISSUER = "https://as.example";
const SECRET = "s3cretValue42";

/** An RSA private key as a JWK: every private field (d, p, q, dp, dq, qi) is there to leak. */
const rsaJwk = generateRsaSigningKey;

function serverAt(issuer: string) {
  return fakeFetch({
    [`GET ${issuer}/.well-known/openid-configuration`]: () => json(metadata(issuer)),
    [`POST ${issuer}/token`]: () => json({ access_token: "T", token_type: "Bearer" }),
  });
}

Deno.test("createClient() keeps the secret and the private key out of logs and JSON, and flows still use them", async () => {
  const jwk = await rsaJwk();
  const privateFields = (["d", "p", "q", "dp", "dq", "qi"] as const).map((f) => jwk[f]!);
  assert.equal(privateFields.length, 6);
  const privateKey = await parsePrivateKey(JSON.stringify(jwk), "key.json");
  const server = serverAt(ISSUER);
  const client = await createClient(
    { issuer: ISSUER, clientId: "svc", clientSecret: SECRET, privateKey },
    { fetch: server.fetch },
  );

  const shown = {
    "Deno.inspect(client)": Deno.inspect(client, { depth: 10 }),
    "Deno.inspect(client) with showHidden": Deno.inspect(client, { depth: 10, showHidden: true }),
    "JSON.stringify(client.settings)": JSON.stringify(client.settings),
    "JSON.stringify of a copy": JSON.stringify({ ...client.settings }),
    "Deno.inspect(privateKey)": Deno.inspect(privateKey, { depth: 10, showHidden: true }),
  };
  for (const [how, text] of Object.entries(shown)) {
    assert.ok(!text.includes(SECRET), `${how} shows the secret: ${text}`);
    for (const value of privateFields) {
      assert.ok(!text.includes(value), `${how} shows key material`);
    }
  }
  // Visibly set, never shown.
  assert.match(shown["Deno.inspect(client)"], /clientSecret: "\[redacted\]"/);
  assert.match(shown["Deno.inspect(client)"], /privateKey: "\[redacted\]"/);
  assert.equal(shown["JSON.stringify(client.settings)"], `{"issuer":"${ISSUER}","clientId":"svc"}`);

  // Readable by whoever asks for them by name: the flows sign with the key.
  assert.equal(client.settings.clientSecret, SECRET);
  assert.equal(client.settings.privateKey, privateKey);
  const { authMethod } = await clientCredentialsFlow(client);
  assert.equal(authMethod, "private_key_jwt");
  const sent = new URLSearchParams(server.calls[1]!.body);
  assert.equal(sent.get("client_assertion")?.split(".").length, 3);
});

Deno.test("createClient() hides a client secret that flows still send", async () => {
  const server = serverAt(ISSUER);
  const client = await createClient(
    { issuer: ISSUER, clientId: "svc", clientSecret: SECRET },
    { fetch: server.fetch },
  );
  assert.ok(!Deno.inspect(client, { depth: 10, showHidden: true }).includes(SECRET));
  assert.doesNotMatch(Deno.inspect(client), /privateKey/, "only what is set is mentioned");
  await clientCredentialsFlow(client);
  const basic = server.calls[1]!.headers.get("authorization")!.replace(/^Basic /, "");
  assert.equal(atob(basic), `svc:${SECRET}`);
});
