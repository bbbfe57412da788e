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
  extra: {
    signal?: AbortSignal;
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
    clock?: ReturnType<typeof virtualClock>;
  } = {},
) {
  const clock = extra.clock ?? virtualClock();
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
      // A definitive answer: a failed fetch would count as a transient failure and be retried.
      if (!next) return json({ error: "invalid_request", error_description: "over-polled" }, 400);
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

// Issue 13, item 4: the server's durations are bounded before they drive a timer.

/** What setTimeout does with a delay above 2^31 - 1 ms: it fires at once. */
function overflowingSleep(clock: ReturnType<typeof virtualClock>) {
  return (ms: number, signal?: AbortSignal) => clock.sleep(ms > 2 ** 31 - 1 ? 1 : ms, signal);
}

Deno.test("deviceCodeFlow() waits at most a minute for a huge interval and at most an hour for the code, never in a tight loop", async () => {
  const clock = virtualClock();
  const { client, pollTimes } = await deviceClient(
    Array.from({ length: 1000 }, () => pending),
    { interval: 1e10, expires_in: 1e10 },
    { clock, sleep: overflowingSleep(clock) },
  );
  const prompts: DeviceCodePrompt[] = [];
  const started = clock.now();
  await rejectsWith(
    deviceCodeFlow(client, { onUserCode: (p) => void prompts.push(p) }),
    "expired",
    /expired before the login was approved/,
  );
  assert.equal(prompts[0]?.expiresIn, 3600);
  // 60.25 s between polls for the hour the code is kept: 59 polls, not thousands.
  assert.equal(pollTimes.length, 59);
  assert.ok(clock.waits.every((ms) => ms === 60_250), `waits: ${clock.waits}`);
  assert.ok(pollTimes.at(-1)! - started < 3_600_000);
});

Deno.test("deviceCodeFlow() logs in with a huge interval, polling once a minute", async () => {
  const { client, clock } = await deviceClient([pending, success], { interval: 1e10 });
  const { response } = await deviceCodeFlow(client, { onUserCode: () => {} });
  assert.equal(response.access_token, "AT");
  assert.deepEqual(clock.waits, [60_250, 60_250]);
});

Deno.test("deviceCodeFlow() still polls as often as a small interval asks", async () => {
  const { client, clock } = await deviceClient([pending, success], { interval: 0.2 });
  await deviceCodeFlow(client, { onUserCode: () => {} });
  assert.deepEqual(clock.waits, [450, 450]);
});

/** The device authorization response with `fields` spliced in as raw JSON text. */
async function deviceAnswering(fields: string) {
  let polls = 0;
  const fake = fakeFetch({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: () =>
      json(metadata(ISSUER, { device_authorization_endpoint: `${ISSUER}/device` })),
    [`POST ${ISSUER}/device`]: () =>
      new Response(
        `{"device_code":"dc","user_code":"ABCD-EFGH","verification_uri":"${ISSUER}/activate"${fields}}`,
        { headers: { "content-type": "application/json" } },
      ),
    [`POST ${ISSUER}/token`]: () => {
      polls++;
      return success();
    },
  });
  const clock = virtualClock();
  const client = await createClient({ issuer: ISSUER, clientId: "cli" }, {
    fetch: fake.fetch,
    now: clock.now,
    sleep: clock.sleep,
  });
  return { client, polls: () => polls };
}

for (
  const [fields, refused] of [
    [
      `,"expires_in":600,"interval":-1`,
      /an unusable interval \(-1\): the polling interval must be a positive number of seconds/,
    ],
    [`,"expires_in":600,"interval":0`, /an unusable interval \(0\)/],
    [`,"expires_in":600,"interval":1e400`, /an unusable interval \(out of range\)/],
    [`,"expires_in":600,"interval":"Infinity"`, /an unusable interval \(out of range\)/],
    [`,"expires_in":600,"interval":"-2"`, /an unusable interval \(-2\)/],
    [
      `,"expires_in":600,"interval":"soon"`,
      /an unusable interval \(a string that is not a number\)/,
    ],
    [
      `,"expires_in":-5`,
      /an unusable expires_in \(-5\): the device code lifetime must be a positive number of seconds/,
    ],
    [`,"expires_in":0`, /an unusable expires_in \(0\)/],
    [`,"expires_in":1e400`, /an unusable expires_in \(out of range\)/],
    [`,"expires_in":null`, /an unusable expires_in \(null\)/],
    [``, /sent no expires_in: the device code lifetime/],
  ] as const
) {
  Deno.test(`deviceCodeFlow() refuses the device authorization response ${fields || "without expires_in"} before polling`, async () => {
    const { client, polls } = await deviceAnswering(fields);
    const error = await rejectsWith(
      deviceCodeFlow(client, { onUserCode: () => assert.fail("no prompt for a refused code") }),
      "server",
      refused,
    );
    assert.match(error.message, /^The device authorization endpoint sent /);
    assert.equal(error.endpoint, "device_authorization");
    assert.equal(polls(), 0);
  });
}

Deno.test("deviceCodeFlow() takes numbers sent as strings and a null interval", async () => {
  const { client } = await deviceAnswering(`,"expires_in":"600","interval":null`);
  let prompt: DeviceCodePrompt | undefined;
  const { response } = await deviceCodeFlow(client, { onUserCode: (p) => void (prompt = p) });
  assert.equal(response.access_token, "AT");
  assert.equal(prompt?.expiresIn, 600);
});

// Issue 13, item 5: a poll that fails on the way slows polling down; it does not end the login.

const unavailable = () =>
  new Response("<html>Service Unavailable</html>", {
    status: 503,
    statusText: "Service Unavailable",
    headers: { "content-type": "text/html" },
  });
const internalError = () => new Response("", { status: 500, statusText: "Internal Server Error" });
const timeout = (): Response => {
  throw new DOMException("Signal timed out.", "TimeoutError");
};
const connectionReset = (): Response => {
  throw new TypeError("fetch failed", { cause: new Error("connection reset") });
};

Deno.test("deviceCodeFlow() keeps polling after a 503 and a timeout, 5 s slower each time", async () => {
  const { client, clock, pollTimes } = await deviceClient(
    [unavailable, timeout, pending, success],
    { interval: 5 },
  );
  const { response } = await deviceCodeFlow(client, { onUserCode: () => {} });
  assert.equal(response.access_token, "AT");
  assert.deepEqual(clock.waits, [5250, 10250, 15250, 15250]);
  assert.equal(pollTimes.length, 4);
});

Deno.test("deviceCodeFlow() backs off on a lost connection, a 429, and server_error or temporarily_unavailable", async () => {
  const { client, clock } = await deviceClient(
    [
      connectionReset,
      () => new Response(null, { status: 429 }),
      () => json({ error: "temporarily_unavailable" }, 400),
      () => json({ error: "server_error" }, 400),
      success,
    ],
    { interval: 1 },
  );
  const { response } = await deviceCodeFlow(client, { onUserCode: () => {} });
  assert.equal(response.access_token, "AT");
  assert.deepEqual(clock.waits, [1250, 6250, 11250, 16250, 21250]);
});

Deno.test("deviceCodeFlow() polls a failing server until the code expires, then names the last failure", async () => {
  const { client, clock, pollTimes } = await deviceClient(
    Array.from({ length: 100 }, () => internalError),
    { interval: 5, expires_in: 60 },
  );
  const started = clock.now();
  const error = await rejectsWith(
    deviceCodeFlow(client, { onUserCode: () => {} }),
    "expired",
    /^The device code expired before the login was approved, while polling the token endpoint failed \(the last 4 polls\)\. Last failure: The token endpoint answered HTTP 500\b.* Run the login again once the server answers\.$/,
  );
  assert.equal(error.status, 500);
  assert.equal(error.endpoint, "token");
  assert.deepEqual(clock.waits, [5250, 10250, 15250, 20250]);
  assert.equal(pollTimes.length, 4);
  // It stopped only because the next poll (25.25 s later) would come after the expiry.
  assert.ok(pollTimes.at(-1)! + 25_250 >= started + 60_000);
});

Deno.test("deviceCodeFlow() names a timeout as the last failure, with its setting", async () => {
  const { client } = await deviceClient(
    [pending, timeout, timeout],
    { interval: 5, expires_in: 30 },
  );
  const error = await rejectsWith(
    deviceCodeFlow(client, { onUserCode: () => {} }),
    "expired",
    /failed \(the last 2 polls\)\. Last failure: No answer from https:\/\/as\.example\/token\b/,
  );
  assert.equal(error.setting, "timeout");
});

Deno.test("deviceCodeFlow() mentions an earlier failed poll when the code expires while pending", async () => {
  const { client } = await deviceClient(
    [unavailable, pending, pending, pending],
    { interval: 5, expires_in: 40 },
  );
  await rejectsWith(
    deviceCodeFlow(client, { onUserCode: () => {} }),
    "expired",
    /approve it sooner\. \(An earlier poll failed: The token endpoint answered HTTP 503\b.*\)$/,
  );
});

for (
  const [answer, code] of [
    [() => json({ error: "access_denied" }, 400), "denied"],
    [() => json({ error: "expired_token" }, 400), "expired"],
    [() => json({ error: "invalid_grant" }, 400), "invalid_grant"],
    [() => json({ error: "invalid_client" }, 401), "invalid_client"],
    [() => new Response("<html>Bad Request</html>", { status: 400 }), "server"],
  ] as const
) {
  Deno.test(`deviceCodeFlow() still ends at once with '${code}' after a failed poll (${answer().status})`, async () => {
    const { client, pollTimes } = await deviceClient([unavailable, answer, success]);
    const error = await deviceCodeFlow(client, { onUserCode: () => {} }).catch((e) => e);
    assert.equal(error.code, code, error.message);
    assert.equal(pollTimes.length, 2);
  });
}

Deno.test("deviceCodeFlow() stops at once when aborted during a failing poll", async () => {
  const controller = new AbortController();
  const reason = new DOMException("Interrupted", "AbortError");
  const { client, pollTimes } = await deviceClient(
    [unavailable, () => {
      controller.abort(reason);
      throw new TypeError("fetch failed");
    }, success],
    {},
    { signal: controller.signal },
  );
  await assert.rejects(deviceCodeFlow(client, { onUserCode: () => {} }), (e) => e === reason);
  assert.equal(pollTimes.length, 2);
});
