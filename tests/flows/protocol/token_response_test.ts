import assert from "node:assert/strict";
import { createClient } from "../../../flows/protocol/client.ts";
import { clientCredentialsFlow } from "../../../flows/grants/client_credentials.ts";
import { refreshFlow } from "../../../flows/grants/refresh.ts";
import { deviceCodeFlow } from "../../../flows/grants/device_code.ts";
import { TOKEN_TYPES, tokenExchangeFlow } from "../../../flows/grants/token_exchange.ts";
import {
  checkTokenResponse,
  MAX_EXPIRES_IN_SECONDS,
} from "../../../flows/protocol/token_response.ts";
import { fakeFetch, json, metadata } from "../../helpers/fake_fetch.ts";
import { rejectsWith } from "../../helpers/assertions.ts";

const ISSUER = "https://as.example";

/** A client whose token endpoint answers `body` (200, JSON) to every request. */
async function clientAnswering(body: Record<string, unknown>) {
  const fake = fakeFetch({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: () => json(metadata(ISSUER)),
    [`POST ${ISSUER}/token`]: () => json(body),
  });
  return await createClient(
    { issuer: ISSUER, clientId: "svc", clientSecret: "s3cret" },
    { fetch: fake.fetch },
  );
}

const EVIL_TOKENS = {
  "a CR/LF and a header": "abc\r\nX-Evil: 1",
  "an escape sequence": "abc\x1b[2J",
  "a space": "abc def",
  "a tab": "abc\tdef",
  "a quote": 'abc"def',
  "a non-ASCII letter": "abcé",
  "= before the end": "ab=cd",
};

