import assert from "node:assert/strict";
import { compactVerify } from "jose/jws/compact/verify";
import { EmbeddedJWK } from "jose/jwk/embedded";
import { decodeProtectedHeader } from "jose/decode/protected_header";
import { ClauthError } from "../../../errors.ts";
import {
  chooseDPoPAlgorithm,
  DPOP_ALGORITHMS,
  dpopProofs,
  generateDPoPKey,
} from "../../../flows/tokens/dpop.ts";

const issuer = "https://as.example";

Deno.test("chooseDPoPAlgorithm() takes ES256 unless the server lists others, then the first of ours it lists", () => {
  assert.equal(chooseDPoPAlgorithm({ issuer }), "ES256");
  const as = (list: unknown) => ({ issuer, dpop_signing_alg_values_supported: list });
  assert.equal(chooseDPoPAlgorithm(as(["RS256", "EdDSA"])), "EdDSA");
  assert.equal(chooseDPoPAlgorithm(as(["EdDSA", "Ed25519"])), "Ed25519");
  assert.equal(chooseDPoPAlgorithm(as(["PS256"])), "PS256");
  assert.equal(chooseDPoPAlgorithm(as("ES256")), "ES256", "a list of the wrong type is no list");
  assert.throws(() => chooseDPoPAlgorithm(as(["HS256", "none"])), (error: unknown) => {
    assert.ok(error instanceof ClauthError);
    assert.equal(error.code, "usage");
    assert.equal(error.setting, "dpop");
    assert.match(error.message, /accepts DPoP proofs signed with HS256, none only/);
    return true;
  });
});

Deno.test("every algorithm's key signs proofs a verifier accepts: typ, alg, public jwk, htm, htu without query, ath", async () => {
  for (const alg of DPOP_ALGORITHMS) {
    const key = await generateDPoPKey(alg);
    assert.equal(key.alg, alg);
    assert.ok(
      !("key_ops" in key.jwk) && !("ext" in key.jwk),
      "stored without WebCrypto's bookkeeping",
    );
    const proofs = await dpopProofs(key);
    const proof = await proofs.proof("post", "https://api.example/items?q=1#top", "the-token");
    const header = decodeProtectedHeader(proof);
    assert.equal(header.typ, "dpop+jwt", alg);
    assert.equal(header.alg, alg);
    assert.equal((header.jwk as { d?: string }).d, undefined, "no private member in the proof");
    const { payload } = await compactVerify(proof, EmbeddedJWK);
    const claims = JSON.parse(new TextDecoder().decode(payload));
    assert.equal(claims.htm, "POST");
    assert.equal(claims.htu, "https://api.example/items");
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode("the-token"));
    assert.equal(
      claims.ath,
      new Uint8Array(digest).toBase64({ alphabet: "base64url", omitPadding: true }),
    );
    assert.equal(typeof claims.jti, "string");
  }
});

Deno.test("dpopProofs() puts a server's nonce in the next proof for that origin only", async () => {
  const proofs = await dpopProofs(await generateDPoPKey("ES256"));
  proofs.remember(
    new Response(null, { headers: { "dpop-nonce": "n-1" } }),
    "https://as.example/token",
  );
  const claims = async (url: string) =>
    JSON.parse(
      new TextDecoder().decode(
        (await compactVerify(await proofs.proof("GET", url), EmbeddedJWK)).payload,
      ),
    );
  assert.equal((await claims("https://as.example/other")).nonce, "n-1");
  assert.equal((await claims("https://api.example/x")).nonce, undefined);
  const first = await claims("https://as.example/token");
  const second = await claims("https://as.example/token");
  assert.notEqual(first.jti, second.jti, "a new jti every time");
});
