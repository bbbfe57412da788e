/**
 * ID token verification inside the flows: real ID tokens from the dev provider are accepted,
 * altered ones (through an injected fetch) refuse the login with the claim named.
 */

import assert from "node:assert/strict";
import type { DevProvider } from "../../../dev/provider.ts";
import * as oauth from "oauth4webapi";
import { ClauthError } from "../../../errors.ts";
import { createClient } from "../../../flows/protocol/client.ts";
import { deviceCodeFlow } from "../../../flows/grants/device_code.ts";
import { verifyIdToken } from "../../../flows/tokens/id_token.ts";
import { refreshFlow } from "../../../flows/grants/refresh.ts";
import { withProvider } from "../../helpers/dev_provider.ts";
import { fakeFetch, json, metadata } from "../../helpers/fake_fetch.ts";
import { loginAsAlice } from "../../helpers/login.ts";
import {
  claimsOf,
  idTokenClaims,
  nowSeconds,
  signJwt,
  type TestKey,
  testKey,
  withPayload,
} from "../../helpers/signing.ts";

/**
 * A fetch to the dev provider that rewrites the ID token of successful token responses, and
 * (when `ownKeys` is given) publishes those keys at the jwks_uri instead of the provider's.
 */
function tamperingFetch(
  rewrite: (idToken: string) => string | Promise<string>,
  ownKeys?: TestKey[],
): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (ownKeys && url.pathname === "/jwks") return json({ keys: ownKeys.map((k) => k.jwk) });
    const response = await fetch(request);
    if (request.method !== "POST" || url.pathname !== "/token" || response.status !== 200) {
      return response;
    }
    const body = await response.json();
    if (typeof body.id_token === "string") body.id_token = await rewrite(body.id_token);
    return json(body);
  };
}

async function refusedLogin(promise: Promise<unknown>, pattern: RegExp) {
  const error = await promise.then(() => undefined, (e) => e);
  assert.ok(error instanceof ClauthError, `expected a ClauthError, got ${error}`);
  assert.equal(error.code, "server", error.message);
  assert.match(error.message, pattern);
  return error;
}

function clientFor(idp: DevProvider, fetchFn?: typeof fetch) {
  return createClient(
    { issuer: idp.issuer, clientId: "demo-cli" },
    fetchFn ? { fetch: fetchFn } : {},
  );
}

Deno.test("authorizationCodeFlow() and refreshFlow() accept the dev provider's RS256 ID tokens, fetching its JWKS once", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const client = await clientFor(idp);
    const login = await loginAsAlice(client);
    const idToken = login.response.id_token!;
    assert.equal(JSON.parse(atob(idToken.split(".")[0]!)).alg, "RS256");
    assert.equal((await verifyIdToken(client, idToken, { nonce: login.nonce! })).sub, "alice");
    assert.equal(idp.counts.jwks, 1);

    const refreshed = await refreshFlow(client, login.response.refresh_token!);
    assert.equal(typeof refreshed.response.id_token, "string");
    assert.equal((await verifyIdToken(client, refreshed.response.id_token!)).sub, "alice");
    assert.equal(idp.counts.jwks, 1, "the key set is kept for the client");
  });
});

Deno.test("authorizationCodeFlow() refuses an ID token whose payload was altered (signature)", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const fetchFn = tamperingFetch((token) =>
      withPayload(token, { ...claimsOf(token), sub: "mallory" })
    );
    await refusedLogin(
      loginAsAlice(await clientFor(idp, fetchFn)),
      /^The ID token's signature does not verify against the issuer's keys \(kid "[\w-]+", alg RS256\)/,
    );
  });
});

Deno.test("authorizationCodeFlow() refuses an ID token with another nonce, even correctly signed", async () => {
  const key = await testKey("ours");
  await withProvider({ autoApprove: true }, async (idp) => {
    const fetchFn = tamperingFetch(
      (token) => signJwt(key, { ...claimsOf(token), nonce: "replayed-nonce" }),
      [key],
    );
    await refusedLogin(
      loginAsAlice(await clientFor(idp, fetchFn)),
      /^The ID token's nonce does not match the one this login sent/,
    );
  });
});

