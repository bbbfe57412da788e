import assert from "node:assert/strict";
import * as oauth from "oauth4webapi";
import { withProvider } from "./dev_provider.ts";
import {
  type ResourceServer,
  type ResourceServerOptions,
  startResourceServer,
} from "./resource_server.ts";

const client: oauth.Client = { client_id: "demo-service" };
const insecure = { [oauth.allowInsecureRequests]: true };

interface Api {
  issuer: string;
  server: ResourceServer;
  /** A new DPoP key pair, its public key extractable as oauth4webapi requires. */
  keyPair(): Promise<CryptoKeyPair>;
  /** demo-service's access token by client credentials, DPoP-bound when given a handle. */
  accessToken(dpop?: oauth.DPoPHandle): Promise<{ token: string; tokenType: string }>;
}

/** Starts the dev provider and a resource server checking its tokens, runs `fn`, closes both. */
function withApi(
  options: Omit<ResourceServerOptions, "issuer">,
  fn: (api: Api) => Promise<void>,
): Promise<void> {
  return withProvider({}, async (idp) => {
    const issuer = new URL(idp.issuer);
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, insecure),
    );
    const server = await startResourceServer({ issuer: idp.issuer, ...options });
    try {
      await fn({
        issuer: idp.issuer,
        server,
        keyPair: () =>
          crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
            "sign",
            "verify",
          ]),
        async accessToken(dpop) {
          const response = await oauth.clientCredentialsGrantRequest(
            as,
            client,
            oauth.ClientSecretBasic("demo-service-secret"),
            new URLSearchParams({ scope: "api:read" }),
            dpop ? { ...insecure, DPoP: dpop } : insecure,
          );
          const tokens = await oauth.processClientCredentialsResponse(as, client, response);
          return { token: tokens.access_token, tokenType: tokens.token_type };
        },
      });
    } finally {
      await server.close();
    }
  });
}

function call(server: ResourceServer, token: string, dpop?: oauth.DPoPHandle, path = "/me") {
  return oauth.protectedResourceRequest(
    token,
    "GET",
    new URL(path, server.url),
    undefined,
    undefined,
    dpop ? { ...insecure, DPoP: dpop } : insecure,
  );
}

/** The challenge of a refused protectedResourceRequest: its scheme and parameters. */
async function refusal(request: Promise<Response>) {
  const error = await request.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof oauth.WWWAuthenticateChallengeError, `got ${error}`);
  assert.equal(error.status, 401);
  const [first] = error.cause;
  assert.ok(first);
  return { error, scheme: first.scheme, parameters: first.parameters };
}

Deno.test("startResourceServer() answers /me for a Bearer token and records no token", async () => {
  await withApi({}, async ({ server, accessToken }) => {
    const { token, tokenType } = await accessToken();
    assert.equal(tokenType, "bearer");
    const response = await call(server, token);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      sub: null,
      scope: "api:read",
      client_id: "demo-service",
      token_type: "Bearer",
    });
    assert.deepEqual(server.requests, [
      { method: "GET", path: "/me", scheme: "Bearer", proof: "missing", status: 200 },
    ]);
    assert.ok(!JSON.stringify(server.requests).includes(token));
  });
});

Deno.test("startResourceServer() accepts a DPoP-bound token with valid proofs", async () => {
  await withApi({}, async ({ server, accessToken, keyPair }) => {
    const dpop = oauth.DPoP(client, await keyPair());
    const { token, tokenType } = await accessToken(dpop);
    // oidc-provider 9 binds demo-service's client-credentials token to the proof's key.
    assert.equal(tokenType, "dpop");
    const me = await call(server, token, dpop);
    assert.equal((await me.json()).token_type, "DPoP");
    const echo = await oauth.protectedResourceRequest(
      token,
      "POST",
      new URL("/echo", server.url),
      new Headers({ "content-type": "text/plain" }),
      "hello",
      { ...insecure, DPoP: dpop },
    );
    assert.deepEqual(await echo.json(), {
      method: "POST",
      body: "hello",
      content_type: "text/plain",
    });
    assert.deepEqual(server.requests.map((r) => [r.scheme, r.proof, r.status]), [
      ["DPoP", "valid", 200],
      ["DPoP", "valid", 200],
    ]);
  });
});

Deno.test("startResourceServer() refuses a DPoP-bound token sent as a Bearer token", async () => {
  await withApi({}, async ({ server, accessToken, keyPair }) => {
    const { token } = await accessToken(oauth.DPoP(client, await keyPair()));
    const { scheme, parameters } = await refusal(call(server, token));
    assert.equal(scheme, "dpop");
    assert.equal(parameters.error, "invalid_token");
    assert.equal(server.requests[0]?.scheme, "Bearer");
    assert.equal(server.requests[0]?.refusal, "token is DPoP-bound");
  });
});

Deno.test("startResourceServer() refuses a Bearer token sent with the DPoP scheme", async () => {
  await withApi({}, async ({ server, accessToken, keyPair }) => {
    const { token } = await accessToken();
    const { parameters } = await refusal(call(server, token, oauth.DPoP(client, await keyPair())));
    assert.equal(parameters.error, "invalid_token");
    assert.equal(server.requests[0]?.proof, "valid");
    assert.equal(server.requests[0]?.refusal, "token is not DPoP-bound");
  });
});

