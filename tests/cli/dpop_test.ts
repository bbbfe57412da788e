/**
 * DPoP (RFC 9449) through the CLI against the dev provider, whose client demo-dpop accepts
 * DPoP-bound tokens only: a login with --dpop (device and browser) stores the tokens with
 * their key, and refresh, whoami, inspect, exchange and logout each prove possession of it.
 */

import assert from "node:assert/strict";
import { approveDeviceCode } from "../../dev/device_approval.ts";
import { FAKE_BROWSER, profileHome, readSlot, runClauth, startClauth } from "../helpers/cli.ts";
import { introspect, QUICK_POLL, withProvider } from "../helpers/dev_provider.ts";

const COMPLETE_URI = /Or open this address, which already holds the code:\n {2}(\S+)\n/;
const SCOPE = "openid profile offline_access api:read";

/** A profile "dev" for demo-dpop, logged in with `clauth login --dpop` (device flow). */
async function dpopLogin(issuer: string, extra: string[] = []) {
  const home = await profileHome("dev", {
    issuer,
    client_id: "demo-dpop",
    flow: "device",
    scope: SCOPE,
  });
  const login = startClauth(["login", "--dpop", ...extra], { env: home.env });
  const [, complete] = await login.waitForStderr(COMPLETE_URI);
  await approveDeviceCode(complete!);
  const result = await login.result();
  assert.equal(result.code, 0, result.stderr);
  return { home, tokenFile: `${home.stateDir}/tokens/dev.json` };
}

Deno.test("clauth login --dpop (device flow): DPoP-bound tokens and their key; refresh, whoami and inspect prove possession of it", async () => {
  await withProvider({ deviceInterval: QUICK_POLL, autoApprove: true }, async (idp) => {
    const { home, tokenFile } = await dpopLogin(idp.issuer);
    const stored = await readSlot(tokenFile);
    assert.equal(stored.token_type, "dpop");
    assert.equal(stored.dpop, true);
    assert.equal(stored.dpop_key.alg, "ES256");
    const info = await introspect(idp, stored.access_token);
    assert.deepEqual(info.body.cnf, { jkt: stored.dpop_key.jkt });

    // The refresh token of a public client is bound too: only a proof renews it.
    const refreshed = await runClauth(["token", "--force-refresh", "--output", "json"], {
      env: home.env,
    });
    assert.equal(refreshed.code, 0, refreshed.stderr);
    assert.equal(JSON.parse(refreshed.stdout).token_type, "dpop");
    assert.ok(!refreshed.stdout.includes(stored.dpop_key.jwk.d), "the key is never printed");
    const after = await readSlot(tokenFile);
    assert.notEqual(after.access_token, stored.access_token);
    assert.equal(after.dpop_key.jkt, stored.dpop_key.jkt, "a refresh keeps the key");

    const whoami = await runClauth(["whoami", "--json"], { env: home.env });
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.equal(JSON.parse(whoami.stdout).userinfo.sub, "alice", "userinfo took the proof");

    const inspect = await runClauth(["inspect", "--json"], { env: home.env });
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.equal(JSON.parse(inspect.stdout).token_type, "DPoP");
  });
});

Deno.test("clauth exchange and logout with DPoP: the exchanged token is bound to the profile's key; logout revokes with a proof", async () => {
  await withProvider({ deviceInterval: QUICK_POLL, autoApprove: true }, async (idp) => {
    const { home, tokenFile } = await dpopLogin(idp.issuer);
    const stored = await readSlot(tokenFile);
    const exchanged = await runClauth(["exchange", "--scope", "api:read", "--output", "json"], {
      env: home.env,
    });
    assert.equal(exchanged.code, 0, exchanged.stderr);
    const token = JSON.parse(exchanged.stdout);
    assert.equal(token.token_type, "dpop");
    const info = await introspect(idp, token.access_token);
    assert.deepEqual(info.body.cnf, { jkt: stored.dpop_key.jkt });

    const logout = await runClauth(["logout"], { env: home.env });
    assert.equal(logout.code, 0, logout.stderr);
    assert.equal((await introspect(idp, stored.refresh_token)).body.active, false);
  });
});

