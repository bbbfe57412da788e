import assert from "node:assert/strict";
import { createClient } from "../../../flows/protocol/client.ts";
import { checkSameLogin, verifyIdToken } from "../../../flows/tokens/id_token.ts";
import { shown } from "../../../flows/tokens/jwt.ts";
import { fakeFetch, json, metadata } from "../../helpers/fake_fetch.ts";
import { rejectsWith } from "../../helpers/assertions.ts";
import { idTokenClaims, signJwt, testKey } from "../../helpers/signing.ts";

const ISSUER = "https://as.example";
/** Raw characters that must never reach a message. */
// deno-lint-ignore no-control-regex
const RAW = /[\u001b\u202a-\u202e\u2066-\u2069\u200e\u200f]/;

Deno.test("verifyIdToken() quotes a hostile iss with its bidi override and ESC escaped", async () => {
  const key = await testKey("k1");
  const fake = fakeFetch({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: () =>
      json(metadata(ISSUER, {
        jwks_uri: `${ISSUER}/jwks`,
        id_token_signing_alg_values_supported: ["ES256"],
      })),
    [`GET ${ISSUER}/jwks`]: () => json({ keys: [key.jwk] }),
  });
  const client = await createClient({ issuer: ISSUER, clientId: "cli" }, { fetch: fake.fetch });
  const idToken = await signJwt(
    key,
    idTokenClaims(ISSUER, "cli", { iss: "https://evil\u202e\x1b[2J.example" }),
  );
  const error = await rejectsWith(
    verifyIdToken(client, idToken),
    "server",
    /'s iss is "https:\/\/evil\\u202e\\u001b\[2J\.example", expected "https:\/\/as\.example"/,
  );
  assert.doesNotMatch(error.message, RAW);
});

Deno.test("checkSameLogin() quotes a hostile sub with its bidi isolate escaped", async () => {
  const key = await testKey("k1");
  const original = await signJwt(key, idTokenClaims(ISSUER, "cli"));
  assert.throws(
    () => checkSameLogin({ iss: ISSUER, sub: "mal\u2067lory\u200f", aud: "cli" }, original),
    (error: Error) =>
      /another sub \("mal\\u2067lory\\u200f"\)/.test(error.message) && !RAW.test(error.message),
  );
});

Deno.test("shown() quotes a value with its bidi overrides and C1 controls escaped", () => {
  assert.equal(shown("a\u202eb\u0085c"), '"a\\u202eb\\u0085c"');
  assert.equal(shown({ x: "\x1b" }), '"{\\"x\\":\\"\\\\u001b\\"}"');
});
