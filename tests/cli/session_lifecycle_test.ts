import assert from "node:assert/strict";
import {
  type CliHome,
  FAKE_BROWSER,
  profileHome,
  readSlot,
  runClauth,
  runClauthProcess,
  startClauth,
} from "../helpers/cli.ts";
import { introspect, serviceHome, withProvider } from "../helpers/dev_provider.ts";
import { freePort } from "../helpers/ports.ts";

/** A profile "me" for alice, logged in through the browser flow (scripted browser). */
async function loggedIn(issuer: string, extra: Record<string, string> = {}) {
  const scope = "openid offline_access api:read";
  const profile = { issuer, client_id: "demo-cli", flow: "browser", scope, ...extra };
  const home = await profileHome("me", profile, { BROWSER: FAKE_BROWSER });
  const { env } = home;
  const login = await runClauth(["login"], { env });
  assert.equal(login.code, 0, login.stderr);
  return { ...home, env, tokenFile: `${home.stateDir}/tokens/me.json` };
}

async function expireAccessToken(tokenFile: string): Promise<Record<string, unknown>> {
  const stored = await readSlot(tokenFile);
  const now = Math.floor(Date.now() / 1000);
  stored.obtained_at = now - 3600;
  stored.expires_at = now - 10;
  await Deno.writeTextFile(tokenFile, JSON.stringify({ slots: [stored] }));
  return stored;
}

Deno.test("24 concurrent clauth token calls with an expired token refresh exactly once and all print the new token", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await loggedIn(idp.issuer);
    const old = await expireAccessToken(home.tokenFile);
    // Processes: the lock must hold across them, as for scripts running clauth in parallel.
    const results = await Promise.all(
      Array.from({ length: 24 }, () => runClauthProcess(["token"], { env: home.env })),
    );
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const tokens = new Set(results.map((r) => r.stdout));
    assert.equal(tokens.size, 1, "all print the same token");
    const [token] = [...tokens];
    assert.notEqual(token!.trim(), old.access_token);
    assert.equal(idp.counts.refresh_token, 1, "the provider saw exactly one refresh");
    // Rotation with reuse detection: a second use of the old refresh token would have killed
    // the grant. It is alive: the rotated refresh token still works.
    const again = await runClauth(["token", "--force-refresh"], { env: home.env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(idp.counts.refresh_token, 2);
    assert.equal((await introspect(idp, again.stdout.trim())).body.active, true);
  });
});

Deno.test("clauth token answers from the cache with the server gone (no network on the cached path)", async () => {
  let home: Awaited<ReturnType<typeof loggedIn>> | undefined;
  let token = "";
  await withProvider({ autoApprove: true }, async (idp) => {
    home = await loggedIn(idp.issuer);
    token = (await runClauth(["token"], { env: home.env })).stdout;
  });
  const offline = await runClauth(["token", "--verbose"], { env: home!.env });
  assert.equal(offline.code, 0, offline.stderr);
  assert.equal(offline.stdout, token);
});

Deno.test("clauth logout revokes at the server, then deletes the local tokens", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await loggedIn(idp.issuer);
    const stored = await readSlot(home.tokenFile);
    const result = await runClauth(["logout"], { env: home.env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Revoked the tokens of profile "me"/);
    assert.equal((await introspect(idp, stored.access_token)).body.active, false);
    assert.equal((await introspect(idp, stored.refresh_token)).body.active, false);
    await assert.rejects(Deno.stat(home.tokenFile), Deno.errors.NotFound);
    const token = await runClauth(["token"], { env: home.env });
    assert.equal(token.code, 4);
  });
});

Deno.test("clauth logout --no-revoke only deletes locally; --all covers every profile", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await loggedIn(idp.issuer);
    const stored = await readSlot(home.tokenFile);
    const result = await runClauth(["logout", "--all", "--no-revoke"], { env: home.env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Logged out of profile "me"/);
    assert.equal((await introspect(idp, stored.access_token)).body.active, true);
    await assert.rejects(Deno.stat(home.tokenFile), Deno.errors.NotFound);
  });
});

Deno.test("clauth logout reports a failed revocation (exit 1) and still deletes the local tokens", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const port = freePort();
    const home = await loggedIn(idp.issuer, {
      revocation_endpoint: `http://127.0.0.1:${port}/revoke`,
    });
    const result = await runClauth(["logout"], { env: home.env });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /local tokens were deleted, but revoking them at the server failed: me: Cannot reach/,
    );
    await assert.rejects(Deno.stat(home.tokenFile), Deno.errors.NotFound);
  });
});

Deno.test("a revoked grant makes clauth token clear the dead tokens and exit 4", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await loggedIn(idp.issuer);
    const stored = await expireAccessToken(home.tokenFile);
    const revoke = await fetch(`${idp.issuer}/token/revocation`, {
      method: "POST",
      body: new URLSearchParams({ token: String(stored.refresh_token), client_id: "demo-cli" }),
    });
    assert.equal(revoke.status, 200);
    const result = await runClauth(["token"], { env: home.env });
    assert.equal(result.code, 4);
    assert.match(
      result.stderr,
      /invalid_grant.*The stored tokens were removed; run "clauth login --profile me"/,
    );
    await assert.rejects(Deno.stat(home.tokenFile), Deno.errors.NotFound);
  });
});