for (const [what, token] of Object.entries(EVIL_TOKENS)) {
  Deno.test(`clientCredentialsFlow() refuses an access_token with ${what}, quoting nothing`, async () => {
    const client = await clientAnswering({ access_token: token, token_type: "Bearer" });
    const error = await rejectsWith(
      clientCredentialsFlow(client),
      "server",
      /^The token endpoint of https:\/\/as\.example sent an access_token with characters a Bearer token cannot have \(RFC 6750 §2\.1/,
    );
    assert.equal(error.endpoint, "token");
    assert.ok(!error.message.includes(token) && !error.message.includes("X-Evil"));
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(error.message, /[\u0000-\u001f]/);
  });
}

Deno.test("refreshFlow() refuses a refresh_token with a line break, and a DPoP-bound token", async () => {
  const withLineBreak = await clientAnswering({
    access_token: "AT",
    token_type: "bearer",
    refresh_token: "RT\r\nhost=evil.example",
  });
  const error = await rejectsWith(
    refreshFlow(withLineBreak, "old"),
    "server",
    /sent a refresh_token with characters outside printable ASCII \(RFC 6749 Appendix A\.17\)/,
  );
  assert.ok(!error.message.includes("evil.example"));

  const dpop = await clientAnswering({ access_token: "AT", token_type: "DPoP" });
  await rejectsWith(
    refreshFlow(dpop, "old"),
    "server",
    /issued a DPoP-bound token \(token_type DPoP\) although clauth sent no DPoP proof/,
  );
});

Deno.test("a refresh_token of any printable ASCII passes (RFC 6749 A.17), and b64token access tokens", async () => {
  const client = await clientAnswering({
    access_token: "aZ09-._~+/==",
    token_type: "BEARER",
    refresh_token: "r t:!{}",
  });
  const { response } = await refreshFlow(client, "old");
  assert.equal(response.access_token, "aZ09-._~+/==");
  assert.equal(response.refresh_token, "r t:!{}");
});

Deno.test("clientCredentialsFlow() refuses token_type DPoP and any other type but Bearer", async () => {
  for (const tokenType of ["DPoP", "dpop"]) {
    const client = await clientAnswering({ access_token: "AT", token_type: tokenType });
    await rejectsWith(
      clientCredentialsFlow(client),
      "server",
      /^The token endpoint of https:\/\/as\.example issued a DPoP-bound token \(token_type DPoP\) although clauth sent no DPoP proof, so it refused the token: the server binds/,
    );
  }
  const mac = await clientAnswering({ access_token: "AT", token_type: "mac\x1b[2J" });
  await rejectsWith(
    clientCredentialsFlow(mac),
    "server",
    /issued a token of type "mac\\u001b\[2j"; clauth uses Bearer tokens only \(RFC 6750\)/,
  );
  // N_A belongs to token exchange: oauth4webapi refuses it anywhere else, and so do we.
  const notApplicable = await clientAnswering({ access_token: "AT", token_type: "N_A" });
  await rejectsWith(clientCredentialsFlow(notApplicable), "server", /issued a token of type "n_a"/);
});

Deno.test("tokenExchangeFlow() still accepts N_A (RFC 8693 §2.2.1) but refuses DPoP", async () => {
  const issued = await clientAnswering({
    access_token: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
    token_type: "N_A",
    issued_token_type: TOKEN_TYPES.id_token,
  });
  const result = await tokenExchangeFlow(issued, { subjectToken: "S" });
  assert.equal(result.response.token_type, "n_a");
  assert.equal(result.issuedTokenType, TOKEN_TYPES.id_token);

  const dpop = await clientAnswering({
    access_token: "AT",
    token_type: "DPoP",
    issued_token_type: TOKEN_TYPES.access_token,
  });
  await rejectsWith(tokenExchangeFlow(dpop, { subjectToken: "S" }), "server", /DPoP-bound/);
});

Deno.test("clientCredentialsFlow() clamps an absurd expires_in to 10 years", async () => {
  for (const expiresIn of [1e20, "1e20", Number.MAX_SAFE_INTEGER]) {
    const client = await clientAnswering({
      access_token: "AT",
      token_type: "Bearer",
      expires_in: expiresIn,
    });
    const { response } = await clientCredentialsFlow(client);
    assert.equal(response.expires_in, MAX_EXPIRES_IN_SECONDS);
    assert.equal(MAX_EXPIRES_IN_SECONDS, 315_360_000);
  }
  const sane = await clientAnswering({ access_token: "AT", token_type: "Bearer", expires_in: 300 });
  assert.equal((await clientCredentialsFlow(sane)).response.expires_in, 300);
});

Deno.test("checkTokenResponse() refuses an expires_in that is not a finite non-negative number", () => {
  for (const expiresIn of [-1, Infinity, NaN, "300"]) {
    assert.throws(
      () =>
        checkTokenResponse(
          { access_token: "AT", token_type: "bearer", expires_in: expiresIn as number },
          ISSUER,
        ),
      (error: Error) =>
        /sent expires_in "[^"]+", which is not a number of seconds/.test(error.message),
    );
  }
});

Deno.test("deviceCodeFlow() stops at once on a DPoP-bound or header-injecting token: no more polls", async () => {
  for (
    const [body, pattern] of [
      [{ access_token: "AT", token_type: "DPoP" }, /DPoP-bound/],
      [{ access_token: "AT\r\nX-Evil: 1", token_type: "Bearer" }, /characters a Bearer token/],
    ] as const
  ) {
    let polls = 0;
    let time = 1_000_000;
    const fake = fakeFetch({
      [`GET ${ISSUER}/.well-known/openid-configuration`]: () =>
        json(metadata(ISSUER, { device_authorization_endpoint: `${ISSUER}/device` })),
      [`POST ${ISSUER}/device`]: () =>
        json({
          device_code: "dc",
          user_code: "ABCD",
          verification_uri: `${ISSUER}/activate`,
          expires_in: 600,
          interval: 1,
        }),
      [`POST ${ISSUER}/token`]: () => (polls++, json(body)),
    });
    const client = await createClient({ issuer: ISSUER, clientId: "cli" }, {
      fetch: fake.fetch,
      now: () => time,
      sleep: (ms: number) => (time += ms, Promise.resolve()),
    });
    await rejectsWith(deviceCodeFlow(client, { onUserCode: () => {} }), "server", pattern);
    assert.equal(polls, 1, "a refused token is final, not a transient failure");
  }
});
