import assert from "node:assert/strict";
import { makeCliHome, runClauth, runClauthProcess } from "../helpers/cli.ts";
import { introspect, serviceHome, withProvider } from "../helpers/dev_provider.ts";

const SECRET = "demo-service-secret";

const ciHome = (issuer: string) => serviceHome(issuer, { scope: "api:read" });

Deno.test("clauth token prints a working client-credentials token, then serves it from the cache", async () => {
  await withProvider({}, async (idp) => {
    const home = await ciHome(idp.issuer);
    const first = await runClauth(["token"], { env: home.env });
    assert.equal(first.code, 0, first.stderr);
    const token = first.stdout.trim();
    assert.equal(first.stdout, `${token}\n`, "stdout carries the token only");
    assert.equal(first.stderr, "");
    const info = await introspect(idp, token);
    assert.equal(info.body.active, true);
    assert.equal(info.body.scope, "api:read");
    assert.equal(idp.counts.client_credentials, 1);

    const second = await runClauth(["token"], { env: home.env });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout.trim(), token);
    assert.equal(idp.counts.client_credentials, 1, "served from the cache");
    assert.equal(idp.counts.discovery, 1);

    const forced = await runClauth(["token", "--force-refresh"], { env: home.env });
    assert.equal(forced.code, 0, forced.stderr);
    assert.notEqual(forced.stdout.trim(), token);
    assert.equal(idp.counts.client_credentials, 2);
    assert.equal(idp.counts.discovery, 1, "discovery is cached across runs");
    // The secret never appears in what clauth stores or prints.
    const stored = await Deno.readTextFile(`${home.stateDir}/tokens/ci.json`);
    assert.doesNotMatch(stored + forced.stderr, new RegExp(SECRET));
  });
});

Deno.test("clauth token fetches a new token once the cached one nears expiry", async () => {
  await withProvider({ accessTokenTtl: 4 }, async (idp) => {
    const home = await ciHome(idp.issuer);
    const start = Date.now();
    const first = await runClauth(["token"], { env: home.env, now: start });
    assert.equal(first.code, 0, first.stderr);
    // 4 s lifetime: the default minimum (30 s) is capped at 2 s, so 3 s later by clauth's
    // clock (1 s left) the token is stale; 1 s later it was still fresh.
    const fresh = await runClauth(["token"], { env: home.env, now: start + 1_000 });
    assert.equal(fresh.stdout, first.stdout);
    const second = await runClauth(["token"], { env: home.env, now: start + 3_000 });
    assert.equal(second.code, 0, second.stderr);
    assert.notEqual(second.stdout, first.stdout);
    assert.equal(idp.counts.client_credentials, 2);
  });
});

Deno.test("clauth token --output formats the token for headers, JSON, kubectl and git", async () => {
  await withProvider({}, async (idp) => {
    const home = await ciHome(idp.issuer);
    const raw = (await runClauth(["token"], { env: home.env })).stdout.trim();
    const run = async (format: string) =>
      (await runClauth(["token", "--output", format], { env: home.env })).stdout;
    assert.equal(await run("header"), `Authorization: Bearer ${raw}\n`);
    const json = JSON.parse(await run("json"));
    assert.equal(json.access_token, raw);
    assert.equal(json.scope, "api:read");
    assert.match(json.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const k8s = JSON.parse(await run("k8s"));
    assert.equal(k8s.kind, "ExecCredential");
    assert.equal(k8s.status.token, raw);
    assert.match(
      await run("git"),
      new RegExp(`^username=oauth2\npassword=${raw}\npassword_expiry_utc=\\d+\n$`),
    );
    assert.equal(await run("env"), `export CLAUTH_ACCESS_TOKEN='${raw}'\n`);
    assert.equal(idp.counts.client_credentials, 1);
  });
});

Deno.test("clauth login with a wrong client secret exits 2 with invalid_client and keeps stored tokens", async () => {
  await withProvider({}, async (idp) => {
    const home = await ciHome(idp.issuer);
    assert.equal((await runClauth(["login"], { env: home.env })).code, 0);
    const before = await Deno.readTextFile(`${home.stateDir}/tokens/ci.json`);
    const result = await runClauth(["login"], {
      env: { ...home.env, CLAUTH_CLIENT_SECRET: "wrong-secret" },
    });
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /refused the request: invalid_client.*Check the client id and secret/,
    );
    assert.doesNotMatch(result.stderr, /wrong-secret|\n\s+at /);
    assert.equal(await Deno.readTextFile(`${home.stateDir}/tokens/ci.json`), before);
  });
});

Deno.test("clauth reads the client secret from --client-secret-file, never from argv", async () => {
  await withProvider({}, async (idp) => {
    const home = await ciHome(idp.issuer);
    const secretFile = `${home.configDir}/secret`;
    await Deno.writeTextFile(secretFile, `${SECRET}\n`);
    const { CLAUTH_CLIENT_SECRET: _, ...env } = home.env;
    const result = await runClauth(["token", "--client-secret-file", secretFile], { env });
    assert.equal(result.code, 0, result.stderr);
    const missing = await runClauth([
      "token",
      "--force-refresh",
      "--client-secret-file",
      `${secretFile}.nope`,
    ], { env });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Cannot read the client secret file .*secret\.nope/);
  });
});

