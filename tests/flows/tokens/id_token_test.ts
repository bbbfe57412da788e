import assert from "node:assert/strict";
import { ClauthError } from "../../../errors.ts";
import { createClient } from "../../../flows/protocol/client.ts";
import type { MetadataCache } from "../../../flows/protocol/dependencies.ts";
import { CLOCK_TOLERANCE_SECONDS, verifyIdToken } from "../../../flows/tokens/id_token.ts";
import { decodeJwt, verifyJwtSignature } from "../../../flows/tokens/jwt.ts";
import { fakeFetch, json, metadata } from "../../helpers/fake_fetch.ts";
import {
  idTokenClaims,
  nowSeconds,
  signJwt,
  type TestKey,
  testKey,
} from "../../helpers/signing.ts";
import { rejectsWith } from "../../helpers/assertions.ts";

const ISSUER = "https://as.example";
const JWKS_URI = `${ISSUER}/jwks`;
const CLIENT_ID = "demo-cli";

/** A metadata cache in memory, standing in for the file cache between CLI runs. */
function memoryCache(): MetadataCache & { entries: Map<string, unknown> } {
  const entries = new Map<string, unknown>();
  return {
    entries,
    get: (key) => Promise.resolve(structuredClone(entries.get(key))),
    set: (key, value) => {
      entries.set(key, structuredClone(value));
      return Promise.resolve();
    },
  };
}

/** An issuer whose published keys a test can change, counting JWKS downloads. */
function fakeIssuer(
  published: TestKey[],
  extraMetadata: Record<string, unknown> = { id_token_signing_alg_values_supported: ["ES256"] },
) {
  const keys = { published, jwksFetches: 0 };
  const fake = fakeFetch({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: () =>
      json(metadata(ISSUER, { jwks_uri: JWKS_URI, ...extraMetadata })),
    [`GET ${JWKS_URI}`]: () => {
      keys.jwksFetches++;
      return json({ keys: keys.published.map((key) => key.jwk) });
    },
  });
  const client = (cache: MetadataCache = memoryCache()) =>
    createClient({ issuer: ISSUER, clientId: CLIENT_ID }, {
      fetch: fake.fetch,
      metadataCache: cache,
    });
  return { keys, client, calls: fake.calls };
}

/** Asserts a "server" ClauthError matching `pattern` that does not quote `token`. */
async function refused(promise: Promise<unknown>, pattern: RegExp, token: string) {
  const error = await promise.then(() => undefined, (e) => e);
  assert.ok(error instanceof ClauthError, `expected a ClauthError, got ${error}`);
  assert.equal(error.code, "server", error.message);
  assert.match(error.message, pattern);
  assert.ok(!error.message.includes(token), "the token is never quoted");
  for (const part of token.split(".")) {
    if (part.length > 8) assert.ok(!error.message.includes(part), "no part of the token either");
  }
  return error;
}

const k1 = await testKey("k1");
const k2 = await testKey("k2");

Deno.test("verifyIdToken() returns the claims of a valid ID token and fetches the JWKS once", async () => {
  const issuer = fakeIssuer([k1]);
  const cache = memoryCache();
  const client = await issuer.client(cache);
  const token = await signJwt(k1, idTokenClaims(ISSUER, CLIENT_ID, { name: "Alice" }));
  const claims = await verifyIdToken(client, token);
  assert.equal(claims.sub, "alice");
  assert.equal(claims.name, "Alice");
  assert.equal(issuer.keys.jwksFetches, 1);

  await verifyIdToken(client, token);
  assert.equal(issuer.keys.jwksFetches, 1, "kept in memory for the client");
  assert.deepEqual(cache.entries.get(JWKS_URI), { keys: [k1.jwk] }, "cached under the jwks_uri");

  // A later run (a new client) with the same cache asks for nothing.
  const later = await issuer.client(cache);
  await verifyIdToken(later, token);
  assert.equal(issuer.keys.jwksFetches, 1, "served from the metadata cache");
});

Deno.test("verifyIdToken() refuses a token whose signature does not verify, naming the kid", async () => {
  const issuer = fakeIssuer([k1]);
  const client = await issuer.client();
  // Signed by k2 but claiming to be k1: the published k1 does not verify it.
  const token = await signJwt(k2, idTokenClaims(ISSUER, CLIENT_ID), { kid: "k1" });
  await refused(
    verifyIdToken(client, token),
    /^The ID token's signature does not verify against the issuer's keys \(kid "k1", alg ES256\): it was altered, or not signed by https:\/\/as\.example\.$/,
    token,
  );
  assert.equal(issuer.keys.jwksFetches, 1, "a known kid is not a reason to fetch again");
});

