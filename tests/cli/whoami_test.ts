import assert from "node:assert/strict";
import { identityOf } from "../../cli/whoami.ts";
import { ClauthError } from "../../errors.ts";
import { createClient } from "../../flows/protocol/client.ts";
import { decodeJwt } from "../../flows/tokens/jwt.ts";
import { makeCliHome, readSlot, runClauth } from "../helpers/cli.ts";
import { withProvider } from "../helpers/dev_provider.ts";
import { fakeFetch, json, metadata } from "../helpers/fake_fetch.ts";
import { loggedInHome } from "../helpers/login.ts";
import { idTokenClaims, signJwt, testKey } from "../helpers/signing.ts";

Deno.test("clauth whoami shows alice's verified ID token claims merged with userinfo", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await loggedInHome(idp.issuer);
    assert.equal(idp.counts.jwks, 1, "the login verified the ID token");

    const table = await runClauth(["whoami"], { env: home.env });
    assert.equal(table.code, 0, table.stderr);
    assert.equal(table.stderr, "");
    const lines = table.stdout.split("\n");
    assert.match(lines[0]!, /^CLAIM\s+VALUE\s+FROM$/);
    assert.match(table.stdout, /^sub\s+alice\s+ID token, userinfo$/m);
    assert.match(table.stdout, /^name\s+Alice Example\s+userinfo$/m);
    assert.match(table.stdout, /^email\s+alice@example\.com\s+userinfo$/m);
    assert.match(table.stdout, /^email_verified\s+true\s+userinfo$/m);
    assert.match(
      table.stdout,
      new RegExp(`^iss\\s+${idp.issuer.replaceAll(".", "\\.")}\\s+ID token$`, "m"),
    );
    assert.match(table.stdout, /^aud\s+demo-cli\s+ID token$/m);
    assert.match(
      table.stdout,
      /^exp\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in (1h|59m \d+s)\)\s+ID token$/m,
    );
    assert.ok(!/nonce|at_hash/.test(table.stdout), "validation-only claims stay out of the table");

    const result = await runClauth(["whoami", "--json"], { env: home.env });
    assert.equal(result.code, 0, result.stderr);
    const identity = JSON.parse(result.stdout);
    assert.equal(identity.profile, "web");
    assert.equal(identity.sub, "alice");
    assert.equal(identity.claims.name, "Alice Example");
    assert.equal(identity.claims.email, "alice@example.com");
    assert.equal(identity.claims.iss, undefined, "token claims are not user claims");
    assert.equal(identity.id_token.expired, false);
    assert.equal(identity.id_token.claims.iss, idp.issuer);
    assert.equal(identity.id_token.claims.aud, "demo-cli");
    assert.equal(identity.userinfo.sub, "alice");
    assert.equal(idp.counts.userinfo, 2);
    assert.equal(idp.counts.jwks, 1, "later runs use the cached key set");

    const stored = await readSlot(`${home.stateDir}/tokens/web.json`);
    for (const secret of [stored.access_token, stored.refresh_token, stored.id_token]) {
      assert.ok(!table.stdout.includes(secret) && !result.stdout.includes(secret));
    }
  });
});

Deno.test("clauth whoami accepts an expired ID token but says it expired", async () => {
  await withProvider({ autoApprove: true, idTokenTtl: 1 }, async (idp) => {
    const home = await loggedInHome(idp.issuer, "openid profile api:read");
    // 30 s after the ID token's exp by clauth's clock (counted from the token itself, so that
    // a slow login cannot change the text): expired, while the access token is not.
    const { id_token } = await readSlot(`${home.stateDir}/tokens/web.json`);
    const { exp } = decodeJwt(id_token).claims as { exp: number };
    const result = await runClauth(["whoami"], { env: home.env, now: exp * 1000 + 30_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /^Note: the stored ID token expired 30s ago\. Its signature, issuer and audience still verify/,
    );
    assert.match(result.stdout, /^exp\s+\S+Z \(expired 30s ago\)\s+ID token$/m);
    assert.match(result.stdout, /^name\s+Alice Example\s+userinfo$/m);
  });
});

Deno.test("clauth whoami explains profiles that have no user or no ID token (exit 2), or no login (exit 4)", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const plain = await loggedInHome(idp.issuer, "api:read");
    const noOpenid = await runClauth(["whoami"], { env: plain.env });
    assert.equal(noOpenid.code, 2);
    assert.match(
      noOpenid.stderr,
      /Profile "web" has no ID token: its login did not ask for the openid scope\. Add "openid"/,
    );

    const home = await makeCliHome();
    await home.writeConfig({
      profiles: {
        ci: { issuer: idp.issuer, client_id: "demo-service", flow: "client-credentials" },
        fresh: { issuer: idp.issuer, client_id: "demo-cli", scope: "openid" },
      },
    });
    const ci = await runClauth(["whoami", "--profile", "ci"], { env: home.env });
    assert.equal(ci.code, 2);
    assert.match(ci.stderr, /Profile "ci" uses client credentials: no person is logged in/);
    const fresh = await runClauth(["whoami", "--profile", "fresh"], { env: home.env });
    assert.equal(fresh.code, 4);
    assert.match(fresh.stderr, /run "clauth login --profile fresh"/);
  });
});

const ISSUER = "https://as.example";

/** A scripted issuer with one ES256 key; `userinfo` adds a userinfo endpoint answering it. */
async function scriptedIssuer(userinfo?: Record<string, unknown>) {
  const key = await testKey("k1");
  const fake = fakeFetch({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: () =>
      json(metadata(ISSUER, {
        jwks_uri: `${ISSUER}/jwks`,
        id_token_signing_alg_values_supported: ["ES256"],
        ...(userinfo ? { userinfo_endpoint: `${ISSUER}/me` } : {}),
      })),
    [`GET ${ISSUER}/jwks`]: () => json({ keys: [key.jwk] }),
    [`GET ${ISSUER}/me`]: () => json(userinfo ?? {}),
  });
  const client = await createClient({ issuer: ISSUER, clientId: "cli" }, { fetch: fake.fetch });
  return { key, client };
}

Deno.test("identityOf() refuses a userinfo answer about another user", async () => {
  const { key, client } = await scriptedIssuer({ sub: "mallory", name: "Mallory" });
  const idToken = await signJwt(key, idTokenClaims(ISSUER, "cli"));
  const error = await identityOf(
    client,
    { access_token: "AT", id_token: idToken },
    Date.now() / 1000,
  )
    .catch((e) => e);
  assert.ok(error instanceof ClauthError);
  assert.equal(error.code, "server");
  assert.match(
    error.message,
    /^The userinfo endpoint answered for sub "mallory", but the ID token is for sub "alice": refused/,
  );
});

Deno.test("identityOf() shows the ID token's claims alone when the server has no userinfo endpoint", async () => {
  const { key, client } = await scriptedIssuer();
  const idToken = await signJwt(key, idTokenClaims(ISSUER, "cli", { name: "Alice", nonce: "n" }));
  const identity = await identityOf(
    client,
    { access_token: "AT", id_token: idToken },
    Date.now() / 1000,
  );
  assert.equal(identity.userinfo, null);
  assert.deepEqual(identity.claims, { sub: "alice", name: "Alice" });
  assert.equal(identity.id_token.claims.nonce, "n");
});
