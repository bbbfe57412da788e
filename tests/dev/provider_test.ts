import assert from "node:assert/strict";
import { CookieJar, navigate, readForms } from "../../dev/_http.ts";
import { PAGE, pageOf } from "../../dev/_pages.ts";
import { postForm, SERVICE_AUTH, token, withProvider } from "../helpers/dev_provider.ts";

Deno.test("discovery document names the issuer and every endpoint clauth uses", async () => {
  await withProvider({}, async (idp) => {
    assert.match(idp.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    assert.equal(response.status, 200);
    const doc = await response.json();
    assert.equal(doc.issuer, idp.issuer);
    const endpoints: [string, string][] = [
      ["authorization_endpoint", "/auth"],
      ["token_endpoint", "/token"],
      ["device_authorization_endpoint", "/device/auth"],
      ["introspection_endpoint", "/token/introspection"],
      ["revocation_endpoint", "/token/revocation"],
      ["userinfo_endpoint", "/me"],
      ["jwks_uri", "/jwks"],
      ["pushed_authorization_request_endpoint", "/request"],
    ];
    for (const [key, path] of endpoints) {
      assert.equal(doc[key], `${idp.issuer}${path}`, key);
    }
    for (
      const grant of [
        "authorization_code",
        "refresh_token",
        "client_credentials",
        "urn:ietf:params:oauth:grant-type:device_code",
        "urn:ietf:params:oauth:grant-type:token-exchange",
      ]
    ) {
      assert.ok(doc.grant_types_supported.includes(grant), grant);
    }
    assert.deepEqual(doc.code_challenge_methods_supported, ["S256"]);
    assert.ok(doc.scopes_supported.includes("api:read"));
    assert.ok(doc.dpop_signing_alg_values_supported.length > 0);
    assert.notEqual(doc.require_pushed_authorization_requests, true);
    const { privateKeyJwt, ...secretClients } = idp.clients;
    assert.deepEqual(secretClients, {
      public: { client_id: "demo-cli" },
      confidential: { client_id: "demo-service", client_secret: "demo-service-secret" },
      dpop: { client_id: "demo-dpop" },
      par: { client_id: "demo-par" },
    });
    assert.equal(privateKeyJwt.client_id, "demo-jwt-service");
    assert.equal(typeof privateKeyJwt.private_jwk.d, "string");
  });
});

Deno.test("jwks has an EC and an RSA key; the EC key is new for every provider", async () => {
  const jwks = async (issuer: string) => (await (await fetch(`${issuer}/jwks`)).json()).keys;
  let first: { kid: string; kty: string; d?: string }[] = [];
  await withProvider({}, async (idp) => {
    first = await jwks(idp.issuer);
  });
  await withProvider({}, async (idp) => {
    const second: { kid: string; kty: string }[] = await jwks(idp.issuer);
    assert.deepEqual(first.map((k) => k.kty).sort(), ["EC", "RSA"]);
    assert.ok(first.every((k) => k.d === undefined), "private parts are not published");
    const ec = (keys: { kid: string; kty: string }[]) => keys.find((k) => k.kty === "EC")?.kid;
    assert.notEqual(ec(first), ec(second));
  });
});

Deno.test("client_credentials with Basic auth returns a token with the requested scope", async () => {
  await withProvider({ accessTokenTtl: 120 }, async (idp) => {
    const { status, body } = await token(
      idp,
      { grant_type: "client_credentials", scope: "api:read" },
      SERVICE_AUTH,
    );
    assert.equal(status, 200);
    assert.equal(typeof body.access_token, "string");
    assert.equal(body.scope, "api:read");
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.expires_in, 120);
    assert.equal(idp.counts["client_credentials"], 1);
    assert.equal(idp.counts["token"], 1);
  });
});

Deno.test("client_credentials also accepts client_secret_post and form-urlencoded Basic", async () => {
  await withProvider({}, async (idp) => {
    const post = await token(idp, {
      grant_type: "client_credentials",
      scope: "api:read api:write",
      client_id: "demo-service",
      client_secret: "demo-service-secret",
    });
    assert.equal(post.status, 200);
    assert.equal(post.body.scope, "api:read api:write");
    // RFC 6749 §2.3.1 (what oauth4webapi sends): "demo-service" -> "demo%2Dservice".
    const encoded = await token(
      idp,
      { grant_type: "client_credentials" },
      `Basic ${btoa("demo%2Dservice:demo%2Dservice%2Dsecret")}`,
    );
    assert.equal(encoded.status, 200);
  });
});

Deno.test("a wrong client secret is answered 401 invalid_client", async () => {
  await withProvider({}, async (idp) => {
    const { status, body, headers } = await token(
      idp,
      { grant_type: "client_credentials", scope: "api:read" },
      `Basic ${btoa("demo-service:wrong")}`,
    );
    assert.equal(status, 401);
    assert.equal(body.error, "invalid_client");
    assert.match(headers.get("www-authenticate") ?? "", /^Basic /);
    assert.equal(idp.counts["client_credentials"], 1);
  });
});