Deno.test("verifyIdToken() fetches the JWKS again once for an unknown kid, then refuses", async () => {
  const issuer = fakeIssuer([k1]);
  const client = await issuer.client();
  await verifyIdToken(client, await signJwt(k1, idTokenClaims(ISSUER, CLIENT_ID)));
  assert.equal(issuer.keys.jwksFetches, 1);

  const token = await signJwt(k2, idTokenClaims(ISSUER, CLIENT_ID));
  await refused(
    verifyIdToken(client, token),
    /^The ID token's signature does not verify against the issuer's keys: https:\/\/as\.example\/jwks has no key with kid "k2", even after fetching the key set again\.$/,
    token,
  );
  assert.equal(issuer.keys.jwksFetches, 2, "fetched again exactly once");
});

Deno.test("verifyIdToken() does not fetch twice when the key set it just fetched lacks the kid", async () => {
  const issuer = fakeIssuer([k1]);
  const client = await issuer.client();
  const token = await signJwt(k2, idTokenClaims(ISSUER, CLIENT_ID));
  await refused(verifyIdToken(client, token), /has no key with kid "k2"/, token);
  assert.equal(issuer.keys.jwksFetches, 1);
});

Deno.test("verifyIdToken() follows a key rotation: a new kid refreshes the cached key set", async () => {
  const issuer = fakeIssuer([k1]);
  const cache = memoryCache();
  await verifyIdToken(
    await issuer.client(cache),
    await signJwt(k1, idTokenClaims(ISSUER, CLIENT_ID)),
  );
  issuer.keys.published = [k2];

  const client = await issuer.client(cache);
  const claims = await verifyIdToken(client, await signJwt(k2, idTokenClaims(ISSUER, CLIENT_ID)));
  assert.equal(claims.sub, "alice");
  assert.equal(issuer.keys.jwksFetches, 2);
  assert.deepEqual(cache.entries.get(JWKS_URI), { keys: [k2.jwk] }, "the cache holds the new set");
});

Deno.test("verifyIdToken() tries each key when a token without kid fits several", async () => {
  const k3 = await testKey("k3");
  const issuer = fakeIssuer([k1, k3]);
  const client = await issuer.client();
  const token = await signJwt(k3, idTokenClaims(ISSUER, CLIENT_ID), { kid: undefined });
  assert.equal(decodeJwt(token).header.kid, undefined);
  assert.equal((await verifyIdToken(client, token)).sub, "alice");
  const forged = await signJwt(k2, idTokenClaims(ISSUER, CLIENT_ID), { kid: undefined });
  await refused(
    verifyIdToken(client, forged),
    /signature does not verify .*\(no kid, alg ES256\)/,
    forged,
  );
});

Deno.test("verifyIdToken() refuses each bad claim with a message naming it", async () => {
  const issuer = fakeIssuer([k1]);
  const client = await issuer.client();
  const now = nowSeconds();
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      "wrong iss",
      { iss: "https://evil.example" },
      /^The ID token's iss is "https:\/\/evil\.example", expected "https:\/\/as\.example"\.$/,
    ],
    [
      "wrong aud",
      { aud: "other-app" },
      /^The ID token's aud does not include demo-cli \(it is "other-app"\)\.$/,
    ],
    [
      "aud list without us",
      { aud: ["a", "b"] },
      /^The ID token's aud does not include demo-cli \(it is "\[\\"a\\",\\"b\\"\]"\)\.$/,
    ],
    [
      "several audiences, no azp",
      { aud: [CLIENT_ID, "api"] },
      /^The ID token has several audiences .* but no azp naming demo-cli\.$/,
    ],
    [
      "azp of another client",
      { aud: [CLIENT_ID, "api"], azp: "api" },
      /^The ID token's azp is "api", not demo-cli\.$/,
    ],
    [
      "expired",
      { iat: now - 7200, exp: now - 3600 },
      /^The ID token expired at \S+Z, 3600 s ago \(beyond the 30 s clock tolerance\)/,
    ],
    [
      "issued in the future",
      { iat: now + 600, exp: now + 4200 },
      /^The ID token's iat is \S+Z, 600 s in the future .*check this computer's clock/,
    ],
    ["no sub", { sub: undefined }, /^The ID token has no sub claim\.$/],
    ["no exp", { exp: undefined }, /^The ID token has no exp claim\.$/],
    ["exp not a number", { exp: "tomorrow" }, /^The ID token's exp is not a number of seconds\.$/],
  ];
  for (const [name, change, pattern] of cases) {
    const token = await signJwt(k1, idTokenClaims(ISSUER, CLIENT_ID, change));
    await refused(verifyIdToken(client, token, { now: now * 1000 }), pattern, token).catch((e) => {
      throw new Error(`${name}: ${e.message}`);
    });
  }
});

