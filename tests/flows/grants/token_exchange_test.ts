import assert from "node:assert/strict";
import type { DevProvider } from "../../../dev/provider.ts";
import { ClauthError } from "../../../errors.ts";
import { type Client, createClient } from "../../../flows/protocol/client.ts";
import { clientCredentialsFlow } from "../../../flows/grants/client_credentials.ts";
import { gitHubActionsIdToken } from "../../../flows/grants/github_actions.ts";
import {
  TOKEN_TYPES,
  tokenExchangeFlow,
  tokenTypeUri,
} from "../../../flows/grants/token_exchange.ts";
import {
  aliceToken,
  EXCHANGE_GRANT,
  introspect,
  withProvider,
} from "../../helpers/dev_provider.ts";
import { fakeFetch, json, metadata, type Route } from "../../helpers/fake_fetch.ts";
import { GITHUB_SUBJECT, startGitHubOidc } from "../../helpers/github_oidc.ts";
import { rejectsWith } from "../../helpers/assertions.ts";

function serviceClient(idp: DevProvider): Promise<Client> {
  return createClient({
    issuer: idp.issuer,
    clientId: idp.clients.confidential.client_id,
    clientSecret: idp.clients.confidential.client_secret,
  });
}

Deno.test("tokenExchangeFlow() narrows scope and audience of a user's token", async () => {
  await withProvider({ autoApprove: true, deviceInterval: 0 }, async (idp) => {
    const subject = await aliceToken(idp);
    const result = await tokenExchangeFlow(await serviceClient(idp), {
      subjectToken: subject,
      scope: "api:read",
      audience: ["https://orders.example"],
    });
    assert.equal(result.issuedTokenType, TOKEN_TYPES.access_token);
    assert.equal(result.authMethod, "client_secret_basic");
    assert.equal(result.response.token_type, "bearer");
    assert.notEqual(result.response.access_token, subject);

    const info = await introspect(idp, result.response.access_token);
    assert.equal(info.body.active, true);
    assert.equal(info.body.sub, "alice");
    assert.equal(info.body.scope, "api:read", "narrowed from openid api:read api:write");
    assert.equal(info.body.aud, "https://orders.example");
    assert.equal(info.body.client_id, "demo-service");
    assert.equal(info.body.act, undefined);
  });
});

Deno.test("tokenExchangeFlow() with an actor token delegates: the act claim names the actor", async () => {
  await withProvider({ autoApprove: true, deviceInterval: 0 }, async (idp) => {
    const subject = await aliceToken(idp);
    const client = await serviceClient(idp);
    const actor = await clientCredentialsFlow(client, { scope: "api:read" });
    const result = await tokenExchangeFlow(client, {
      subjectToken: subject,
      actorToken: actor.response.access_token,
      resource: ["https://orders.example/", "https://billing.example/"],
      scope: "api:write",
    });
    const info = await introspect(idp, result.response.access_token);
    assert.equal(info.body.sub, "alice");
    assert.deepEqual(info.body.act, { sub: "demo-service" });
    assert.equal(info.body.scope, "api:write");
    assert.deepEqual(info.body.aud, ["https://orders.example/", "https://billing.example/"]);
  });
});

Deno.test("tokenExchangeFlow() takes GitHub Actions' OIDC token as subject when the server trusts its issuer", async () => {
  const github = await startGitHubOidc();
  try {
    await withProvider({ trustedJwtIssuers: [github.trusted("clauth-dev")] }, async (idp) => {
      const jwt = await gitHubActionsIdToken(
        { url: github.requestUrl, token: github.requestToken },
        { audience: "clauth-dev" },
      );
      assert.deepEqual(github.audiences, ["clauth-dev"]);
      const result = await tokenExchangeFlow(await serviceClient(idp), {
        subjectToken: jwt,
        subjectTokenType: TOKEN_TYPES.jwt,
        scope: "api:read",
      });
      const info = await introspect(idp, result.response.access_token);
      assert.equal(info.body.active, true);
      assert.equal(info.body.sub, GITHUB_SUBJECT);
      assert.equal(info.body.scope, "api:read");

      // Without the audience the server requires, the same issuer's JWT is not accepted.
      const wrongAudience = await gitHubActionsIdToken({
        url: github.requestUrl,
        token: github.requestToken,
      });
      await assert.rejects(
        tokenExchangeFlow(await serviceClient(idp), {
          subjectToken: wrongAudience,
          subjectTokenType: TOKEN_TYPES.id_token,
        }),
        (error: unknown) =>
          error instanceof ClauthError && error.code === "server" &&
          /^The subject token is not active/.test(error.message),
      );
    });
  } finally {
    await github.close();
  }
});

Deno.test("gitHubActionsIdToken() reports a refused request token and refuses plain http off loopback", async () => {
  const github = await startGitHubOidc();
  try {
    await assert.rejects(
      gitHubActionsIdToken({ url: github.requestUrl, token: "wrong" }),
      /GitHub's OIDC token endpoint .* answered HTTP 401: the request token was refused/,
    );
    assert.equal(github.refused, 1);
    await assert.rejects(
      gitHubActionsIdToken({ url: "http://actions.example/token", token: "t" }),
      (error: unknown) => error instanceof ClauthError && error.code === "usage",
    );
  } finally {
    await github.close();
  }
});

// --- error paths and wire details, with a scripted server

