import assert from "node:assert/strict";
import { createClient } from "../../../flows/protocol/client.ts";
import { deviceCodeFlow, type DeviceCodePrompt } from "../../../flows/grants/device_code.ts";
import { fakeFetch, json, metadata } from "../../helpers/fake_fetch.ts";
import { rejectsWith } from "../../helpers/assertions.ts";

const ISSUER = "https://as.example";

/** A virtual clock: sleep() advances time at once and records each wait. */
function virtualClock() {
  let time = 1_000_000;
  const waits: number[] = [];
  return {
    waits,
    now: () => time,
    sleep: (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) return Promise.reject(signal.reason);
      waits.push(ms);
      time += ms;
      return Promise.resolve();
    },
  };
}

async function deviceClient(
  tokenAnswers: (() => Response)[],
  device: Record<string, unknown> = {},
  extra: { signal?: AbortSignal; sleep?: (ms: number, signal?: AbortSignal) => Promise<void> } = {},
) {
  const clock = virtualClock();
  const pollTimes: number[] = [];
  const fake = fakeFetch({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: () =>
      json(metadata(ISSUER, { device_authorization_endpoint: `${ISSUER}/device` })),
    [`POST ${ISSUER}/device`]: () =>
      json({
        device_code: "dc",
        user_code: "ABCD-EFGH",
        verification_uri: `${ISSUER}/activate`,
        expires_in: 600,
        ...device,
      }),
    [`POST ${ISSUER}/token`]: () => {
      pollTimes.push(clock.now());
      const next = tokenAnswers.shift();
      if (!next) throw new Error("polled more often than scripted");
      return next();
    },
  });
  const client = await createClient({ issuer: ISSUER, clientId: "cli" }, {
    fetch: fake.fetch,
    now: clock.now,
    sleep: extra.sleep ?? clock.sleep,
    ...(extra.signal ? { signal: extra.signal } : {}),
  });
  return { client, clock, pollTimes, calls: fake.calls };
}

const pending = () => json({ error: "authorization_pending" }, 400);
const slowDown = () => json({ error: "slow_down" }, 400);
const success = () =>
  json({ access_token: "AT", token_type: "Bearer", refresh_token: "RT", expires_in: 300 });

Deno.test("deviceCodeFlow() waits the interval, adds 5 s on every slow_down and keeps it", async () => {
  const { client, clock, pollTimes, calls } = await deviceClient(
    [pending, slowDown, slowDown, pending, success],
    { interval: 5 },
  );
  const prompts: DeviceCodePrompt[] = [];
  const { response } = await deviceCodeFlow(client, {
    scope: "openid",
    onUserCode: (p) => void prompts.push(p),
  });
  assert.equal(response.access_token, "AT");
  assert.deepEqual(clock.waits, [5250, 5250, 10250, 15250, 15250]);
  for (let i = 1; i < pollTimes.length; i++) {
    assert.ok(pollTimes[i]! - pollTimes[i - 1]! >= 5000, "never polls early");
  }
  assert.deepEqual(prompts, [{
    verificationUri: `${ISSUER}/activate`,
    userCode: "ABCD-EFGH",
    expiresIn: 600,
  }]);
  const poll = new URLSearchParams(calls.at(-1)!.body);
  assert.equal(poll.get("grant_type"), "urn:ietf:params:oauth:grant-type:device_code");
  assert.equal(poll.get("device_code"), "dc");
});

Deno.test("deviceCodeFlow() stops with 'denied' when the user refuses", async () => {
  const { client } = await deviceClient([pending, () => json({ error: "access_denied" }, 400)]);
  await rejectsWith(
    deviceCodeFlow(client, { onUserCode: () => {} }),
    "denied",
    /denied on the verification page/,
  );
});

Deno.test("deviceCodeFlow() stops with 'expired' on expired_token", async () => {
  const { client } = await deviceClient([() => json({ error: "expired_token" }, 400)]);
  await rejectsWith(
    deviceCodeFlow(client, { onUserCode: () => {} }),
    "expired",
    /device code expired/,
  );
});

Deno.test("deviceCodeFlow() gives up by itself once expires_in has passed, without a late poll", async () => {
  const { client, pollTimes } = await deviceClient([pending, pending], {
    expires_in: 12,
    interval: 5,
  });
  await rejectsWith(
    deviceCodeFlow(client, { onUserCode: () => {} }),
    "expired",
    /expired before the login was approved/,
  );
  assert.equal(pollTimes.length, 2);
});

Deno.test("deviceCodeFlow() stops at once when aborted during a wait", async () => {
  const controller = new AbortController();
  const reason = new DOMException("Interrupted", "AbortError");
  // A sleep that only ends by abort, and says when the flow has entered it.
  let sleeping!: () => void;
  const asleep = new Promise<void>((resolve) => (sleeping = resolve));
  const sleep = (_ms: number, signal?: AbortSignal) => {
    sleeping();
    return new Promise<void>((_, reject) =>
      signal?.addEventListener("abort", () => reject(signal.reason))
    );
  };
  const { client, pollTimes } = await deviceClient([success], {}, {
    signal: controller.signal,
    sleep,
  });
  const flow = deviceCodeFlow(client, { onUserCode: () => {} });
  await asleep;
  controller.abort(reason);
  await assert.rejects(flow, (error) => error === reason);
  assert.equal(pollTimes.length, 0);
});

Deno.test("deviceCodeFlow() accepts verification_url, a missing interval and verification_uri_complete", async () => {
  const { client, clock } = await deviceClient([success], {
    verification_uri: undefined,
    verification_url: "https://as.example/device",
    verification_uri_complete: "https://as.example/device?code=ABCD-EFGH",
  });
  let prompt: DeviceCodePrompt | undefined;
  await deviceCodeFlow(client, { onUserCode: (p) => void (prompt = p) });
  assert.equal(prompt?.verificationUri, "https://as.example/device");
  assert.equal(prompt?.verificationUriComplete, "https://as.example/device?code=ABCD-EFGH");
  assert.deepEqual(clock.waits, [5250]);
});

Deno.test("deviceCodeFlow() reports progress with the time left before each wait", async () => {
  const { client } = await deviceClient([pending, success], { interval: 2, expires_in: 60 });
  const seen: number[] = [];
  await deviceCodeFlow(client, {
    onUserCode: () => {},
    onPoll: (p) => void seen.push(p.secondsLeft),
  });
  assert.deepEqual(seen, [60, 58]);
});

Deno.test("deviceCodeFlow() names the missing endpoint when the server has no device flow", async () => {
  const fake = fakeFetch({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: () => json(metadata(ISSUER)),
  });
  const client = await createClient({ issuer: ISSUER, clientId: "cli" }, { fetch: fake.fetch });
  await rejectsWith(
    deviceCodeFlow(client, { onUserCode: () => {} }),
    "usage",
    /advertises no device_authorization_endpoint.*set "device_authorization_endpoint" in the profile/,
  );
});