Deno.test("a scope the client may not have is refused", async () => {
  await withProvider({}, async (idp) => {
    const { status, body } = await token(
      idp,
      { grant_type: "client_credentials", scope: "openid api:read" },
      SERVICE_AUTH,
    );
    assert.equal(status, 400);
    assert.equal(body.error, "invalid_scope");
  });
});

Deno.test("introspection and revocation of a client-credentials token", async () => {
  await withProvider({}, async (idp) => {
    const issued = await token(
      idp,
      { grant_type: "client_credentials", scope: "api:read" },
      SERVICE_AUTH,
    );
    const accessToken = String(issued.body.access_token);
    const active = await postForm(
      `${idp.issuer}/token/introspection`,
      { token: accessToken },
      SERVICE_AUTH,
    );
    assert.equal(active.body.active, true);
    assert.equal(active.body.client_id, "demo-service");
    assert.equal(active.body.scope, "api:read");
    // demo-cli (public) may not look at demo-service's tokens.
    const foreign = await postForm(`${idp.issuer}/token/introspection`, {
      token: accessToken,
      client_id: "demo-cli",
    });
    assert.deepEqual(foreign.body, { active: false });
    const revoke = await fetch(`${idp.issuer}/token/revocation`, {
      method: "POST",
      headers: { authorization: SERVICE_AUTH, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: accessToken }),
    });
    assert.equal(revoke.status, 200);
    await revoke.body?.cancel();
    const after = await postForm(
      `${idp.issuer}/token/introspection`,
      { token: accessToken },
      SERVICE_AUTH,
    );
    assert.equal(after.body.active, false);
    assert.equal(idp.counts["introspection"], 3);
    assert.equal(idp.counts["revocation"], 1);
  });
});

Deno.test("options are validated and the port option is honoured", async () => {
  const { startDevProvider } = await import("../../dev/provider.ts");
  await assert.rejects(startDevProvider({ accessTokenTtl: 0 }), RangeError);
  await assert.rejects(startDevProvider({ deviceInterval: -1 }), RangeError);
  await assert.rejects(startDevProvider({ deviceInterval: Number.NaN }), RangeError);
  let port = 0;
  await withProvider({}, (idp) => {
    port = Number(new URL(idp.issuer).port);
  });
  await withProvider({ port }, (idp) => {
    assert.equal(idp.issuer, `http://127.0.0.1:${port}`);
  });
});

Deno.test("DPoP: a client-credentials token can be sender-constrained", async () => {
  const oauth = await import("oauth4webapi");
  await withProvider({}, async (idp) => {
    const issuer = new URL(idp.issuer);
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { [oauth.allowInsecureRequests]: true }),
    );
    const client: import("oauth4webapi").Client = { client_id: "demo-service" };
    const DPoP = oauth.DPoP(client, await oauth.generateKeyPair("ES256"));
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretBasic("demo-service-secret"),
      new URLSearchParams({ scope: "api:read" }),
      { DPoP, [oauth.allowInsecureRequests]: true },
    );
    const tokens = await oauth.processClientCredentialsResponse(as, client, response);
    assert.equal(tokens.token_type, "dpop");
    const info = await postForm(`${idp.issuer}/token/introspection`, {
      token: tokens.access_token,
    }, SERVICE_AUTH);
    assert.equal(typeof (info.body.cnf as { jkt?: string }).jkt, "string");
  });
});

Deno.test("PAR: a pushed authorization request is accepted but not required", async () => {
  await withProvider({}, async (idp) => {
    const pushed = await postForm(`${idp.issuer}/request`, {
      client_id: "demo-cli",
      redirect_uri: "http://127.0.0.1:1234/callback",
      response_type: "code",
      scope: "openid",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    });
    assert.equal(pushed.status, 201);
    assert.match(String(pushed.body.request_uri), /^urn:ietf:params:oauth:request_uri:/);
  });
});

Deno.test("pages: unknown interactions and the logout page render without errors", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const stray = await fetch(`${idp.issuer}/interaction/nope`);
    assert.equal(stray.status, 400);
    assert.match(await stray.text(), /data-page="error"/);
    // Without a session, end_session auto-submits; the confirmation lands on our page.
    const jar = new CookieJar();
    const logout = await navigate(`${idp.issuer}/session/end`, {}, { jar });
    assert.equal(logout.status, 200);
    const [confirm] = readForms(logout.text, logout.url);
    assert.ok(confirm);
    const done = await navigate(confirm.action, { form: confirm.fields }, { jar });
    assert.equal(pageOf(done.text), PAGE.logoutSuccess);
    const device = await fetch(`${idp.issuer}/device`);
    assert.equal(device.status, 200);
    assert.match(await device.text(), /data-page="device-input"/);
  });
});
