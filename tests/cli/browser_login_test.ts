import assert from "node:assert/strict";
import { FAKE_BROWSER, profileHome, runClauth, startClauth } from "../helpers/cli.ts";
import { introspect, QUICK_POLL, serviceHome, withProvider } from "../helpers/dev_provider.ts";
import { followAuthorization } from "../../dev/browser.ts";

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
    // The dev provider offers PAR: the request went there; the address only points to it.
    const params = new URL(url!).searchParams;
    assert.deepEqual([...params.keys()].sort(), ["client_id", "request_uri"]);
    assert.equal(idp.counts.pushed_authorization_request, 1);
    assert.match(result.stderr, /Logged in to \S+ as .+ \(profile web\)\.\n.*refresh token stored/);

    const token = await runClauth(["token"], { env: home.env });
    assert.equal(token.code, 0, token.stderr);
    assert.equal((await introspect(idp, token.stdout.trim())).body.active, true);
  });
});

Deno.test("clauth login --no-par puts the whole request in the address: PKCE, state, nonce, prompt=consent, login parameters", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await browserHome(idp.issuer);
    const result = await runClauth([
      "login",
      "--no-par",
      "--login-hint",
      "alice",
      "--acr-values",
      "urn:example:mfa",
      "--auth-param",
      "ui_locales=fr",
    ], { env: home.env });
    assert.equal(result.code, 0, result.stderr);
    const url = result.stderr.match(/If it does not open, visit:\n {2}(\S+)\n/)?.[1];
    const params = new URL(url!).searchParams;
    assert.equal(params.get("code_challenge_method"), "S256");
    assert.match(params.get("redirect_uri")!, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.equal(params.get("prompt"), "consent");
    assert.ok(params.get("nonce") && params.get("state"));
    assert.equal(params.get("login_hint"), "alice");
    assert.equal(params.get("acr_values"), "urn:example:mfa");
    assert.equal(params.get("ui_locales"), "fr");
    assert.equal(idp.counts.pushed_authorization_request ?? 0, 0);
  });
});

Deno.test("clauth login --prompt replaces the automatic prompt=consent", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await browserHome(idp.issuer);
    const result = await runClauth(["login", "--no-par", "--prompt", "login consent"], {
      env: home.env,
    });
    assert.equal(result.code, 0, result.stderr);
    const url = result.stderr.match(/If it does not open, visit:\n {2}(\S+)\n/)?.[1];
    assert.equal(new URL(url!).searchParams.get("prompt"), "login consent");
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
        "--no-par",
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
  await withProvider({ autoApprove: true, deviceInterval: QUICK_POLL }, async (idp) => {
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

Deno.test("clauth login --flow browser --no-browser only shows the address, and the login completes from it", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await browserHome(idp.issuer);
    const login = startClauth(["login", "--flow", "browser", "--no-browser"], { env: home.env });
    const [, url] = await login.waitForStderr(
      /^Open this address in a browser to log in:\n {2}(\S+)\n/m,
    );
    await followAuthorization(url!);
    const result = await login.result();
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /Opening the browser|could not be opened/);
    assert.match(result.stderr, /Logged in to \S+ as .+ \(profile web\)/);
  });
});

Deno.test("clauth login says so when the browser could not be opened, after showing the address", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    // A $BROWSER command that fails (or, on Windows, does not exist).
    const home = await browserHome(idp.issuer);
    const env = { ...home.env, BROWSER: "false" };
    const login = startClauth(["login", "--flow", "browser"], { env });
    const [, url] = await login.waitForStderr(/If it does not open, visit:\n {2}(\S+)\n/);
    await login.waitForStderr(/\n {2}\S+\nThe browser could not be opened: open the address above/);
    await followAuthorization(url!);
    const result = await login.result();
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Logged in to \S+ as .+ \(profile web\)/);
  });
});

Deno.test("clauth login --redirect-uri with the device or client credentials flow warns that it does not apply", async () => {
  await withProvider({ autoApprove: true, deviceInterval: QUICK_POLL }, async (idp) => {
    const home = await browserHome(idp.issuer);
    for (const flow of [["--flow", "device"], ["--no-browser"]]) {
      const login = startClauth(
        ["login", ...flow, "--redirect-uri", "http://127.0.0.1:8765/callback"],
        { env: home.env },
      );
      await login.waitForStderr(/and enter the code:/);
      login.kill();
      const { stderr } = await login.result();
      assert.match(
        stderr,
        /^Note: --redirect-uri applies only to the browser flow; the device flow ignores it\.$/m,
        flow.join(" "),
      );
    }
    const service = await serviceHome(idp.issuer);
    const credentials = await runClauth(
      ["login", "--redirect-uri", "http://127.0.0.1:8765/callback"],
      { env: service.env },
    );
    assert.equal(credentials.code, 0, credentials.stderr);
    assert.match(credentials.stderr, /the client credentials flow ignores it\./);
  });
});
