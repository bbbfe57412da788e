/**
 * The Google preset's device flow through the real CLI, against the imitation's limited-input
 * device endpoints (tests/helpers/imitations/google_device.ts): Google's `verification_url`,
 * its 428 authorization_pending, the client secret on every poll, its scope list and its
 * client type.
 */

import assert from "node:assert/strict";
import { makeCliHome, readSlot, runClauth, startClauth } from "../helpers/cli.ts";
import { type GoogleImitation, withGoogle } from "../helpers/imitations/google.ts";
import { QUICK_POLL } from "../helpers/dev_provider.ts";

const USER_CODE = /and enter the code:\n {2}(\S+)\n/;

/** `clauth --profile tv --provider google --issuer <imitation> --flow device` as `clientId`. */
function deviceFlags(google: GoogleImitation, clientId: string): string[] {
  return [
    "--profile",
    "tv",
    "--provider",
    "google",
    "--issuer",
    google.issuer,
    "--client-id",
    clientId,
    "--flow",
    "device",
  ];
}

Deno.test("google: a TV client logs in with the device flow: Google's verification_url, pending polls, a refresh token", async () => {
  await withGoogle({ deviceInterval: QUICK_POLL }, async (google) => {
    const home = await makeCliHome();
    const env = { ...home.env, CLAUTH_CLIENT_SECRET: google.tv.clientSecret };
    // offline_access too: Google's device endpoint refuses it like any scope off its list.
    const flags = [
      ...deviceFlags(google, google.tv.clientId),
      "--scope",
      "openid email offline_access",
    ];
    const login = startClauth([...flags, "login"], { env });
    const [, userCode] = await login.waitForStderr(USER_CODE);
    await google.nextPendingPoll(); // Google's HTTP 428: clauth keeps polling
    google.approveDevice(userCode!);
    const result = await login.result();
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`open this address on any device:\\n {2}${google.issuer}/device\\n`),
    );
    assert.ok(
      !result.stderr.includes("which already holds the code"),
      "Google gives no complete URI",
    );
    assert.ok(
      google.refusals.some((refusal) => /^\/token 428 .*authorization_pending/.test(refusal)),
    );
    const polls = google.tokenRequests.filter((request) =>
      request.grantType.endsWith("device_code")
    );
    assert.ok(polls.length >= 2);
    assert.ok(polls.every((poll) => poll.clientAuth === "basic"), "every poll sends the secret");

    const slot = await readSlot(`${home.stateDir}/tokens/tv.json`);
    assert.equal(typeof slot.refresh_token, "string", "the device flow always gives one");
    const whoami = await runClauth(["--profile", "tv", "whoami", "--json"], { env });
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.equal(JSON.parse(whoami.stdout).userinfo.email, "alice@example.com");
  });
});

Deno.test("google: the device flow ends with exit 3 when the user denies it (Google's HTTP 403 access_denied)", async () => {
  // A short-lived code: a client that took the 403 for a refused client would poll on until
  // the code expires, and say so, instead of the denial.
  await withGoogle({ deviceInterval: QUICK_POLL, deviceCodeTtl: 10 }, async (google) => {
    const home = await makeCliHome();
    const env = { ...home.env, CLAUTH_CLIENT_SECRET: google.tv.clientSecret };
    const login = startClauth([...deviceFlags(google, google.tv.clientId), "login"], { env });
    const [, userCode] = await login.waitForStderr(USER_CODE);
    google.denyDevice(userCode!);
    const result = await login.result();
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /clauth: The login was denied/);
  });
});

Deno.test("google: a scope Google does not allow on devices is refused with the list's address (exit 2)", async () => {
  await withGoogle({}, async (google) => {
    const home = await makeCliHome();
    const env = { ...home.env, CLAUTH_CLIENT_SECRET: google.tv.clientSecret };
    const drive = "https://www.googleapis.com/auth/drive";
    const result = await runClauth(
      [...deviceFlags(google, google.tv.clientId), "--scope", `openid ${drive}`, "login"],
      { env },
    );
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /invalid_scope \(Invalid device flow scope: https:\/\/www\.googleapis\.com\/auth\/drive\)/,
    );
    assert.match(result.stderr, /Google's device flow allows only a few scopes/);
    assert.match(result.stderr, /limited-input-device#allowedscopes/);
  });
});

Deno.test("google: a Desktop client in the device flow is told Google wants a TV client there (exit 2)", async () => {
  await withGoogle({}, async (google) => {
    const home = await makeCliHome();
    const env = { ...home.env, CLAUTH_CLIENT_SECRET: google.desktop.clientSecret };
    const result = await runClauth([...deviceFlags(google, google.desktop.clientId), "login"], {
      env,
    });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /invalid_client \(Invalid client type\.\)/);
    assert.match(result.stderr, /takes only clients of the type "TVs and Limited Input devices"/);
  });
});
