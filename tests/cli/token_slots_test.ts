import assert from "node:assert/strict";
import { approveDeviceCode } from "../../dev/device_approval.ts";
import { makeCliHome, runClauth, startClauth } from "../helpers/cli.ts";
import { introspect, QUICK_POLL, withProvider } from "../helpers/dev_provider.ts";

/** A clean home, and demo-service's settings in the environment only (no config). */
async function serviceEnv(issuer: string): Promise<Record<string, string>> {
  return {
    ...(await makeCliHome()).env,
    CLAUTH_ISSUER: issuer,
    CLAUTH_CLIENT_ID: "demo-service",
    CLAUTH_CLIENT_SECRET: "demo-service-secret",
  };
}

const COMPLETE_URI = /Or open this address, which already holds the code:\n {2}(\S+)\n/;

Deno.test("the README's quick start in order: client credentials with other flags never replace a person's login", async () => {
  await withProvider({ deviceInterval: QUICK_POLL, autoApprove: true }, async (idp) => {
    const home = await makeCliHome();
    const user = ["--issuer", idp.issuer, "--client-id", "demo-cli"];
    const login = startClauth(
      ["login", "--flow", "device", ...user, "--scope", "openid offline_access"],
      { env: home.env },
    );
    await approveDeviceCode((await login.waitForStderr(COMPLETE_URI))[1]!);
    assert.equal((await login.result()).code, 0);
    const person = (await runClauth(["token"], { env: home.env })).stdout;

    // No --profile: the same "default" profile, other settings.
    const service = await runClauth(
      [
        "token",
        "--flow",
        "client-credentials",
        "--issuer",
        idp.issuer,
        "--client-id",
        "demo-service",
      ],
      { env: { ...home.env, CLAUTH_CLIENT_SECRET: "demo-service-secret" } },
    );
    assert.equal(service.code, 0, service.stderr);
    assert.notEqual(service.stdout, person);

    // The person's login is still there, refresh token and all, and still works.
    const again = await runClauth(["token", "--flow", "device", ...user], { env: home.env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, person, "served from its own slot, untouched");
    const refreshed = await runClauth(
      ["token", "--flow", "device", ...user, "--force-refresh"],
      { env: home.env },
    );
    assert.equal(refreshed.code, 0, refreshed.stderr);
    assert.equal((await introspect(idp, refreshed.stdout.trim())).body.sub, "alice");

    const status = JSON.parse((await runClauth(["status", "--json"], { env: home.env })).stdout);
    assert.deepEqual(
      status[0].slots.map((slot: { client_id: string; grant: string }) =>
        `${slot.client_id} ${slot.grant}`
      ),
      ["demo-cli user", "demo-service client-credentials"],
    );
    const human = (await runClauth(["status"], { env: home.env })).stdout;
    assert.match(human, /slots \(2, one per set of settings\):/);

    // Logout revokes every slot and removes them all. The secret goes only to the client it
    // is given for (the settings the command resolves); the person's slot needs none.
    const logout = await runClauth([
      "logout",
      "--issuer",
      idp.issuer,
      "--client-id",
      "demo-service",
    ], {
      env: { ...home.env, CLAUTH_CLIENT_SECRET: "demo-service-secret" },
    });
    assert.equal(logout.code, 0, logout.stderr);
    assert.equal((await introspect(idp, refreshed.stdout.trim())).body.active, false);
    assert.equal((await introspect(idp, service.stdout.trim())).body.active, false);
    // The login's flags were saved as the profile (issue 17): it outlives the logout, empty.
    const after = JSON.parse((await runClauth(["status", "--json"], { env: home.env })).stdout);
    assert.deepEqual(
      after.map((s: { profile: string; configured: boolean; logged_in: boolean; slots: [] }) => [
        s.profile,
        s.configured,
        s.logged_in,
        s.slots.length,
      ]),
      [["default", true, false, 0]],
    );
  });
});

Deno.test("a flow not given is the one the profile remembers (CLAUTH_ISSUER, CLAUTH_CLIENT_ID exported)", async () => {
  await withProvider({}, async (idp) => {
    const env = await serviceEnv(idp.issuer);
    const first = await runClauth(["token", "--flow", "client-credentials"], { env });
    assert.equal(first.code, 0, first.stderr);
    const second = await runClauth(["token"], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, first.stdout, "the remembered flow finds the cached token");
    assert.equal(idp.counts.client_credentials, 1);
    const status = JSON.parse((await runClauth(["status", "--json"], { env })).stdout);
    assert.equal(status[0].flow, "client-credentials");
  });
});

Deno.test("clauth token honours an explicit --min-ttl, and warns when even a new token is shorter", async () => {
  // 15-minute tokens; a job that needs 10 minutes asks for --min-ttl 600.
  await withProvider({ accessTokenTtl: 900 }, async (idp) => {
    const env = { ...await serviceEnv(idp.issuer), CLAUTH_FLOW: "client-credentials" };
    const start = Date.now();
    const first = await runClauth(["token"], { env, now: start });
    // Six minutes later, 9 minutes are left: more than the default asks, less than 600 s.
    const later = start + 360_000;
    const cached = await runClauth(["token"], { env, now: later });
    assert.equal(cached.stdout, first.stdout);
    const renewed = await runClauth(["token", "--min-ttl", "600"], { env, now: later });
    assert.equal(renewed.code, 0, renewed.stderr);
    assert.notEqual(renewed.stdout, first.stdout, "not capped at half the lifetime (7.5 min)");
    assert.doesNotMatch(renewed.stderr, /Warning/);
    assert.equal(idp.counts.client_credentials, 2);

    // 20 minutes cannot be had from 15-minute tokens: the newest one, with a warning, exit 0.
    const short = await runClauth(["token", "--min-ttl", "1200"], { env, now: later });
    assert.equal(short.code, 0, short.stderr);
    assert.match(short.stdout, /^\S+\n$/);
    assert.match(
      short.stderr,
      /^Warning: the server's newest token has 900 s left, less than the 1200 s asked for/m,
    );
  });
});
