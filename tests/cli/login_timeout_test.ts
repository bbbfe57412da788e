import assert from "node:assert/strict";
import { followAuthorization } from "../../dev/browser.ts";
import { profileHome, runClauth, startClauth } from "../helpers/cli.ts";
import { withProvider } from "../helpers/dev_provider.ts";

// `true` as $BROWSER "opens" the address and never signs in: only the timeout ends the login.
function browserHome(issuer: string, extra: Record<string, unknown> = {}) {
  const profile = { issuer, client_id: "demo-cli", scope: "openid", flow: "browser", ...extra };
  return profileHome("web", profile, { BROWSER: "true" });
}

Deno.test("clauth login --login-timeout shows the limit, and the login completes within it", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await browserHome(idp.issuer);
    const login = startClauth(["login", "--login-timeout", "90"], { env: home.env });
    const [, url] = await login.waitForStderr(/If it does not open, visit:\n {2}(\S+)\n/);
    await login.waitForStderr(/^Waiting for the browser \(the login times out in 1m 30s\)\.\.\.$/m);
    await followAuthorization(url!);
    const result = await login.result();
    assert.equal(result.code, 0, result.stderr);
  });
});

Deno.test("clauth login --login-timeout ends a browser login that never comes back (exit 3)", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await browserHome(idp.issuer);
    // 50 ms of real time: nothing else can end this login, so no race decides the outcome.
    const result = await runClauth(["login", "--login-timeout", "0.05"], { env: home.env });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /clauth: The login timed out: .* within 50 ms/);
  });
});

Deno.test("clauth login takes the browser login's time limit from the profile's login_timeout", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await browserHome(idp.issuer, { login_timeout: 0.05 });
    const result = await runClauth(["login"], { env: home.env });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /within 50 ms/);
    // The flag beats the profile.
    const login = startClauth(["login", "--login-timeout", "600"], { env: home.env });
    await login.waitForStderr(/the login times out in 10m\)/);
    const [, url] = login.runtime.stderrText.match(/visit:\n {2}(\S+)\n/)!;
    await followAuthorization(url!);
    assert.equal((await login.result()).code, 0);
  });
});

Deno.test("clauth refuses a login_timeout or --login-timeout that is not a number of seconds (exit 2)", async () => {
  const home = await browserHome("http://127.0.0.1:9", { login_timeout: "5m" });
  const config = await runClauth(["login"], { env: home.env });
  assert.equal(config.code, 2);
  assert.match(config.stderr, /profiles\.web\.login_timeout must be more than 0/);
  const flag = await runClauth(["login", "--login-timeout", "soon"], { env: home.env });
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /--login-timeout/);
});
