import assert from "node:assert/strict";
import { exportJWK } from "jose/key/export";
import { SignJWT } from "jose/jwt/sign";
import { accessTokenHash, checkDPoPProof, type ProofExpectations } from "./dpop_proof_check.ts";

const NOW = 1_800_000_000;
const expected: ProofExpectations = {
  method: "GET",
  url: "http://127.0.0.1:4000/me?page=2",
  accessToken: "token-value",
  nowSeconds: NOW,
};

const keys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
  "sign",
  "verify",
]);
const publicJwk = await exportJWK(keys.publicKey);

/** A proof for `expected`, with `changes` to its header and claims. */
async function proof(
  changes: { header?: Record<string, unknown>; claims?: Record<string, unknown> } = {},
  signingKey: CryptoKey = keys.privateKey,
): Promise<string> {
  const claims = {
    jti: crypto.randomUUID(),
    htm: "GET",
    htu: "http://127.0.0.1:4000/me",
    iat: NOW,
    ath: await accessTokenHash(expected.accessToken),
    ...changes.claims,
  };
  return await new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk: publicJwk, ...changes.header })
    .sign(signingKey);
}

async function reason(header: string | null, overrides: Partial<ProofExpectations> = {}) {
  const check = await checkDPoPProof(header, { ...expected, ...overrides });
  return check.ok ? "valid" : check.reason;
}

Deno.test("checkDPoPProof() accepts a proof and gives its key's thumbprint", async () => {
  const check = await checkDPoPProof(await proof(), expected);
  assert.ok(check.ok);
  assert.match(check.proof.thumbprint, /^[A-Za-z0-9_-]{43}$/);
  // RFC 9449 §4.3: htu is compared after normalization (scheme and host case, default port).
  const normalized = await proof({ claims: { htu: "HTTP://127.0.0.1:80/me#frag" } });
  assert.equal(await reason(normalized, { url: "http://127.0.0.1/me" }), "valid");
});

Deno.test("checkDPoPProof() refuses malformed headers and keys", async () => {
  const good = await proof();
  const other = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const privateJwk = await exportJWK(keys.privateKey);
  const hmac = new Uint8Array(32);
  const cases: [string | null, string][] = [
    [null, "missing"],
    [`${good}, ${good}`, "more than one DPoP header"],
    ["not-a-jws", "not a compact JWS"],
    [await proof({ header: { typ: "JWT" } }), "typ is not dpop+jwt"],
    [
      await new SignJWT({}).setProtectedHeader({ alg: "HS256", typ: "dpop+jwt", jwk: publicJwk })
        .sign(hmac),
      "alg is not an asymmetric signature algorithm",
    ],
    [await proof({ header: { jwk: undefined } }), "no jwk in the header"],
    [await proof({ header: { jwk: privateJwk } }), "jwk holds a private key"],
    [await proof({}, other.privateKey), "signature does not verify with its jwk"],
  ];
  for (const [header, expectedReason] of cases) {
    assert.equal(await reason(header), expectedReason);
  }
});

Deno.test("checkDPoPProof() refuses claims that do not fit the request", async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ jti: undefined }, "jti missing"],
    [{ htm: "POST" }, "htm does not match the request method"],
    [{ htu: "http://127.0.0.1:4001/me" }, "htu does not match the request URL"],
    [{ htu: "http://127.0.0.1:4000/me/" }, "htu does not match the request URL"],
    [{ iat: NOW - 61 }, "iat is outside the acceptable window"],
    [{ iat: NOW + 61 }, "iat is outside the acceptable window"],
    [{ ath: undefined }, "ath does not match the access token"],
    [{ nonce: 7 }, "nonce is not a string"],
  ];
  for (const [claims, expectedReason] of cases) {
    assert.equal(await reason(await proof({ claims })), expectedReason, JSON.stringify(claims));
  }
  assert.equal(await reason(await proof({ claims: { iat: NOW - 60 } })), "valid");
});