Deno.test("authorizationCodeFlow() refuses ID tokens with the wrong iss, aud or an old exp", async () => {
  const key = await testKey("ours");
  await withProvider({ autoApprove: true }, async (idp) => {
    const now = nowSeconds();
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { iss: "https://evil.example" },
        /^The ID token's iss is "https:\/\/evil\.example", expected/,
      ],
      [{ aud: "someone-else" }, /^The ID token's aud does not include demo-cli/],
      [{ iat: now - 7200, exp: now - 3600 }, /^The ID token expired at /],
    ];
    for (const [change, pattern] of cases) {
      const fetchFn = tamperingFetch((token) => signJwt(key, { ...claimsOf(token), ...change }), [
        key,
      ]);
      await refusedLogin(loginAsAlice(await clientFor(idp, fetchFn)), pattern);
    }
  });
});

Deno.test("authorizationCodeFlow() fetches the JWKS again for an unknown kid, then refuses the login", async () => {
  const stranger = await testKey("stranger");
  await withProvider({ autoApprove: true }, async (idp) => {
    let resign = false;
    const fetchFn = tamperingFetch((token) => resign ? signJwt(stranger, claimsOf(token)) : token);
    const client = await clientFor(idp, fetchFn);
    await loginAsAlice(client);
    assert.equal(idp.counts.jwks, 1);
    resign = true;
    await refusedLogin(
      loginAsAlice(client),
      /^The ID token's signature does not verify against the issuer's keys: http:\/\/127\.0\.0\.1:\d+\/jwks has no key with kid "stranger", even after fetching the key set again\.$/,
    );
    assert.equal(idp.counts.jwks, 2, "fetched again exactly once");
  });
});

const ISSUER = "https://as.example";

async function scriptedClient(
  key: TestKey,
  tokenAnswer: () => Promise<Response>,
  deps: { now?: () => number } = {},
) {
  const fake = fakeFetch({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: () =>
      json(metadata(ISSUER, {
        jwks_uri: `${ISSUER}/jwks`,
        id_token_signing_alg_values_supported: ["ES256"],
        device_authorization_endpoint: `${ISSUER}/device`,
      })),
    [`GET ${ISSUER}/jwks`]: () => json({ keys: [key.jwk] }),
    [`POST ${ISSUER}/device`]: () =>
      json({
        device_code: "dc",
        user_code: "ABCD-EFGH",
        verification_uri: `${ISSUER}/activate`,
        expires_in: 600,
        interval: 1,
      }),
    [`POST ${ISSUER}/token`]: tokenAnswer,
  });
  const client = await createClient({ issuer: ISSUER, clientId: "cli" }, {
    fetch: fake.fetch,
    sleep: () => Promise.resolve(),
    ...deps,
  });
  return { client, calls: fake.calls };
}

const tokensWith = async (key: TestKey, claims: Record<string, unknown>) =>
  json({
    access_token: "AT",
    token_type: "Bearer",
    expires_in: 300,
    refresh_token: "RT2",
    id_token: await signJwt(key, idTokenClaims(ISSUER, "cli", claims)),
  });

Deno.test("deviceCodeFlow() refuses an ID token for another audience and stops polling", async () => {
  const key = await testKey("k1");
  const { client, calls } = await scriptedClient(key, () => tokensWith(key, { aud: "other" }));
  await refusedLogin(
    deviceCodeFlow(client, { scope: "openid", onUserCode: () => {} }),
    /^The ID token's aud does not include cli \(it is "other"\)\.$/,
  );
  assert.equal(calls.filter((c) => c.url === `${ISSUER}/token`).length, 1);
});

Deno.test("deviceCodeFlow() returns tokens whose ID token verifies", async () => {
  const key = await testKey("k1");
  const { client } = await scriptedClient(key, () => tokensWith(key, {}));
  const { response } = await deviceCodeFlow(client, { scope: "openid", onUserCode: () => {} });
  assert.equal(response.access_token, "AT");
});

Deno.test("refreshFlow() refuses an expired ID token in the refresh response", async () => {
  const key = await testKey("k1");
  const now = nowSeconds();
  const { client } = await scriptedClient(
    key,
    () => tokensWith(key, { iat: now - 7200, exp: now - 3600 }),
  );
  await refusedLogin(refreshFlow(client, "RT"), /^The ID token expired at \S+, 3600 s ago/);
});

Deno.test("refreshFlow() refuses a refreshed ID token signed by an unknown key", async () => {
  const key = await testKey("k1");
  const other = await testKey("k9");
  const { client, calls } = await scriptedClient(key, () => tokensWith(other, {}));
  await refusedLogin(refreshFlow(client, "RT"), /has no key with kid "k9"/);
  assert.equal(calls.filter((c) => c.url === `${ISSUER}/jwks`).length, 1, "fresh set: no refetch");
});

