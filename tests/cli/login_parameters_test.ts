/**
 * What a login asks the server for besides scope: PAR for a client that requires it, the
 * audience and resources that end up in the token (and in the slot's identity), and the
 * advice when a server's refusal names DPoP or PAR.
 */

import assert from "node:assert/strict";
import { approveDeviceCode } from "../../dev/device_approval.ts";
import { decodeJwt } from "../../flows/tokens/jwt.ts";
import { FAKE_BROWSER, profileHome, readSlot, runClauth, startClauth } from "../helpers/cli.ts";
import { QUICK_POLL, withProvider } from "../helpers/dev_provider.ts";

const API = "https://api.example.com/";

Deno.test("demo-par requires PAR: clauth logs in (PAR is used when offered); with --no-par the refusal says to turn it on", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await profileHome("par", {
      issuer: idp.issuer,
      client_id: "demo-par",
      flow: "browser",
      scope: "openid",
    }, { BROWSER: FAKE_BROWSER });
    const ok = await runClauth(["login"], { env: home.env });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(idp.counts.pushed_authorization_request, 1);

    const refused = await runClauth(["login", "--no-par"], { env: home.env });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Pushed Authorization Request must be used/);
    assert.match(refused.stderr, /Push the authorization request first: log in with --par/);
  });
});

Deno.test("clauth login --resource and --audience reach the server and end up in the token's aud; each gets its own slot", async () => {
  await withProvider({ deviceInterval: QUICK_POLL, autoApprove: true }, async (idp) => {
    const home = await profileHome("dev", {
      issuer: idp.issuer,
      client_id: "demo-cli",
      flow: "device",
      scope: "api:read offline_access",
    });
    const login = async (args: string[]) => {
      const run = startClauth(["login", ...args], { env: home.env });
      const [, uri] = await run.waitForStderr(/which already holds the code:\n {2}(\S+)\n/);
      await approveDeviceCode(uri!);
      const result = await run.result();
      assert.equal(result.code, 0, result.stderr);
    };
    await login(["--resource", API]);
    const token = await runClauth(["token"], { env: home.env });
    assert.equal(token.code, 0, token.stderr);
    assert.equal(decodeJwt(token.stdout.trim()).claims.aud, API);

    const other = "https://orders.example.com/";
    await login(["--audience", other]);
    const { slots } = JSON.parse(await Deno.readTextFile(`${home.stateDir}/tokens/dev.json`));
    assert.deepEqual(
      slots.map((s: { resource?: string; audience?: string }) => [s.resource, s.audience]),
      [
        [API, undefined],
        [undefined, other],
      ],
    );
    assert.equal(decodeJwt(slots[1].access_token).claims.aud, other);
    // The last login's audience is what `clauth token` now serves.
    const latest = await runClauth(["token"], { env: home.env });
    assert.equal(latest.stdout.trim(), slots[1].access_token);
    assert.equal((await readSlot(`${home.stateDir}/tokens/dev.json`)).resource, API);
  });
});

Deno.test("a server that says it wants DPoP proofs gets advice to turn DPoP on (exit 1)", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const issuer = new URL(request.url).origin;
    if (new URL(request.url).pathname === "/.well-known/openid-configuration") {
      return Response.json({ issuer, token_endpoint: `${issuer}/token` });
    }
    // Keycloak's answer for a client that requires DPoP-bound tokens.
    return Response.json(
      { error: "invalid_request", error_description: "DPoP proof is missing" },
      { status: 400 },
    );
  });
  try {
    const issuer = `http://127.0.0.1:${server.addr.port}`;
    const home = await profileHome("ci", {
      issuer,
      client_id: "kc-service",
      flow: "client-credentials",
    }, { CLAUTH_CLIENT_SECRET: "s3cret" });
    const result = await runClauth(["token"], { env: home.env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /DPoP proof is missing/);
    assert.match(result.stderr, /Turn DPoP on for this profile: log in again with --dpop/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("clauth proof with Bearer tokens is a usage error; bad login parameters are refused before any request", async () => {
  await withProvider({}, async (idp) => {
    const home = await profileHome("ci", {
      issuer: idp.issuer,
      client_id: "demo-service",
      flow: "client-credentials",
    }, { CLAUTH_CLIENT_SECRET: "demo-service-secret" });
    const proof = await runClauth([
      "proof",
      "--method",
      "GET",
      "--url",
      "https://api.example.com/x",
    ], {
      env: home.env,
    });
    assert.equal(proof.code, 2);
    assert.match(proof.stderr, /is a Bearer token: it needs no DPoP proof/);

    const param = await runClauth(["login", "--auth-param", "novalue"], { env: home.env });
    assert.equal(param.code, 2);
    assert.match(param.stderr, /--auth-param takes name=value/);
    const token = idp.counts.client_credentials;
    assert.equal(token, 1, "only the proof command's token request");
  });
});