Deno.test("clauth sends its requests through HTTP_PROXY unless NO_PROXY says otherwise", async () => {
  await withProvider({}, async (idp) => {
    const seen: string[] = [];
    // A forwarding proxy for plain http: requests arrive in absolute form.
    const proxy = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
      seen.push(new URL(request.url).pathname);
      const upstream = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: "manual",
      });
      return new Response(upstream.body, { status: upstream.status, headers: upstream.headers });
    });
    try {
      const home = await ciHome(idp.issuer);
      const proxyUrl = `http://127.0.0.1:${proxy.addr.port}`;
      // Subprocesses: Deno's fetch reads the proxy settings from the process environment.
      const viaProxy = await runClauthProcess(["login"], {
        env: { ...home.env, HTTP_PROXY: proxyUrl },
      });
      assert.equal(viaProxy.code, 0, viaProxy.stderr);
      assert.ok(seen.includes("/token"), `proxy saw ${seen}`);
      seen.length = 0;
      const bypass = await runClauthProcess(["login"], {
        env: { ...home.env, HTTP_PROXY: proxyUrl, NO_PROXY: "127.0.0.1" },
      });
      assert.equal(bypass.code, 0, bypass.stderr);
      assert.deepEqual(seen, []);
    } finally {
      await proxy.shutdown();
    }
  });
});

Deno.test("empty CLAUTH_ variables count as unset, on the cached path and the full one alike", async () => {
  await withProvider({}, async (idp) => {
    const home = await ciHome(idp.issuer);
    const env = {
      ...home.env,
      CLAUTH_ISSUER: "",
      CLAUTH_CLIENT_ID: "",
      CLAUTH_SCOPE: "",
      CLAUTH_FLOW: "",
      CLAUTH_TIMEOUT: "",
    };
    const first = await runClauth(["token"], { env });
    assert.equal(first.code, 0, first.stderr);
    const second = await runClauth(["token"], { env });
    assert.equal(second.stdout, first.stdout);
    assert.equal(idp.counts.client_credentials, 1, "the profile's scope binds both paths");
  });
});

Deno.test("clauth refuses a timeout that is zero, too large for a timer, or not a number", async () => {
  await withProvider({}, async (idp) => {
    const home = await ciHome(idp.issuer);
    assert.equal((await runClauth(["token"], { env: home.env })).code, 0);
    for (const args of [["--timeout", "0"], ["--timeout", "99999999999"], ["--timeout", "abc"]]) {
      // With a cached token too: the cached path must not accept what the full one refuses.
      const result = await runClauth(["token", ...args], { env: home.env });
      assert.equal(result.code, 2, args.join(" "));
      assert.equal(result.stdout, "");
    }
    const fromEnv = await runClauth(["token", "--force-refresh"], {
      env: { ...home.env, CLAUTH_TIMEOUT: "0" },
    });
    assert.equal(fromEnv.code, 2);
    assert.match(fromEnv.stderr, /CLAUTH_TIMEOUT must be more than 0 and at most 2147483 seconds/);
  });
});

Deno.test("a relative client_secret_file in the config is found next to the config file", async () => {
  await withProvider({}, async (idp) => {
    const home = await makeCliHome();
    await Deno.writeTextFile(`${home.configDir}/ci.secret`, "demo-service-secret\n");
    await home.writeConfig({
      profiles: {
        ci: {
          issuer: idp.issuer,
          client_id: "demo-service",
          flow: "client-credentials",
          client_secret_file: "ci.secret",
        },
      },
    });
    const result = await runClauth(["token", "--profile", "ci"], { env: home.env });
    assert.equal(result.code, 0, result.stderr);
  });
});

Deno.test("a profile logged in with flags only is remembered: later commands need no flags", async () => {
  await withProvider({}, async (idp) => {
    const home = await makeCliHome();
    const env = { ...home.env, CLAUTH_CLIENT_SECRET: "demo-service-secret" };
    const flags = [
      "--issuer",
      idp.issuer,
      "--client-id",
      "demo-service",
      "--flow",
      "client-credentials",
    ];
    for (const profile of [[], ["--profile", "adhoc"]]) {
      const login = await runClauth(["login", ...profile, ...flags, "--scope", "api:read"], {
        env,
      });
      assert.equal(login.code, 0, login.stderr);
      const token = await runClauth(["token", ...profile], { env });
      assert.equal(token.code, 0, token.stderr);
      const forced = await runClauth(["token", "--force-refresh", ...profile], { env });
      assert.equal(forced.code, 0, forced.stderr);
    }
    assert.equal(
      idp.counts.client_credentials,
      4,
      "two logins, two forced renewals, no other fetch",
    );
  });
});

Deno.test("client credentials without a secret or key say what is missing before any request", async () => {
  await withProvider({}, async (idp) => {
    const home = await ciHome(idp.issuer);
    const { CLAUTH_CLIENT_SECRET: _, ...env } = home.env;
    const result = await runClauth(["login"], { env });
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /Client credentials need the client's secret or key, and profile "ci" has neither/,
    );
    assert.equal(idp.counts.client_credentials ?? 0, 0);
  });
});

Deno.test("clauth token: an explicit --output wins over --json; status --profile shows one profile", async () => {
  await withProvider({}, async (idp) => {
    const home = await ciHome(idp.issuer);
    const header = await runClauth(["token", "--json", "--output", "header"], { env: home.env });
    assert.match(header.stdout, /^Authorization: Bearer \S+\n$/);
    const json = await runClauth(["token", "--json"], { env: home.env });
    assert.equal(typeof JSON.parse(json.stdout).access_token, "string");
    await home.writeConfig({
      profiles: {
        ci: { issuer: idp.issuer, client_id: "demo-service", flow: "client-credentials" },
        other: { issuer: idp.issuer, client_id: "demo-cli" },
      },
    });
    const status = await runClauth(["status", "--json", "--profile", "other"], { env: home.env });
    assert.deepEqual(JSON.parse(status.stdout).map((s: { profile: string }) => s.profile), [
      "other",
    ]);
  });
});