Deno.test("refreshFlow() refuses a refreshed ID token about another user or audience (OIDC Core 12.2)", async () => {
  const key = await testKey("k1");
  const original = await signJwt(key, idTokenClaims(ISSUER, "cli"));
  for (
    const [claims, pattern] of [
      [{ sub: "mallory" }, /another sub \("mallory"\) than the one from the login \("alice"\)/],
      [{ aud: ["cli", "other"], azp: "cli" }, /another aud/],
    ] as const
  ) {
    const { client } = await scriptedClient(key, () => tokensWith(key, claims));
    await refusedLogin(refreshFlow(client, "RT", { previousIdToken: original }), pattern);
  }
  const { client } = await scriptedClient(key, () => tokensWith(key, {}));
  const same = await refreshFlow(client, "RT", { previousIdToken: original });
  assert.equal(same.response.access_token, "AT");
});

Deno.test("refreshFlow() words oauth4webapi's refusal of each bad claim, before fetching any key", async () => {
  const key = await testKey("k1");
  const rsa = await testKey("r1", "RS256");
  const cases: [TestKey, Record<string, unknown>, RegExp][] = [
    [
      key,
      { aud: ["cli", "api"] },
      /^The ID token has several audiences .* but no azp naming cli\.$/,
    ],
    [key, { aud: ["cli", "api"], azp: "api" }, /^The ID token's azp is "api", not cli\.$/],
    [key, { iss: "https://evil.example" }, /^The ID token's iss is "https:\/\/evil\.example"/],
    [key, { sub: undefined }, /^The ID token was refused: JWT "sub" \(subject\) claim missing\.$/],
    [
      rsa,
      {},
      /^The ID token is signed with RS256, but https:\/\/as\.example signs ID tokens with ES256\.$/,
    ],
  ];
  for (const [signer, claims, pattern] of cases) {
    const { client, calls } = await scriptedClient(key, () => tokensWith(signer, claims));
    const error = await refusedLogin(refreshFlow(client, "RT"), pattern);
    assert.ok(error.cause instanceof oauth.OperationProcessingError, "oauth4webapi checked it");
    assert.equal(calls.filter((c) => c.url === `${ISSUER}/jwks`).length, 0);
  }
});

Deno.test("refreshFlow() checks the ID token's times by the client's clock", async () => {
  const key = await testKey("k1");
  const later = Date.now() + 2 * 3600_000;
  const { client } = await scriptedClient(key, () => tokensWith(key, {}), { now: () => later });
  await refusedLogin(refreshFlow(client, "RT"), /^The ID token expired at \S+Z, 3\d{3} s ago/);

  const earlier = Date.now() - 600_000;
  const slow = await scriptedClient(key, () => tokensWith(key, {}), { now: () => earlier });
  await refusedLogin(
    refreshFlow(slow.client, "RT"),
    /^The ID token's iat is \S+Z, 60\d s in the future .*check this computer's clock/,
  );
});

Deno.test("deviceCodeFlow() accepts an ID token without kid when one of several keys verifies it", async () => {
  const key = await testKey("k1");
  const other = await testKey("k2");
  const fake = fakeFetch({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: () =>
      json(metadata(ISSUER, {
        jwks_uri: `${ISSUER}/jwks`,
        id_token_signing_alg_values_supported: ["ES256"],
        device_authorization_endpoint: `${ISSUER}/device`,
      })),
    [`GET ${ISSUER}/jwks`]: () =>
      json({ keys: [other.jwk, key.jwk].map(({ kid: _, ...jwk }) => jwk) }),
    [`POST ${ISSUER}/device`]: () =>
      json({ device_code: "dc", user_code: "U", verification_uri: `${ISSUER}/a`, expires_in: 60 }),
    [`POST ${ISSUER}/token`]: async () =>
      json({
        access_token: "AT",
        token_type: "Bearer",
        id_token: await signJwt(key, idTokenClaims(ISSUER, "cli"), { kid: undefined }),
      }),
  });
  const client = await createClient({ issuer: ISSUER, clientId: "cli" }, {
    fetch: fake.fetch,
    sleep: () => Promise.resolve(),
  });
  const { response } = await deviceCodeFlow(client, { scope: "openid", onUserCode: () => {} });
  assert.equal(response.access_token, "AT");
});
