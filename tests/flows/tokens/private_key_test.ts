import assert from "node:assert/strict";
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import { calculateJwkThumbprint, decodeProtectedHeader } from "jose";
import { ClauthError } from "../../../errors.ts";
import { createClient } from "../../../flows/protocol/client.ts";
import { chooseAuthMethod } from "../../../flows/protocol/client_auth.ts";
import { clientCredentialsFlow } from "../../../flows/grants/client_credentials.ts";
import { parsePrivateKey } from "../../../flows/tokens/private_key.ts";
import { introspect, withProvider } from "../../helpers/dev_provider.ts";
import { fakeFetch, json, metadata } from "../../helpers/fake_fetch.ts";

const pkcs8 = (key: KeyObject) => key.export({ format: "pem", type: "pkcs8" }) as string;
const publicJwk = (key: KeyObject, extra: Record<string, string> = {}) =>
  ({
    ...createPublicKey(key).export({ format: "jwk" }),
    ...extra,
  }) as JsonWebKey;

Deno.test("parsePrivateKey() + clientCredentialsFlow() authenticate demo-jwt-service with private_key_jwt", async () => {
  await withProvider({}, async (idp) => {
    // The provider's key as a PKCS#8 PEM file would hold it.
    const jwk = idp.clients.privateKeyJwt.private_jwk as JsonWebKey & { kid: string };
    const pem = pkcs8(createPrivateKey({ key: jwk as never, format: "jwk" }));
    const privateKey = await parsePrivateKey(pem, "client.pem");
    assert.equal(privateKey.alg, "ES256");
    assert.equal(privateKey.kid, jwk.kid, "the RFC 7638 thumbprint");

    const client = await createClient({
      issuer: idp.issuer,
      clientId: "demo-jwt-service",
      privateKey,
    });
    const { response, authMethod } = await clientCredentialsFlow(client, { scope: "api:read" });
    assert.equal(authMethod, "private_key_jwt");
    const info = await introspect(idp, response.access_token);
    assert.equal(info.body.active, true);
    assert.equal(info.body.client_id, "demo-jwt-service");
    assert.equal(info.body.scope, "api:read");
  });
});

Deno.test("parsePrivateKey() picks the algorithm from the key: RSA PKCS#1 PEM, Ed25519 and EdDSA JWKs", async () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  const ed = generateKeyPairSync("ed25519").privateKey;
  const edJwk = ed.export({ format: "jwk" });
  const rsaKid = await calculateJwkThumbprint(publicJwk(rsa) as never);
  await withProvider({
    jwtClientJwks: { keys: [publicJwk(rsa, { kid: rsaKid }), publicJwk(ed, { kid: "ed-1" })] },
  }, async (idp) => {
    const cases = [
      { text: rsa.export({ format: "pem", type: "pkcs1" }) as string, alg: "RS256", kid: rsaKid },
      { text: JSON.stringify({ ...edJwk, kid: "ed-1" }), alg: "Ed25519", kid: "ed-1" },
      { text: JSON.stringify({ keys: [{ ...edJwk, kid: "ed-1", alg: "EdDSA" }] }), alg: "EdDSA" },
    ];
    for (const { text, alg, kid } of cases) {
      const privateKey = await parsePrivateKey(text, "key");
      assert.equal(privateKey.alg, alg);
      if (kid) assert.equal(privateKey.kid, kid);
      const assertions: string[] = [];
      const client = await createClient(
        { issuer: idp.issuer, clientId: "demo-jwt-service", privateKey },
        {
          fetch: async (input, init) => {
            const assertion = new URLSearchParams(String(init?.body ?? "")).get(
              "client_assertion",
            );
            if (assertion) assertions.push(assertion);
            return await fetch(input, init);
          },
        },
      );
      const { response } = await clientCredentialsFlow(client);
      assert.equal(typeof response.access_token, "string", alg);
      assert.equal(decodeProtectedHeader(assertions[0]!).alg, alg);
    }
  });
});

Deno.test("parsePrivateKey() refuses public, encrypted, ambiguous and unreadable keys as usage errors", async () => {
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const cases: [string, RegExp][] = [
    [ec.publicKey.export({ format: "pem", type: "spki" }) as string, /holds a public key/],
    [JSON.stringify(publicJwk(ec.privateKey)), /holds a public key/],
    [
      ec.privateKey.export({
        format: "pem",
        type: "pkcs8",
        cipher: "aes-256-cbc",
        passphrase: "pw",
      }) as string,
      /is encrypted: decrypt it first/,
    ],
    [
      JSON.stringify({ keys: [ec.privateKey.export({ format: "jwk" }), { kty: "EC", d: "x" }] }),
      /JWK Set with 2 private keys/,
    ],
    ["{ not json", /is not valid JSON/],
    ["hello", /is neither PEM .* nor a JWK/],
    [JSON.stringify({ kty: "oct", k: "c2VjcmV0", d: "x" }), /has a key of type "oct"/],
  ];
  for (const [text, pattern] of cases) {
    await assert.rejects(parsePrivateKey(text, "/keys/client.key"), (error: unknown) => {
      assert.ok(error instanceof ClauthError, String(error));
      assert.equal(error.code, "usage");
      assert.match(error.message, /^The private key file \/keys\/client\.key /);
      assert.match(error.message, pattern);
      return true;
    });
  }
});

Deno.test("chooseAuthMethod() uses private_key_jwt when a key is configured, unless the profile says otherwise", async () => {
  const privateKey = await parsePrivateKey(
    pkcs8(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey),
    "key.pem",
  );
  const as = { issuer: "https://as.example" };
  assert.equal(chooseAuthMethod(as, { privateKey, clientSecret: "s" }), "private_key_jwt");
  assert.equal(
    chooseAuthMethod(as, { privateKey, rememberedMethod: "client_secret_post" }),
    "private_key_jwt",
  );
  assert.equal(
    chooseAuthMethod(as, { privateKey, clientSecret: "s", configuredMethod: "client_secret_post" }),
    "client_secret_post",
  );
});

Deno.test("clientCredentialsFlow() with private_key_jwt sends a signed assertion for the issuer, no secret", async () => {
  const ISSUER = "https://as.example";
  const fake = fakeFetch({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: () => json(metadata(ISSUER)),
    [`POST ${ISSUER}/token`]: () => json({ access_token: "T", token_type: "Bearer" }),
  });
  const privateKey = await parsePrivateKey(
    pkcs8(generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey),
    "key.pem",
  );
  const client = await createClient({ issuer: ISSUER, clientId: "svc", privateKey }, {
    fetch: fake.fetch,
  });
  await clientCredentialsFlow(client);
  const body = new URLSearchParams(fake.calls[1]!.body);
  assert.equal(
    body.get("client_assertion_type"),
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
  );
  assert.equal(body.get("client_id"), "svc");
  assert.equal(fake.calls[1]!.headers.get("authorization"), null);
  const [header, payload] = body.get("client_assertion")!.split(".").slice(0, 2).map((part) =>
    JSON.parse(new TextDecoder().decode(Uint8Array.fromBase64(part, { alphabet: "base64url" })))
  );
  assert.equal(header.alg, "ES384");
  assert.equal(header.kid, privateKey.kid);
  assert.equal(payload.iss, "svc");
  assert.equal(payload.sub, "svc");
  assert.equal(payload.aud, ISSUER);
});