Deno.test("a damaged token file is named, shown by status, and kept aside by the next login", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await loggedIn(idp.issuer);
    await Deno.writeTextFile(home.tokenFile, '{"access_token": "half-written');

    const token = await runClauth(["token"], { env: home.env });
    assert.equal(token.code, 1);
    assert.match(token.stderr, /token file .*me\.json is damaged \(not valid JSON/);
    const status = await runClauth(["status", "--json"], { env: home.env });
    assert.match(JSON.parse(status.stdout)[0].problem, /damaged/);

    const login = await runClauth(["login"], { env: home.env });
    assert.equal(login.code, 0, login.stderr);
    const aside = [...Deno.readDirSync(`${home.stateDir}/tokens`)].filter((e) =>
      e.name.includes(".damaged-")
    );
    assert.equal(aside.length, 1);
    assert.equal(
      await Deno.readTextFile(`${home.stateDir}/tokens/${aside[0]!.name}`),
      '{"access_token": "half-written',
    );
  });
});

Deno.test("a damaged token file of a client-credentials profile is kept aside and replaced", async () => {
  await withProvider({}, async (idp) => {
    const home: CliHome = await serviceHome(idp.issuer);
    await Deno.mkdir(`${home.stateDir}/tokens`, { recursive: true });
    await Deno.writeTextFile(`${home.stateDir}/tokens/ci.json`, '{"access_token": "half-written');
    const token = await runClauth(["token"], { env: home.env });
    assert.equal(token.code, 0, token.stderr);
    assert.match(token.stdout, /^\S{20,}\n$/);
    const aside = [...Deno.readDirSync(`${home.stateDir}/tokens`)].filter((e) =>
      e.name.includes(".damaged-")
    );
    assert.equal(aside.length, 1, "the damaged file is kept, not deleted");
  });
});

Deno.test("clauth status shows profiles, expiry and refresh tokens but never a token", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await loggedIn(idp.issuer);
    const stored = await readSlot(home.tokenFile);
    const json = await runClauth(["status", "--json"], { env: home.env });
    assert.equal(json.code, 0, json.stderr);
    const [me] = JSON.parse(json.stdout);
    assert.equal(me.profile, "me");
    assert.equal(me.logged_in, true);
    assert.equal(me.has_refresh_token, true);
    assert.equal(me.flow, "browser");
    assert.equal(me.expires_at, stored.expires_at);
    const human = await runClauth(["status"], { env: home.env });
    assert.match(human.stdout, /^me \(default\)\n {2}issuer: {2}http:\/\/127\.0\.0\.1:\d+\n/);
    assert.equal(me.default, true);
    for (const output of [json.stdout, human.stdout]) {
      for (const secret of [stored.access_token, stored.refresh_token, stored.id_token]) {
        assert.ok(!output.includes(secret), "no token in status output");
      }
    }
  });
});

Deno.test("clauth logout accepts a server that declines to revoke access tokens (RFC 7009 2.2.1)", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const hints: string[] = [];
    const revocation = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      async (request) => {
        const hint = new URLSearchParams(await request.text()).get("token_type_hint") ?? "";
        hints.push(hint);
        return hint === "access_token"
          ? Response.json({ error: "unsupported_token_type" }, { status: 400 })
          : new Response(null, { status: 200 });
      },
    );
    try {
      const home = await loggedIn(idp.issuer, {
        revocation_endpoint: `http://127.0.0.1:${revocation.addr.port}/revoke`,
      });
      const result = await runClauth(["logout"], { env: home.env });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(hints, ["refresh_token", "access_token"]);
      await assert.rejects(Deno.stat(home.tokenFile), Deno.errors.NotFound);
    } finally {
      await revocation.shutdown();
    }
  });
});

Deno.test("clauth token waiting for another process's lock says so, and stops at once on Ctrl-C", async () => {
  await withProvider({}, async (idp) => {
    const home = await serviceHome(idp.issuer);
    assert.equal((await runClauth(["token"], { env: home.env })).code, 0);
    // Another process (this test) holds the profile's lock, as during a long login.
    const lock = await Deno.open(`${home.stateDir}/tokens/ci.lock`, { write: true, create: true });
    await lock.lock(true);
    try {
      const waiting = startClauth(["token", "--force-refresh"], { env: home.env });
      await waiting.waitForStderr(/Waiting for another clauth process using profile "ci"/);
      const started = Date.now();
      waiting.kill("SIGINT");
      const interrupted = await waiting.result();
      assert.equal(interrupted.code, 130);
      // The lock is never released before this: any answer at all shows Ctrl-C did not wait.
      assert.ok(Date.now() - started < 10_000, "Ctrl-C does not wait for the lock");

      const patient = startClauth(["token", "--force-refresh"], { env: home.env });
      await patient.waitForStderr(/Waiting for another clauth process/);
      lock.close(); // releases the lock: the waiting process goes on
      const result = await patient.result();
      assert.equal(result.code, 0, result.stderr);
      assert.equal(idp.counts.client_credentials, 2);
    } finally {
      try {
        lock.close();
      } catch {
        // already closed
      }
    }
  });
});

Deno.test("clauth logout of a misspelled profile is an error, not a silent success", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await loggedIn(idp.issuer);
    const result = await runClauth(["logout", "--profile", "mee"], { env: home.env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Unknown profile "mee": .*profiles with tokens: "me"/);
    assert.ok((await Deno.stat(home.tokenFile)).isFile, "nothing was deleted");
    await assert.rejects(Deno.stat(`${home.stateDir}/tokens/mee.lock`), Deno.errors.NotFound);
  });
});
