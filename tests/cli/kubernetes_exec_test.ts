/**
 * `clauth token --output k8s` as kubectl runs it: these tests play kubectl's part (they set
 * KUBERNETES_EXEC_INFO and read the ExecCredential), so they run wherever kubectl is missing.
 * tests/cli/kubectl_test.ts runs the real kubectl.
 */

import assert from "node:assert/strict";
import { jwtLifetime } from "../../storage/token_store.ts";
import { profileHome, readSlot, runClauth, runClauthProcess } from "../helpers/cli.ts";
import { withProvider } from "../helpers/dev_provider.ts";
import { loggedInHome } from "../helpers/login.ts";

/** What kubectl puts in KUBERNETES_EXEC_INFO (client.authentication.k8s.io, "Input"). */
function execInfo(interactive: boolean, apiVersion = "client.authentication.k8s.io/v1") {
  return JSON.stringify({ apiVersion, kind: "ExecCredential", spec: { interactive } });
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

Deno.test("clauth token --output k8s answers kubectl with an ExecCredential of the version it asked for", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await loggedInHome(idp.issuer);
    const slot = await readSlot(`${home.stateDir}/tokens/web.json`);
    for (
      const apiVersion of [
        "client.authentication.k8s.io/v1",
        "client.authentication.k8s.io/v1beta1",
      ]
    ) {
      const env = { ...home.env, KUBERNETES_EXEC_INFO: execInfo(false, apiVersion) };
      const access = await runClauth(["token", "--output", "k8s"], { env });
      assert.equal(access.code, 0, access.stderr);
      assert.deepEqual(JSON.parse(access.stdout), {
        apiVersion,
        kind: "ExecCredential",
        status: { token: slot.access_token, expirationTimestamp: iso(slot.expires_at) },
      });
      const id = await runClauth(["token", "--output", "k8s", "--token-type", "id_token"], { env });
      assert.equal(id.code, 0, id.stderr);
      assert.deepEqual(JSON.parse(id.stdout), {
        apiVersion,
        kind: "ExecCredential",
        status: {
          token: slot.id_token,
          expirationTimestamp: iso(jwtLifetime(slot.id_token)!.exp),
        },
      });
    }
    assert.equal(idp.counts.refresh_token ?? 0, 0, "fresh tokens: no request");
  });
});

Deno.test("clauth token --output k8s never logs in when kubectl says interactive: false, even at a terminal", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await profileHome("k8s", {
      issuer: idp.issuer,
      client_id: "demo-cli",
      scope: "openid offline_access",
    });
    const run = (info: string) =>
      runClauth(["token", "--output", "k8s", "--token-type", "id_token"], {
        env: { ...home.env, KUBERNETES_EXEC_INFO: info },
        // kubectl with interactiveMode: Never still runs on a terminal.
        tty: true,
      });
    const refused = await run(execInfo(false));
    assert.equal(refused.code, 4, refused.stderr);
    assert.equal(refused.stdout, "");
    assert.match(refused.stderr, /kubectl runs clauth without interaction/);
    assert.match(refused.stderr, /clauth login --profile k8s/);
    assert.equal(idp.counts.authorization ?? 0, 0);
    assert.equal(idp.counts.device_authorization ?? 0, 0);
  });
});

Deno.test("clauth token --token-type id_token refreshes an expiring ID token while the access token is fresh", async () => {
  // The login's ID token lives 40 s, those after it an hour; access tokens an hour.
  let idTokensIssued = 0;
  const idTokenTtl = () => (++idTokensIssued === 1 ? 40 : 3600);
  await withProvider({ autoApprove: true, idTokenTtl }, async (idp) => {
    const home = await loggedInHome(idp.issuer);
    const tokenFile = `${home.stateDir}/tokens/web.json`;
    const login = await readSlot(tokenFile);
    // 25 s on: the ID token has 15 s left, under half its lifetime; the access token is fine.
    const later = { env: home.env, now: Date.now() + 25_000 };

    const access = await runClauth(["token"], later);
    assert.equal(access.stdout, `${login.access_token}\n`);
    assert.equal(idp.counts.refresh_token ?? 0, 0, "a fresh access token is printed as stored");

    const id = await runClauth(["token", "--token-type", "id_token"], later);
    assert.equal(id.code, 0, id.stderr);
    assert.equal(idp.counts.refresh_token, 1, "the ID token was renewed");
    const renewed = await readSlot(tokenFile);
    assert.notEqual(renewed.id_token, login.id_token);
    assert.equal(id.stdout, `${renewed.id_token}\n`);
    assert.ok(jwtLifetime(renewed.id_token)!.exp > jwtLifetime(login.id_token)!.exp + 3000);

    // Now fresh: kubectl's next call (a process, as kubectl starts it) is answered from the store.
    const again = await runClauthProcess(["token", "--output", "k8s", "--token-type", "id_token"], {
      env: { ...home.env, KUBERNETES_EXEC_INFO: execInfo(false) },
    });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).status.token, renewed.id_token);
    assert.equal(idp.counts.refresh_token, 1);
  });
});

Deno.test("clauth token --token-type id_token says what to do when the login has no ID token", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await loggedInHome(idp.issuer, "offline_access api:read");
    const result = await runClauth(["token", "--token-type", "id_token"], { env: home.env });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /no ID token: its scope must include "openid"/);
    assert.equal(result.stdout, "");
  });
});
