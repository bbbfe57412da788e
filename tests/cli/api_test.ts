/**
 * `clauth api` against a resource server that checks tokens (by introspection at the dev
 * provider) and DPoP proofs (tests/helpers/resource_server.ts): Bearer and DPoP, the refresh
 * and retry on invalid_token, the resource server's nonce, redirects, and bad input.
 */

import assert from "node:assert/strict";
import { readSlot, runClauth } from "../helpers/cli.ts";
import { serviceHome, withProvider } from "../helpers/dev_provider.ts";
import { type ResourceServer, startResourceServer } from "../helpers/resource_server.ts";

/** A provider, a resource server in front of it, and a client-credentials profile "ci". */
async function withApi(
  options: { requireNonce?: boolean },
  fn: (api: ResourceServer, env: Record<string, string>, stateDir: string) => Promise<void>,
): Promise<void> {
  await withProvider({}, async (idp) => {
    const api = await startResourceServer({ issuer: idp.issuer, ...options });
    try {
      const home = await serviceHome(idp.issuer, { scope: "api:read" });
      await fn(api, home.env, home.stateDir);
    } finally {
      await api.close();
    }
  });
}

Deno.test("clauth api sends the Bearer token and prints the answer as it came (exit 0)", async () => {
  await withApi({}, async (api, env) => {
    const result = await runClauth(["api", `${api.url}/me`], { env });
    assert.equal(result.code, 0, result.stderr);
    const body = JSON.parse(result.stdout);
    assert.equal(body.client_id, "demo-service");
    assert.equal(body.token_type, "Bearer");
    assert.deepEqual(api.requests.map((r) => [r.scheme, r.status]), [["Bearer", 200]]);
  });
});

Deno.test("clauth api with DPoP-bound tokens sends a fresh proof for each request, accepted by the API", async () => {
  await withApi({}, async (api, env, stateDir) => {
    const login = await runClauth(["login", "--dpop"], { env });
    assert.equal(login.code, 0, login.stderr);
    assert.equal((await readSlot(`${stateDir}/tokens/ci.json`)).token_type, "dpop");
    for (let i = 0; i < 2; i++) {
      const result = await runClauth(["api", `${api.url}/me`], { env });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(JSON.parse(result.stdout).token_type, "DPoP");
    }
    // Two proofs for the same URL: had they been one, the second would be a replay.
    assert.deepEqual(api.requests.map((r) => [r.scheme, r.proof, r.status]), [
      ["DPoP", "valid", 200],
      ["DPoP", "valid", 200],
    ]);
  });
});

Deno.test("clauth api answers the resource server's use_dpop_nonce with one retry carrying the nonce", async () => {
  await withApi({ requireNonce: true }, async (api, env) => {
    assert.equal((await runClauth(["login", "--dpop"], { env })).code, 0);
    const result = await runClauth(["api", `${api.url}/me`], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(api.requests.map((r) => r.status), [401, 200]);
  });
});

Deno.test("clauth api renews the token once when the API says it is invalid, and retries", async () => {
  await withApi({}, async (api, env, stateDir) => {
    assert.equal((await runClauth(["token"], { env })).code, 0);
    const before = (await readSlot(`${stateDir}/tokens/ci.json`)).access_token;
    api.refuse(before);
    const result = await runClauth(["api", `${api.url}/me`], { env });
    assert.equal(result.code, 0, result.stderr);
    const after = (await readSlot(`${stateDir}/tokens/ci.json`)).access_token;
    assert.notEqual(after, before, "a new token was fetched and stored");
    assert.deepEqual(api.requests.map((r) => r.status), [401, 200]);
  });
});

Deno.test("clauth api exits 1 on a non-2xx answer, still printing it; --include shows status and headers on stderr", async () => {
  await withApi({}, async (api, env) => {
    const result = await runClauth(["api", "--include", `${api.url}/status/503`], { env });
    assert.equal(result.code, 1);
    assert.notEqual(result.stdout, "");
    assert.match(result.stderr, /^HTTP 503 /m);
    assert.match(result.stderr, /^content-type: application\/json/m);
  });
});

Deno.test("clauth api sends --data (text, @file, stdin) with POST by default, and -H headers", async () => {
  await withApi({}, async (api, env, stateDir) => {
    const file = await Deno.makeTempFile({ dir: stateDir.replace(/\/state$/, ""), suffix: ".txt" });
    await Deno.writeTextFile(file, "from a file");
    for (
      const [data, stdin, expected] of [
        ['{"a":1}', undefined, { body: '{"a":1}', content_type: "application/json" }],
        [`@${file}`, undefined, { body: "from a file", content_type: "text/plain" }],
        ["-", "from stdin", { body: "from stdin", content_type: "text/x-custom" }],
      ] as const
    ) {
      const extra = data === "-" ? ["-H", "Content-Type: text/x-custom"] : [];
      const result = await runClauth(["api", `${api.url}/echo`, "--data", data, ...extra], {
        env,
        ...(stdin === undefined ? {} : { stdin }),
      });
      assert.equal(result.code, 0, result.stderr);
      const echoed = JSON.parse(result.stdout);
      assert.equal(echoed.method, "POST");
      assert.equal(echoed.body, expected.body);
      assert.equal(echoed.content_type, expected.content_type);
    }
  });
});

Deno.test("clauth api follows a redirect within the origin, and refuses one to another origin (the token stays home)", async () => {
  await withApi({}, async (api, env) => {
    const same = await runClauth(["api", `${api.url}/redirect-same?to=/me`], { env });
    assert.equal(same.code, 0, same.stderr);
    assert.equal(JSON.parse(same.stdout).client_id, "demo-service");

    const elsewhere = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
      throw new Error(`the token followed the redirect: ${request.headers.get("authorization")}`);
    });
    try {
      const other = `http://127.0.0.1:${elsewhere.addr.port}/steal`;
      const result = await runClauth(
        ["api", `${api.url}/redirect?to=${encodeURIComponent(other)}`],
        {
          env,
        },
      );
      assert.equal(result.code, 1);
      assert.match(result.stderr, /another origin: clauth does not follow it/);
    } finally {
      await elsewhere.shutdown();
    }
  });
});

Deno.test("clauth api refuses what it must not send: plain http off loopback, its own headers (exit 2)", async () => {
  await withApi({}, async (api, env) => {
    const http = await runClauth(["api", "http://api.example.com/me"], { env });
    assert.equal(http.code, 2);
    assert.match(http.stderr, /unencrypted/);
    const own = await runClauth(["api", `${api.url}/me`, "-H", "Authorization: Bearer x"], { env });
    assert.equal(own.code, 2);
    assert.match(own.stderr, /clauth sets the Authorization header itself/);
    assert.equal(api.requests.length, 0);
  });
});

Deno.test("clauth api pretty-prints JSON on a terminal, with escapes neutralised", async () => {
  await withApi({}, async (api, env) => {
    const result = await runClauth(["api", `${api.url}/echo`, "--data", '{"x":"\\u001b[31m"}'], {
      env,
      tty: { stdout: true },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^\{\n {2}"method": "POST",/);
    assert.ok(!result.stdout.includes("\x1b"), "no raw escape reaches the terminal");
  });
});