const ISSUER = "https://as.example";
const OIDC = `GET ${ISSUER}/.well-known/openid-configuration`;
const TOKEN = `POST ${ISSUER}/token`;

async function fakeClient(tokenRoute: Route, extra: Record<string, unknown> = {}) {
  const fake = fakeFetch({ [OIDC]: () => json(metadata(ISSUER, extra)), [TOKEN]: tokenRoute });
  const client = await createClient(
    { issuer: ISSUER, clientId: "gateway", clientSecret: "s3cret" },
    { fetch: fake.fetch },
  );
  return { client, calls: fake.calls };
}

Deno.test("tokenExchangeFlow() sends the RFC 8693 parameters, repeating audience and resource", async () => {
  const { client, calls } = await fakeClient(() =>
    json({
      access_token: "X",
      token_type: "Bearer",
      issued_token_type: TOKEN_TYPES.access_token,
    })
  );
  await tokenExchangeFlow(client, {
    subjectToken: "S",
    actorToken: "A",
    audience: ["a1", "a2"],
    resource: ["https://r1.example", "https://r2.example"],
    scope: "read",
    requestedTokenType: TOKEN_TYPES.jwt,
  });
  const body = new URLSearchParams(calls[1]!.body);
  assert.equal(body.get("grant_type"), EXCHANGE_GRANT);
  assert.equal(body.get("subject_token"), "S");
  assert.equal(body.get("subject_token_type"), TOKEN_TYPES.access_token);
  assert.equal(body.get("actor_token"), "A");
  assert.equal(body.get("actor_token_type"), TOKEN_TYPES.access_token);
  assert.deepEqual(body.getAll("audience"), ["a1", "a2"]);
  assert.deepEqual(body.getAll("resource"), ["https://r1.example", "https://r2.example"]);
  assert.equal(body.get("scope"), "read");
  assert.equal(body.get("requested_token_type"), TOKEN_TYPES.jwt);
  assert.match(calls[1]!.headers.get("authorization") ?? "", /^Basic /);
});

Deno.test("tokenExchangeFlow() accepts token_type N_A for a token that is not an access token", async () => {
  const { client } = await fakeClient(() =>
    json({ access_token: "eyJ.id.token", token_type: "N_A", issued_token_type: TOKEN_TYPES.jwt })
  );
  const result = await tokenExchangeFlow(client, {
    subjectToken: "S",
    requestedTokenType: TOKEN_TYPES.jwt,
  });
  assert.equal(result.issuedTokenType, TOKEN_TYPES.jwt);
  assert.equal(result.response.access_token, "eyJ.id.token");
  assert.equal(result.response.token_type, "n_a");
});

Deno.test("tokenExchangeFlow() says the server does not support token exchange, with the metadata hint", async () => {
  const refuse = () => json({ error: "unsupported_grant_type" }, 400);
  const unlisted = await fakeClient(refuse, { grant_types_supported: ["client_credentials"] });
  await rejectsWith(
    tokenExchangeFlow(unlisted.client, { subjectToken: "S" }),
    "usage",
    /^This server does not support token exchange \(RFC 8693\): https:\/\/as\.example answered unsupported_grant_type, HTTP 400; its metadata does not list the grant/,
  );
  // Metadata that omits grant_types_supported is no reason to refuse before asking.
  const silent = await fakeClient(refuse);
  await rejectsWith(
    tokenExchangeFlow(silent.client, { subjectToken: "S" }),
    "usage",
    /does not support token exchange .*HTTP 400\.$/,
  );
  assert.equal(silent.calls.length, 2, "the request was sent");
});

Deno.test("tokenExchangeFlow() says which token is not active on invalid_grant", async () => {
  const { client } = await fakeClient((call) =>
    new URLSearchParams(call.body).has("actor_token")
      ? json({ error: "invalid_grant", error_description: "actor_token is invalid" }, 400)
      : json({ error: "invalid_grant" }, 400)
  );
  await rejectsWith(
    tokenExchangeFlow(client, { subjectToken: "S" }),
    "server",
    /^The subject token is not active \(expired, revoked or unknown to https:\/\/as\.example\): invalid_grant, HTTP 400\.$/,
  );
  await rejectsWith(
    tokenExchangeFlow(client, { subjectToken: "S", actorToken: "A" }),
    "server",
    /^The actor token is not active/,
  );
});

Deno.test("tokenExchangeFlow() explains unauthorized_client as a client not allowed the grant", async () => {
  const { client } = await fakeClient(() => json({ error: "unauthorized_client" }, 400));
  await rejectsWith(
    tokenExchangeFlow(client, { subjectToken: "S" }),
    "invalid_client",
    /client "gateway" may not use token exchange/,
  );
});

Deno.test("tokenTypeUri() knows the RFC 8693 short names and URNs, and nothing else", () => {
  assert.equal(tokenTypeUri("jwt"), "urn:ietf:params:oauth:token-type:jwt");
  assert.equal(tokenTypeUri("saml2"), "urn:ietf:params:oauth:token-type:saml2");
  assert.equal(
    tokenTypeUri("urn:ietf:params:oauth:token-type:id_token"),
    "urn:ietf:params:oauth:token-type:id_token",
  );
  assert.equal(tokenTypeUri("urn:ietf:params:oauth:token-type:bogus"), undefined);
  assert.equal(tokenTypeUri("toString"), undefined);
});