Deno.test("clauth login --dpop in the browser sends dpop_jkt (RFC 9449 §10) and stores DPoP-bound tokens", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await profileHome("web", {
      issuer: idp.issuer,
      client_id: "demo-dpop",
      flow: "browser",
      scope: SCOPE,
    }, { BROWSER: FAKE_BROWSER });
    const result = await runClauth(["login", "--dpop", "--no-par"], { env: home.env });
    assert.equal(result.code, 0, result.stderr);
    const url = new URL(result.stderr.match(/If it does not open, visit:\n {2}(\S+)\n/)![1]!);
    const stored = await readSlot(`${home.stateDir}/tokens/web.json`);
    assert.equal(url.searchParams.get("dpop_jkt"), stored.dpop_key.jkt);
    assert.equal(stored.token_type, "dpop");
  });
});

Deno.test("a token endpoint that asks for a DPoP nonce gets one retry with it, on login and on refresh", async () => {
  await withProvider(
    { deviceInterval: QUICK_POLL, autoApprove: true, dpopNonce: true },
    async (idp) => {
      // Every first proof is answered use_dpop_nonce: the login went through all the same.
      const { home } = await dpopLogin(idp.issuer);
      const refreshed = await runClauth(["token", "--force-refresh"], { env: home.env });
      assert.equal(refreshed.code, 0, refreshed.stderr);
      assert.equal(idp.counts["refresh_token"], 2, "use_dpop_nonce, then the retry");
    },
  );
});

Deno.test("clauth proof and clauth token --output header --method --url give headers the API accepts", async () => {
  const { startResourceServer } = await import("../helpers/resource_server.ts");
  await withProvider({ deviceInterval: QUICK_POLL, autoApprove: true }, async (idp) => {
    const api = await startResourceServer({ issuer: idp.issuer });
    try {
      const { home, tokenFile } = await dpopLogin(idp.issuer);
      const { access_token } = await readSlot(tokenFile);
      const url = `${api.url}/me`;
      const pair = await runClauth(
        ["token", "--output", "header", "--method", "GET", "--url", url],
        {
          env: home.env,
        },
      );
      assert.equal(pair.code, 0, pair.stderr);
      const headers = Object.fromEntries(
        pair.stdout.trim().split("\n").map((
          line,
        ) => [line.split(": ")[0]!, line.slice(line.indexOf(": ") + 2)]),
      );
      assert.equal(headers.Authorization, `DPoP ${access_token}`);
      assert.equal((await fetch(url, { headers })).status, 200);

      const proof = await runClauth(["proof", "--method", "GET", "--url", url], { env: home.env });
      assert.equal(proof.code, 0, proof.stderr);
      const answer = await fetch(url, {
        headers: { authorization: `DPoP ${access_token}`, dpop: proof.stdout.trim() },
      });
      assert.equal(answer.status, 200);
      // Used once: the same proof again is a replay.
      const again = await fetch(url, {
        headers: { authorization: `DPoP ${access_token}`, dpop: proof.stdout.trim() },
      });
      assert.equal(again.status, 401);

      const bare = await runClauth(["token", "--output", "header"], { env: home.env });
      assert.equal(bare.code, 2);
      assert.match(bare.stderr, /Add --method METHOD --url URL/);
    } finally {
      await api.close();
    }
  });
});

Deno.test("client credentials with DPoP: a new login makes a new key; a renewal keeps the slot's key", async () => {
  await withProvider({}, async (idp) => {
    const home = await profileHome("ci", {
      issuer: idp.issuer,
      client_id: "demo-service",
      flow: "client-credentials",
      dpop: true,
    }, { CLAUTH_CLIENT_SECRET: "demo-service-secret" });
    const file = `${home.stateDir}/tokens/ci.json`;
    const jkt = async () => (await readSlot(file)).dpop_key.jkt as string;
    assert.equal((await runClauth(["login"], { env: home.env })).code, 0);
    const first = await jkt();
    assert.equal((await runClauth(["token", "--force-refresh"], { env: home.env })).code, 0);
    assert.equal(await jkt(), first, "a renewal keeps the key");
    assert.equal((await runClauth(["login"], { env: home.env })).code, 0);
    assert.notEqual(await jkt(), first, "a new login rotates it");
  });
});
