/**
 * login and logout with --json (a result object on stdout), a device login that asks for no
 * scope (the dev provider's default scope; advice when a server refuses one), and the login
 * command that fixes a scope mismatch.
 */

import assert from "node:assert/strict";
import { approveDeviceCode } from "../../dev/device_approval.ts";
import { DEFAULT_SCOPE } from "../../dev/_configuration.ts";
import type { LoginResult, LogoutResult } from "../../cli/command_results.ts";
import { profileHome, runClauth, startClauth } from "../helpers/cli.ts";
import { introspect, QUICK_POLL, withProvider } from "../helpers/dev_provider.ts";

const COMPLETE_URI = /Or open this address, which already holds the code:\n {2}(\S+)\n/;

/** A device login of profile "dev" (demo-cli) with `args`, approved or denied. */
async function deviceLogin(
  issuer: string,
  args: string[],
  options: { deny?: boolean; scope?: string } = {},
) {
  const profile = { issuer, client_id: "demo-cli", flow: "device" };
  const home = await profileHome(
    "dev",
    options.scope === undefined ? profile : { ...profile, scope: options.scope },
  );
  const login = startClauth(["login", ...args], { env: home.env });
  const [, complete] = await login.waitForStderr(COMPLETE_URI);
  await approveDeviceCode(complete!, { deny: options.deny === true });
  return { home, result: await login.result() };
}

Deno.test("a device login without a scope is approved, not reported as denied", async () => {
  await withProvider({ deviceInterval: QUICK_POLL, autoApprove: true }, async (idp) => {
    const { result } = await deviceLogin(idp.issuer, []);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /denied/);
    // RFC 6749 §3.3: the dev provider grants its default scope to a request without one.
    assert.match(result.stderr, new RegExp(`Scope "${DEFAULT_SCOPE}"`));
  });
});

Deno.test("a login refused while asking for no scope says so, and which --scope to ask for", async () => {
  await withProvider({ deviceInterval: QUICK_POLL, autoApprove: true }, async (idp) => {
    const { result } = await deviceLogin(idp.issuer, [], { deny: true });
    assert.equal(result.code, 3);
    assert.match(
      result.stderr,
      /^clauth: The login was denied on the verification page, and the login asked for no scope: either the person denied it, or the server refuses a login that asks for none/m,
    );
    assert.match(result.stderr, /^Ask for a scope: --scope openid /m);
    // With a scope, a denial is only that.
    const scoped = await deviceLogin(idp.issuer, [], { deny: true, scope: "openid" });
    assert.equal(scoped.result.code, 3);
    assert.match(
      scoped.result.stderr,
      /^clauth: The login was denied on the verification page\.\n/m,
    );
    assert.doesNotMatch(scoped.result.stderr, /--scope/);
  });
});

Deno.test("clauth login --json prints what the login got: profile, issuer, account, expiry, scope", async () => {
  await withProvider({ deviceInterval: QUICK_POLL, autoApprove: true }, async (idp) => {
    const { result } = await deviceLogin(idp.issuer, ["--json"], {
      scope: "openid offline_access",
    });
    assert.equal(result.code, 0, result.stderr);
    const printed = JSON.parse(result.stdout) as LoginResult;
    const { expires_at, ...rest } = printed;
    assert.deepEqual(rest, {
      profile: "dev",
      issuer: idp.issuer,
      client_id: "demo-cli",
      account: "alice",
      scope: "openid offline_access",
      refresh_token: true,
    });
    assert.match(expires_at!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Date.parse(expires_at!) > Date.now());
    assert.doesNotMatch(result.stdout, /access_token|eyJ/, "never a token");
  });
});

Deno.test("clauth logout --json says what was revoked and deleted", async () => {
  await withProvider({ deviceInterval: QUICK_POLL, autoApprove: true }, async (idp) => {
    const { home } = await deviceLogin(idp.issuer, [], { scope: "openid offline_access" });
    const token = (await runClauth(["token"], { env: home.env })).stdout.trim();
    const logout = await runClauth(["logout", "--json"], { env: home.env });
    assert.equal(logout.code, 0, logout.stderr);
    assert.deepEqual(JSON.parse(logout.stdout) as LogoutResult, {
      profiles: [{
        profile: "dev",
        deleted: true,
        logins: [{
          issuer: idp.issuer,
          client_id: "demo-cli",
          revoked: ["refresh_token", "access_token"],
        }],
      }],
    });
    assert.equal((await introspect(idp, token)).body.active, false);
    // Nothing left: deleted false, nothing revoked.
    const again = await runClauth(["logout", "--json"], { env: home.env });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), {
      profiles: [{ profile: "dev", deleted: false, logins: [] }],
    });
  });
});

Deno.test("a token asked for with another --scope: the login advice carries that --scope", async () => {
  await withProvider({ deviceInterval: QUICK_POLL, autoApprove: true }, async (idp) => {
    const { home } = await deviceLogin(idp.issuer, [], { scope: "openid" });
    const result = await runClauth(["token", "--scope", "openid profile"], { env: home.env });
    assert.equal(result.code, 4);
    assert.match(
      result.stderr,
      /stored tokens are for scope "openid", this run asks for "openid profile"\) and no terminal to log in from: run "clauth login --profile dev --scope 'openid profile'"/,
    );
  });
});
