import assert from "node:assert/strict";
import { makeCliHome, readSlot, runClauth } from "../helpers/cli.ts";
import { serviceHome, withProvider } from "../helpers/dev_provider.ts";
import { loggedInHome } from "../helpers/login.ts";
import { claimsOf, signJwt, testKey, withPayload } from "../helpers/signing.ts";

const NOT_VERIFIED = /^Not verified: this is what the token says about itself/m;

Deno.test("clauth decode shows the stored ID token's header and claims, says it is not verified, and --verify verifies", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await loggedInHome(idp.issuer);
    const stored = await readSlot(`${home.stateDir}/tokens/web.json`);
    const before = { ...idp.counts };

    const plain = await runClauth(["decode"], { env: home.env });
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stderr, /^Decoding the ID token stored for profile "web"\.$/m);
    assert.match(plain.stderr, NOT_VERIFIED);
    assert.match(plain.stdout, /^Header\n {2}alg\s+RS256\n {2}kid\s+\S+\nClaims\n/);
    assert.match(plain.stdout, /^ {2}sub\s+alice$/m);
    assert.match(plain.stdout, /^ {2}aud\s+demo-cli$/m);
    assert.match(plain.stdout, /^ {2}iat\s+\d{4}-\d\d-\d\dT\S+Z \((now|\d+s ago)\)$/m);
    assert.match(plain.stdout, /^ {2}exp\s+\S+Z \(in (1h|59m \d+s)\)$/m);
    assert.ok(!plain.stdout.includes(stored.id_token));
    assert.deepEqual(idp.counts, before, "decode alone touches no network");

    const verified = await runClauth(["decode", "--verify"], { env: home.env });
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(
      verified.stderr,
      /^Verified: the signature matches a key of http:\/\/127\.0\.0\.1:\d+ \(kid "[\w-]+"\), iss is that issuer and aud includes demo-cli\.$/m,
    );
    assert.doesNotMatch(verified.stderr, NOT_VERIFIED);
    assert.equal(idp.counts.jwks ?? 0, before.jwks ?? 0, "the key set cached at login is used");

    const json = await runClauth(["decode", "--json", "-"], {
      env: home.env,
      stdin: stored.id_token,
    });
    assert.equal(json.code, 0, json.stderr);
    const decoded = JSON.parse(json.stdout);
    assert.equal(decoded.source, "stdin");
    assert.equal(decoded.verified, false);
    assert.equal(decoded.header.alg, "RS256");
    assert.equal(decoded.claims.sub, "alice");
  });
});

Deno.test("clauth decode --verify refuses an altered or foreign-signed token (exit 1)", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await loggedInHome(idp.issuer);
    const stored = await readSlot(`${home.stateDir}/tokens/web.json`);
    const altered = withPayload(stored.id_token, { ...claimsOf(stored.id_token), sub: "mallory" });
    const tampered = await runClauth(["decode", "--verify", "-"], {
      env: home.env,
      stdin: altered,
    });
    assert.equal(tampered.code, 1);
    assert.match(
      tampered.stderr,
      /clauth: The token's signature does not verify against the issuer's keys \(kid "[\w-]+", alg RS256\)/,
    );
    assert.equal(tampered.stdout, "");

    const stranger = await testKey("stranger");
    const foreign = await signJwt(stranger, claimsOf(stored.id_token));
    const jwksBefore = idp.counts.jwks ?? 0;
    const unknown = await runClauth(["decode", "--verify", "-"], { env: home.env, stdin: foreign });
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.stderr,
      /has no key with kid "stranger", even after fetching the key set again/,
    );
    assert.equal(idp.counts.jwks, jwksBefore + 1, "fetched again once for the unknown kid");

    const ownKey = await testKey("k", "RS256");
    const otherIssuer = await signJwt(ownKey, { ...claimsOf(stored.id_token), iss: "https://x" });
    const wrongIss = await runClauth(["decode", "--verify", "-"], {
      env: home.env,
      stdin: otherIssuer,
    });
    assert.equal(wrongIss.code, 2, "a token from another issuer is an input error");
    for (const result of [tampered, unknown, wrongIss]) {
      assert.ok(!result.stderr.includes(stored.id_token.split(".")[1]), "never prints the token");
    }
  });
});

Deno.test("clauth decode of the dev provider's opaque access token exits 2 with a clear message", async () => {
  await withProvider({}, async (idp) => {
    const home = await serviceHome(idp.issuer);
    const { env } = home;
    assert.equal((await runClauth(["login"], { env })).code, 0);
    const token = (await readSlot(`${home.stateDir}/tokens/ci.json`))
      .access_token;

    const stored = await runClauth(["decode"], { env });
    assert.equal(stored.code, 2);
    assert.match(
      stored.stderr,
      /^Decoding the access token stored for profile "ci" \(it has no ID token\)\.\nclauth: The access token stored for profile "ci" is not a JWT: it is opaque .*"clauth inspect" asks the server about it\.\n$/,
    );
    const piped = await runClauth(["decode", "-"], { env, stdin: token });
    assert.equal(piped.code, 2);
    assert.match(piped.stderr, /^clauth: The token is not a JWT: it is opaque/);
    assert.match(piped.stderr, /"clauth inspect -" asks the server about it/);
    for (const result of [stored, piped]) {
      assert.equal(result.stdout, "");
      assert.ok(!result.stderr.includes(token), "the token is never printed");
    }
  });
});

Deno.test("clauth decode TOKEN works without any configuration, and refuses non-JWTs (exit 2)", async () => {
  const home = await makeCliHome();
  const key = await testKey("k1");
  // One fixed clock for the token and the CLI: the durations shown are exact.
  const now = Date.UTC(2026, 10, 29, 12, 0, 0) / 1000;
  const jwt = await signJwt(key, {
    iss: "https://as.example",
    sub: "svc",
    exp: now - 300,
    nbf: now - 600,
  });
  const result = await runClauth(["decode", jwt], { env: home.env, now: now * 1000 });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^Warning: a token given as an argument is visible/);
  assert.match(result.stderr, NOT_VERIFIED);
  assert.match(result.stderr, /^Note: the token expired 5m ago\.$/m);
  assert.match(result.stdout, /^ {2}exp\s+2026-11-29T11:55:00Z \(5m ago\)$/m);
  assert.match(result.stdout, /^ {2}nbf\s+2026-11-29T11:50:00Z \(10m ago\)$/m);

  for (
    const [input, pattern] of [
      ["a.b.c.d.e", /is an encrypted JWT \(JWE\)/],
      ["eyJhbGciOiJub25lIn0.bm90IGpzb24.", /its payload is not a JSON object/],
      ["not-a-jwt", /is not a JWT: it is opaque/],
    ] as const
  ) {
    const refused = await runClauth(["decode", "-"], { env: home.env, stdin: input });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, pattern);
  }
});

Deno.test("clauth decode --verify of a token from another issuer says so before looking for its key", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await loggedInHome(idp.issuer);
    const key = await testKey("elsewhere");
    const jwksBefore = idp.counts.jwks ?? 0;
    const foreign = await signJwt(key, {
      iss: "https://other.example",
      sub: "bob",
      exp: 4102444800,
    });
    const result = await runClauth(["decode", "--verify", "-"], { env: home.env, stdin: foreign });
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /issued by "https:\/\/other\.example", not by the profile's issuer "http:\/\/127\.0\.0\.1:\d+"/,
    );
    assert.equal(
      idp.counts.jwks ?? 0,
      jwksBefore,
      "no key set was fetched for a token from elsewhere",
    );
  });
});
