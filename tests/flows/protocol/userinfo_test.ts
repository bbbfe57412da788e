import assert from "node:assert/strict";
import { createClient } from "../../../flows/protocol/client.ts";
import { verifyIdToken } from "../../../flows/tokens/id_token.ts";
import { fetchUserInfo } from "../../../flows/protocol/userinfo.ts";
import { withProvider } from "../../helpers/dev_provider.ts";
import { fakeFetch, json, metadata } from "../../helpers/fake_fetch.ts";
import { loginAsAlice } from "../../helpers/login.ts";
import { rejectsWith } from "../../helpers/assertions.ts";

const ISSUER = "https://as.example";

function scripted(userinfo: () => Response, extra: Record<string, unknown> = {}) {
  const fake = fakeFetch({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: () =>
      json(metadata(ISSUER, { userinfo_endpoint: `${ISSUER}/me`, ...extra })),
    [`GET ${ISSUER}/me`]: userinfo,
  });
  return {
    client: () => createClient({ issuer: ISSUER, clientId: "cli" }, { fetch: fake.fetch }),
    calls: fake.calls,
  };
}

Deno.test("fetchUserInfo() returns alice's claims for the dev provider's access token", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const client = await createClient({ issuer: idp.issuer, clientId: "demo-cli" });
    const { response } = await loginAsAlice(client, "openid profile email");
    const { sub } = await verifyIdToken(client, response.id_token!);
    const info = await fetchUserInfo(client, response.access_token, { expectedSubject: sub });
    assert.equal(info.sub, "alice");
    assert.equal(info.name, "Alice Example");
    assert.equal(info.email, "alice@example.com");
    assert.equal(info.email_verified, true);
    assert.equal(idp.counts.userinfo, 1);
  });
});

Deno.test("fetchUserInfo() refuses an answer about another user than the ID token's", async () => {
  const { client, calls } = scripted(() => json({ sub: "mallory", name: "Mallory" }));
  const error = await rejectsWith(
    fetchUserInfo(await client(), "the-access-token", { expectedSubject: "alice" }),
    "server",
    /^The userinfo endpoint answered for sub "mallory", but the ID token is for sub "alice": refused/,
  );
  assert.ok(!error.message.includes("the-access-token"));
  assert.equal(calls[1]?.headers.get("authorization"), "Bearer the-access-token");
});

Deno.test("fetchUserInfo() explains a rejected access token (WWW-Authenticate)", async () => {
  const { client } = scripted(() =>
    new Response(null, {
      status: 401,
      headers: {
        "www-authenticate": 'Bearer error="invalid_token", error_description="token revoked"',
      },
    })
  );
  await rejectsWith(
    fetchUserInfo(await client(), "AT", { expectedSubject: "alice" }),
    "server",
    /^The userinfo endpoint refused the access token: invalid_token \("token revoked"\), HTTP 401\. It may have been revoked; log in again\.$/,
  );
});

Deno.test("fetchUserInfo() shows a WWW-Authenticate error code with its control characters escaped", async () => {
  const { client } = scripted(() =>
    new Response(null, {
      status: 401,
      headers: { "www-authenticate": 'Bearer error="invalid\x1b[2Jtoken"' },
    })
  );
  const error = await rejectsWith(
    fetchUserInfo(await client(), "AT", { expectedSubject: "alice" }),
    "server",
    /refused the access token: invalid\\u001b\[2Jtoken, HTTP 401/,
  );
  assert.ok(!error.message.includes("\x1b"));
});

Deno.test("fetchUserInfo() reports a broken answer and a missing endpoint", async () => {
  const { client } = scripted(() => new Response("<html>oops</html>", { status: 500 }));
  await rejectsWith(
    fetchUserInfo(await client(), "AT"),
    "server",
    /userinfo endpoint answered HTTP 500/,
  );
  const none = fakeFetch({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: () => json(metadata(ISSUER)),
  });
  const bare = await createClient({ issuer: ISSUER, clientId: "cli" }, { fetch: none.fetch });
  await rejectsWith(fetchUserInfo(bare, "AT"), "usage", /advertises no userinfo_endpoint/);
});
