import assert from "node:assert/strict";
import { FAKE_BROWSER, profileHome, runClauth, startClauth } from "../helpers/cli.ts";
import { introspect, withProvider } from "../helpers/dev_provider.ts";

function browserHome(issuer: string) {
  const profile = { issuer, client_id: "demo-cli", scope: "openid offline_access api:read" };
  return profileHome("web", profile, { BROWSER: FAKE_BROWSER });
}

Deno.test("clauth login (--flow auto) opens $BROWSER, receives the callback and stores the tokens", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await browserHome(idp.issuer);
    const result = await runClauth(["login"], { env: home.env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "");
    const url = result.stderr.match(/If it does not open, visit:\n {2}(\S+)\n/)?.[1];
    assert.ok(url?.startsWith(`${idp.issuer}/auth?`), result.stderr);
    const params = new URL(url!).searchParams;
    assert.equal(params.get("code_challenge_method"), "S256");
    assert.match(params.get("redirect_uri")!, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.equal(params.get("prompt"), "consent");
    assert.ok(params.get("nonce") && params.get("state"));
    assert.match(result.stderr, /Logged in: profile "web".*refresh token stored/);

    const token = await runClauth(["token"], { env: home.env });
    assert.equal(token.code, 0, token.stderr);
    assert.equal((await introspect(idp, token.stdout.trim())).body.active, true);
  });
});

Deno.test("clauth login --redirect-uri uses the first free of the listed fixed ports", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await browserHome(idp.issuer);
    const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const free = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const busyPort = (busy.addr as Deno.NetAddr).port;
    const freePort = (free.addr as Deno.NetAddr).port;
    free.close();
    try {
      const result = await runClauth([
        "login",
        "--flow",
        "browser",
        "--redirect-uri",
        `http://127.0.0.1:${busyPort}/callback`,
        "--redirect-uri",
        `http://127.0.0.1:${freePort}/callback`,
      ], { env: home.env });
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(`redirect_uri=http%3A%2F%2F127\\.0\\.0\\.1%3A${freePort}%2Fcallback`),
      );
    } finally {
      busy.close();
    }
  });
});

Deno.test("clauth login --no-browser under --flow auto uses the device flow", async () => {
  await withProvider({ autoApprove: true, deviceInterval: 1 }, async (idp) => {
    const home = await browserHome(idp.issuer);
    const login = startClauth(["login", "--no-browser"], { env: home.env });
    await login.waitForStderr(/and enter the code:/);
    login.kill();
    const result = await login.result();
    assert.notEqual(result.code, 0);
    assert.equal(idp.counts.authorization ?? 0, 0, "no browser login was started");
    assert.equal(idp.counts.device_authorization, 1);
  });
});