Deno.test("verifyIdToken() accepts a single audience in a list, and an azp naming the client", async () => {
  const issuer = fakeIssuer([k1]);
  const client = await issuer.client();
  for (const change of [{ aud: [CLIENT_ID] }, { aud: [CLIENT_ID, "api"], azp: CLIENT_ID }]) {
    const claims = await verifyIdToken(
      client,
      await signJwt(k1, idTokenClaims(ISSUER, CLIENT_ID, change)),
    );
    assert.deepEqual(claims.aud, change.aud);
  }
});

Deno.test("verifyIdToken() allows clock differences within the tolerance", async () => {
  const issuer = fakeIssuer([k1]);
  const client = await issuer.client();
  const now = nowSeconds();
  const slack = CLOCK_TOLERANCE_SECONDS - 5;
  const token = await signJwt(
    k1,
    idTokenClaims(ISSUER, CLIENT_ID, { iat: now + slack, exp: now - slack }),
  );
  assert.equal((await verifyIdToken(client, token, { now: now * 1000 })).sub, "alice");
});

Deno.test("verifyIdToken() with allowExpired accepts an expired token and still checks the rest", async () => {
  const issuer = fakeIssuer([k1]);
  const client = await issuer.client();
  const now = nowSeconds();
  const old = { iat: now - 7200, exp: now - 3600 };
  const token = await signJwt(k1, idTokenClaims(ISSUER, CLIENT_ID, old));
  assert.equal((await verifyIdToken(client, token, { allowExpired: true })).exp, now - 3600);
  const wrongAud = await signJwt(k1, idTokenClaims(ISSUER, CLIENT_ID, { ...old, aud: "x" }));
  await refused(
    verifyIdToken(client, wrongAud, { allowExpired: true }),
    /aud does not include/,
    wrongAud,
  );
});

Deno.test("verifyIdToken() checks the nonce when one was sent", async () => {
  const issuer = fakeIssuer([k1]);
  const client = await issuer.client();
  const withNonce = await signJwt(k1, idTokenClaims(ISSUER, CLIENT_ID, { nonce: "n-123" }));
  assert.equal((await verifyIdToken(client, withNonce, { nonce: "n-123" })).nonce, "n-123");
  await refused(
    verifyIdToken(client, withNonce, { nonce: "n-456" }),
    /^The ID token's nonce does not match the one this login sent/,
    withNonce,
  );
  const without = await signJwt(k1, idTokenClaims(ISSUER, CLIENT_ID));
  await refused(
    verifyIdToken(client, without, { nonce: "n-123" }),
    /^The ID token has no nonce, although the login sent one\.$/,
    without,
  );
});

Deno.test("verifyIdToken() refuses unsigned, HMAC-signed, encrypted and opaque tokens", async () => {
  const issuer = fakeIssuer([k1]);
  const client = await issuer.client();
  const b64 = (value: unknown) =>
    new TextEncoder().encode(JSON.stringify(value)).toBase64({
      alphabet: "base64url",
      omitPadding: true,
    });
  const claims = b64(idTokenClaims(ISSUER, CLIENT_ID));
  const cases: [string, RegExp][] = [
    [`${b64({ alg: "none" })}.${claims}.`, /^The ID token is not signed \(alg none\): refused\.$/],
    [
      `${b64({ alg: "HS256", typ: "JWT" })}.${claims}.c2lnbmF0dXJl`,
      /^The ID token is signed with a shared secret \(HS256\)/,
    ],
    [
      `${b64({ alg: "RSA-OAEP", enc: "A256GCM" })}.a.b.c.d`,
      /^The ID token is an encrypted JWT \(JWE\)/,
    ],
    ["2YotnFZFEjr1zCsicMWpAA", /^The ID token is not a JWT: it is opaque/],
    [
      `${b64({ alg: "RS256" })}.bm90IGpzb24.c2ln`,
      /^The ID token is not a JWT: its payload is not a JSON object/,
    ],
    [
      `${b64({ alg: "XX999" })}.${claims}.c2ln`,
      /^The ID token is signed with "XX999", an algorithm clauth does not verify\.$/,
    ],
  ];
  for (const [token, pattern] of cases) await refused(verifyIdToken(client, token), pattern, token);
  assert.equal(issuer.keys.jwksFetches, 0, "nothing fetched for tokens refused on sight");
});