Deno.test("startResourceServer() refuses a replayed proof", async () => {
  await withApi({}, async ({ server, accessToken, keyPair }) => {
    const dpop = oauth.DPoP(client, await keyPair());
    const { token } = await accessToken(dpop);
    let sent: HeadersInit = {};
    const first = await oauth.protectedResourceRequest(
      token,
      "GET",
      new URL("/me", server.url),
      undefined,
      undefined,
      {
        ...insecure,
        DPoP: dpop,
        [oauth.customFetch]: (url, init) => {
          sent = init.headers as HeadersInit;
          return fetch(url, init as RequestInit);
        },
      },
    );
    assert.equal(first.status, 200);
    await first.body?.cancel();
    const replay = await fetch(new URL("/me", server.url), { headers: sent });
    assert.equal(replay.status, 401);
    assert.match(replay.headers.get("www-authenticate") ?? "", /^DPoP error="invalid_dpop_proof"/);
    await replay.body?.cancel();
    assert.deepEqual(server.requests.map((r) => r.proof), ["valid", "replayed (jti seen before)"]);
  });
});

Deno.test("startResourceServer() refuses proofs for another URL, another token or another key", async () => {
  await withApi({}, async ({ server, accessToken, keyPair }) => {
    const keys = await keyPair();
    const { token } = await accessToken(oauth.DPoP(client, keys));
    const tampered = (change: (payload: Record<string, unknown>) => void) =>
      oauth.DPoP(client, keys, { [oauth.modifyAssertion]: (_header, payload) => change(payload) });

    const wrongUrl = tampered((p) => void (p.htu = `${server.url}/echo`));
    const wrongAth = tampered((p) => void (p.ath = "x".repeat(43)));
    for (const dpop of [wrongUrl, wrongAth, oauth.DPoP(client, await keyPair())]) {
      await refusal(call(server, token, dpop));
    }
    assert.deepEqual(server.requests.map((r) => r.proof), [
      "htu does not match the request URL",
      "ath does not match the access token",
      "key does not match the token's cnf.jkt",
    ]);
  });
});

Deno.test("startResourceServer() refuses a proof whose iat is off by more than a minute", async () => {
  await withApi({ now: () => Date.now() + 120_000 }, async ({ server, accessToken, keyPair }) => {
    const dpop = oauth.DPoP(client, await keyPair());
    const { token } = await accessToken(dpop);
    const { parameters } = await refusal(call(server, token, dpop));
    assert.equal(parameters.error, "invalid_dpop_proof");
    assert.equal(server.requests[0]?.proof, "iat is outside the acceptable window");
  });
});

Deno.test("startResourceServer() with requireNonce asks for its nonce, then accepts it", async () => {
  await withApi({ requireNonce: true }, async ({ server, accessToken, keyPair }) => {
    const dpop = oauth.DPoP(client, await keyPair());
    const { token } = await accessToken(dpop);
    const first = await refusal(call(server, token, dpop));
    assert.ok(oauth.isDPoPNonceError(first.error));
    assert.ok(first.error.response.headers.get("dpop-nonce"));
    // The handle kept the DPoP-Nonce of the refusal for this origin.
    assert.equal((await call(server, token, dpop)).status, 200);
    server.rotateNonce();
    assert.ok(oauth.isDPoPNonceError((await refusal(call(server, token, dpop))).error));
    assert.equal((await call(server, token, dpop)).status, 200);
    assert.deepEqual(server.requests.map((r) => [r.proof, r.status]), [
      ["nonce missing", 401],
      ["valid", 200],
      ["nonce not current", 401],
      ["valid", 200],
    ]);
  });
});

Deno.test("startResourceServer() refuses a token after refuse() and once revoked", async () => {
  await withApi({}, async ({ issuer, server, accessToken }) => {
    const first = await accessToken();
    assert.equal((await call(server, first.token)).status, 200);
    server.refuse(first.token);
    const refused = await refusal(call(server, first.token));
    assert.deepEqual([refused.scheme, refused.parameters.error], ["bearer", "invalid_token"]);

    const second = await accessToken();
    const revoked = await fetch(`${issuer}/token/revocation`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa("demo-service:demo-service-secret")}` },
      body: new URLSearchParams({ token: second.token }),
    });
    assert.equal(revoked.status, 200);
    await revoked.body?.cancel();
    assert.equal((await refusal(call(server, second.token))).parameters.error, "invalid_token");
    assert.deepEqual(server.requests.map((r) => r.refusal), [
      undefined,
      "token refused",
      "token inactive",
    ]);
  });
});

Deno.test("startResourceServer() challenges a request without a token with both schemes", async () => {
  await withApi({}, async ({ server }) => {
    const response = await fetch(new URL("/me?access_token=not-recorded", server.url));
    assert.equal(response.status, 401);
    assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer, DPoP algs="ES256 /);
    await response.body?.cancel();
    assert.deepEqual(server.requests, [
      { method: "GET", path: "/me", scheme: "none", proof: "missing", status: 401 },
    ]);
  });
});

Deno.test("startResourceServer() answers statuses, redirects and 404", async () => {
  await withApi({}, async ({ server, accessToken }) => {
    const { token } = await accessToken();
    const get = async (path: string) => {
      const response = await fetch(new URL(path, server.url), {
        headers: { authorization: `Bearer ${token}` },
        redirect: "manual",
      });
      await response.body?.cancel();
      return [response.status, response.headers.get("location")];
    };
    assert.deepEqual(await get("/status/503"), [503, null]);
    assert.deepEqual(await get("/status/204"), [204, null]);
    assert.deepEqual(await get("/redirect?to=http://127.0.0.2:9/me"), [
      302,
      "http://127.0.0.2:9/me",
    ]);
    assert.deepEqual(await get("/redirect-same?to=/me?x=1"), [302, `${server.url}/me?x=1`]);
    assert.deepEqual(await get("/redirect-same?to=//elsewhere/me"), [404, null]);
    assert.deepEqual(await get("/nowhere"), [404, null]);
  });
});
