/**
 * DPoP (RFC 9449) through the CLI against the dev provider: a login with --dpop stores
 * DPoP-bound tokens with their key, and every later use proves possession of it.
 */

import assert from "node:assert/strict";
import { approveDeviceCode } from "../../dev/device_approval.ts";
import { profileHome, readSlot, runClauth, startClauth } from "../helpers/cli.ts";
import { introspect, QUICK_POLL, withProvider } from "../helpers/dev_provider.ts";

const COMPLETE_URI = /Or open this address, which already holds the code:\n {2}(\S+)\n/;

Deno.test("clauth login --dpop (device flow) stores DPoP-bound tokens and their key; refresh keeps the key", async () => {
  await withProvider({ deviceInterval: QUICK_POLL, autoApprove: true }, async (idp) => {
    const home = await profileHome("dev", {
      issuer: idp.issuer,
      client_id: "demo-cli",
      flow: "device",
      scope: "openid offline_access api:read",
    });
    const login = startClauth(["login", "--dpop"], { env: home.env });
    const [, complete] = await login.waitForStderr(COMPLETE_URI);
    await approveDeviceCode(complete!);
    const result = await login.result();
    assert.equal(result.code, 0, result.stderr);
    const stored = await readSlot(`${home.stateDir}/tokens/dev.json`);
    assert.equal(stored.token_type, "dpop");
    assert.equal(stored.dpop, true);
    assert.equal(stored.dpop_key.alg, "ES256");
    assert.equal(typeof stored.dpop_key.jwk.d, "string");
    const info = await introspect(idp, stored.access_token);
    assert.equal(info.body.active, true);
    assert.deepEqual(info.body.cnf, { jkt: stored.dpop_key.jkt });

    const refreshed = await runClauth(
      ["token", "--force-refresh", "--output", "json", "--verbose"],
      {
        env: home.env,
      },
    );
    assert.equal(refreshed.code, 0, refreshed.stderr);
    const after = await readSlot(`${home.stateDir}/tokens/dev.json`);
    assert.notEqual(after.access_token, stored.access_token);
    assert.equal(after.dpop_key.jkt, stored.dpop_key.jkt, "a refresh keeps the key");
    assert.ok(!refreshed.stdout.includes(stored.dpop_key.jwk.d), "the key is never printed");
    assert.equal(JSON.parse(refreshed.stdout).token_type, "dpop");
  });
});