Deno.test("verifyJwtSignature() reports an unreachable or broken key set clearly", async () => {
  for (
    const [answer, pattern] of [
      [
        () => new Response("oops", { status: 500 }),
        /key set at https:\/\/as\.example\/jwks could not be fetched: HTTP 500/,
      ],
      [
        () => new Response("<html>", { status: 200 }),
        /key set at https:\/\/as\.example\/jwks is not JSON/,
      ],
      [() => json({ keys: "none" }), /is not a JWK Set/],
    ] as const
  ) {
    const fake = fakeFetch({
      [`GET ${ISSUER}/.well-known/openid-configuration`]: () =>
        json(metadata(ISSUER, { jwks_uri: JWKS_URI })),
      [`GET ${JWKS_URI}`]: answer,
    });
    const client = await createClient({ issuer: ISSUER, clientId: CLIENT_ID }, {
      fetch: fake.fetch,
    });
    const token = await signJwt(k1, idTokenClaims(ISSUER, CLIENT_ID));
    await refused(verifyJwtSignature(client, token), pattern, token);
  }
});

Deno.test("verifyJwtSignature() needs a jwks_uri; createClient() refuses a plain-http one on a remote issuer", async () => {
  const fake = fakeFetch({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: () => json(metadata(ISSUER)),
  });
  const client = await createClient({ issuer: ISSUER, clientId: CLIENT_ID }, { fetch: fake.fetch });
  const token = await signJwt(k1, idTokenClaims(ISSUER, CLIENT_ID));
  const error = await verifyJwtSignature(client, token).catch((e) => e);
  assert.ok(error instanceof ClauthError);
  assert.equal(error.code, "usage");
  assert.match(error.message, /advertises no jwks_uri, which verifying signed tokens needs/);

  const insecure = fakeFetch({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: () =>
      json(metadata(ISSUER, { jwks_uri: "http://as.example/jwks" })),
  });
  await rejectsWith(
    createClient({ issuer: ISSUER, clientId: CLIENT_ID }, { fetch: insecure.fetch }),
    "insecure_issuer",
    /Refusing the jwks_uri http:\/\/as\.example\/jwks: tokens and secrets would cross the network unencrypted/,
  );
  assert.equal(insecure.calls.length, 1, "only discovery was fetched");
});

Deno.test("verifyIdToken() refuses an algorithm the issuer does not use for ID tokens", async () => {
  const token = await signJwt(k1, idTokenClaims(ISSUER, CLIENT_ID));
  const silent = fakeIssuer([k1], {});
  await refused(
    verifyIdToken(await silent.client(), token),
    /^The ID token is signed with ES256, but https:\/\/as\.example signs ID tokens with RS256 \(RS256 when its metadata does not say\)\.$/,
    token,
  );
  const rsaOnly = fakeIssuer([k1], { id_token_signing_alg_values_supported: ["RS256", "PS256"] });
  await refused(
    verifyIdToken(await rsaOnly.client(), token),
    /signed with ES256, but https:\/\/as\.example signs ID tokens with RS256 or PS256\.$/,
    token,
  );
});

Deno.test("verifyJwtSignature() follows a jwks_uri redirect only within the issuer's origin", async () => {
  const k1 = await testKey("k1");
  const served: string[] = [];
  // Two real loopback servers (a real fetch follows redirects by default): the issuer
  // redirects its jwks_uri to another origin, which serves keys that would verify.
  const other = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    served.push("other");
    return Response.json({ keys: [k1.jwk] });
  });
  const issuerServer: Deno.HttpServer<Deno.NetAddr> = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
  }, (request): Response => {
    const { pathname } = new URL(request.url);
    if (pathname === "/.well-known/openid-configuration") {
      return Response.json(metadata(issuer, { jwks_uri: `${issuer}/jwks` }));
    }
    return Response.redirect(`http://127.0.0.1:${other.addr.port}/jwks`, 302);
  });
  const issuer = `http://127.0.0.1:${issuerServer.addr.port}`;
  try {
    const client = await createClient({ issuer, clientId: CLIENT_ID });
    const token = await signJwt(k1, idTokenClaims(issuer, CLIENT_ID));
    await refused(verifyJwtSignature(client, token), /could not be fetched: HTTP 302/, token);
    assert.deepEqual(served, []);
  } finally {
    await issuerServer.shutdown();
    await other.shutdown();
  }
});
