import assert from "node:assert/strict";
import type { DevProvider } from "../../dev/provider.ts";
import { approveDeviceCode } from "../../dev/device_approval.ts";
import {
  DEVICE_GRANT,
  introspect,
  postForm,
  str,
  token,
  withProvider,
} from "../helpers/dev_provider.ts";

function authorize(idp: DevProvider, scope = "openid offline_access api:read") {
  return postForm(`${idp.issuer}/device/auth`, { client_id: "demo-cli", scope });
}

function poll(idp: DevProvider, deviceCode: string) {
  return token(idp, { grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: "demo-cli" });
}

/** A clock for the provider's poll pacing that moves only when the test says. */
function pollClock() {
  let now = Date.now();
  return { read: () => now, advance: (ms: number) => void (now += ms) };
}

Deno.test("device authorization response carries interval and the verification URIs", async () => {
  await withProvider({ deviceInterval: 3 }, async (idp) => {
    const { status, body } = await authorize(idp);
    assert.equal(status, 200);
    assert.equal(body.interval, 3);
    assert.equal(typeof body.device_code, "string");
    assert.match(str(body.user_code), /^[A-Z]{4}-[A-Z]{4}$/);
    assert.equal(body.verification_uri, `${idp.issuer}/device`);
    assert.equal(
      body.verification_uri_complete,
      `${idp.issuer}/device?user_code=${body.user_code}`,
    );
    assert.equal(idp.counts["device_authorization"], 1);
  });
});

Deno.test("polling faster than the interval gets slow_down, and the interval grows by 5 s", async () => {
  const clock = pollClock();
  await withProvider({ deviceInterval: 1, pollClock: clock.read }, async (idp) => {
    const first = str((await authorize(idp)).body.device_code);
    assert.equal((await poll(idp, first)).body.error, "authorization_pending");
    const early = await poll(idp, first);
    assert.equal(early.status, 400);
    assert.equal(early.body.error, "slow_down");
    clock.advance(1100);
    // Still too early: the interval for this code is now 6 s.
    assert.equal((await poll(idp, first)).body.error, "slow_down");
    assert.equal(idp.counts["slow_down"], 2);

    // Another code, polled at its interval, is never slowed down.
    const second = str((await authorize(idp)).body.device_code);
    assert.equal((await poll(idp, second)).body.error, "authorization_pending");
    clock.advance(1000);
    assert.equal((await poll(idp, second)).body.error, "authorization_pending");
    assert.equal(idp.counts["slow_down"], 2);
    assert.equal(idp.counts[DEVICE_GRANT], 5);
  });
});

Deno.test("approving over HTTP then polling yields tokens (refresh token with offline_access)", async () => {
  const clock = pollClock();
  await withProvider(
    { autoApprove: true, deviceInterval: 1, pollClock: clock.read },
    async (idp) => {
      const { body } = await authorize(idp);
      const deviceCode = str(body.device_code);
      assert.equal((await poll(idp, deviceCode)).body.error, "authorization_pending");
      await approveDeviceCode(str(body.verification_uri_complete));
      clock.advance(1000);
      const tokens = await poll(idp, deviceCode);
      assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
      assert.equal(typeof tokens.body.access_token, "string");
      assert.equal(typeof tokens.body.refresh_token, "string");
      assert.equal(typeof tokens.body.id_token, "string");
      assert.equal(tokens.body.scope, "openid offline_access api:read");
      const info = await introspect(idp, str(tokens.body.access_token));
      assert.equal(info.body.sub, "alice");
      // The device code is used up.
      assert.equal((await poll(idp, deviceCode)).body.error, "invalid_grant");
    },
  );
});

Deno.test("without offline_access the device flow issues no refresh token", async () => {
  await withProvider({ autoApprove: true, deviceInterval: 0 }, async (idp) => {
    const { body } = await authorize(idp, "openid api:read");
    await approveDeviceCode(str(body.verification_uri_complete));
    const tokens = await poll(idp, str(body.device_code));
    assert.equal(tokens.status, 200);
    assert.equal(tokens.body.refresh_token, undefined);
  });
});

Deno.test("denying the code answers the next poll with access_denied", async () => {
  await withProvider({ autoApprove: true, deviceInterval: 0 }, async (idp) => {
    const { body } = await authorize(idp);
    await approveDeviceCode(str(body.verification_uri_complete), { deny: true });
    const denied = await poll(idp, str(body.device_code));
    assert.equal(denied.status, 400);
    assert.equal(denied.body.error, "access_denied");
  });
});

Deno.test("approving an unknown code or without autoApprove fails with a clear message", async () => {
  await withProvider({ deviceInterval: 0 }, async (idp) => {
    await assert.rejects(
      approveDeviceCode(`${idp.issuer}/device?user_code=BBBB-CCCC`),
      /incorrect, expired or already used/,
    );
    const { body } = await authorize(idp);
    await assert.rejects(
      approveDeviceCode(str(body.verification_uri_complete)),
      /start it with autoApprove/,
    );
  });
});
