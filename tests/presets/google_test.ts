/**
 * The Google preset through the real CLI, against a local imitation of Google's endpoints
 * (tests/helpers/imitations/google.ts), pointed at with `--issuer` (loopback only): the browser
 * login of a Desktop client, the device login of a TV client, refresh, whoami, logout, and each
 * of Google's quirks the preset handles.
 */

import assert from "node:assert/strict";
import { followAuthorization } from "../../dev/browser.ts";
import {
  type CliResult,
  makeCliHome,
  profileHome,
  readSlot,
  runClauth,
  startClauth,
} from "../helpers/cli.ts";
import { GOOGLE_USER, type GoogleImitation, withGoogle } from "../helpers/imitations/google.ts";
import type { GoogleClient } from "../helpers/imitations/google_tokens.ts";

const LOGIN_URL = /Open this address in a browser to log in:\n {2}(\S+)\n/;

/** The global options that select the preset, pointed at the imitation, for `client`. */
function googleFlags(google: GoogleImitation, client: GoogleClient): string[] {
  return ["--provider", "google", "--issuer", google.issuer, "--client-id", client.clientId];
}

/** A fresh home whose environment holds `secret` as CLAUTH_CLIENT_SECRET (when given). */
async function homeWith(secret?: string) {
  const home = await makeCliHome();
  return { ...home, env: { ...home.env, ...(secret ? { CLAUTH_CLIENT_SECRET: secret } : {}) } };
}

/**
 * `clauth [flags] login --no-browser`, with the test as the browser: it opens the printed
 * address and follows the imitation's redirect to clauth's loopback listener. A login the
 * imitation refuses (its error page) ends the run at once, with the page's status.
 */
async function browserLogin(
  google: GoogleImitation,
  flags: string[],
  env: Record<string, string>,
): Promise<{ result: CliResult; authorization: URLSearchParams }> {
  const login = startClauth([...flags, "login", "--no-browser"], { env });
  const [, url] = await login.waitForStderr(LOGIN_URL);
  const page = await followAuthorization(url!);
  if (new URL(page.finalUrl).origin === google.issuer) {
    login.kill();
    await login.result();
    assert.fail(`the imitation refused the authorization request: ${google.refusals.at(-1)}`);
  }
  return { result: await login.result(), authorization: new URL(url!).searchParams };
}

Deno.test("google: a Desktop client logs in in the browser with its secret and access_type=offline, and gets a refresh token", async () => {
  await withGoogle({}, async (google) => {
    const home = await homeWith(google.desktop.clientSecret);
    const flags = ["--profile", "g", ...googleFlags(google, google.desktop)];
    const { result, authorization } = await browserLogin(google, flags, home.env);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(authorization.get("access_type"), "offline");
    assert.equal(authorization.get("scope"), "openid email profile", "the preset's scopes");
    assert.equal(authorization.get("code_challenge_method"), "S256");
    assert.equal(authorization.get("prompt"), null, "no consent page forced on every login");
    assert.deepEqual(google.tokenRequests, [
      { grantType: "authorization_code", clientAuth: "basic" },
    ]);
    const slot = await readSlot(`${home.stateDir}/tokens/g.json`);
    assert.equal(typeof slot.refresh_token, "string");
    assert.equal(typeof slot.id_token, "string");

    // Remembered: later commands need no flags.
    const token = await runClauth(["--profile", "g", "token"], { env: home.env });
    assert.equal(token.code, 0, token.stderr);
    assert.equal(token.stdout.trim(), slot.access_token);
    assert.ok(google.isLive(slot.access_token));
  });
});

Deno.test("google: a Desktop client's secret may be kept in the profile's config (Google does not treat it as a secret)", async () => {
  await withGoogle({}, async (google) => {
    const home = await profileHome("g", {
      provider: "google",
      issuer: google.issuer,
      client_id: google.desktop.clientId,
      client_secret: google.desktop.clientSecret,
    });
    const { result } = await browserLogin(google, [], home.env);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(google.tokenRequests[0]?.clientAuth, "basic", "the config's secret was sent");
  });
});

Deno.test("google: without the client secret, Google's refusal says to give it (exit 2)", async () => {
  await withGoogle({}, async (google) => {
    const home = await homeWith();
    const { result } = await browserLogin(google, googleFlags(google, google.desktop), home.env);
    assert.equal(result.code, 2, "a setting to fix, as for any client the server refuses");
    assert.match(result.stderr, /invalid_client \(client_secret is missing\.\), HTTP 400/);
    assert.match(result.stderr, /set CLAUTH_CLIENT_SECRET or pass --client-secret-file PATH/);
    assert.match(
      result.stderr,
      /Google's Desktop app and TV clients must send their client secret/,
    );
    assert.deepEqual(google.tokenRequests, [{
      grantType: "authorization_code",
      clientAuth: "none",
    }]);
    assert.match(google.refusals.at(-1)!, /invalid_request.*client_secret is missing/);
  });
});

Deno.test("google: offline_access is not sent (Google refuses it); the login keeps the scope as given", async () => {
  await withGoogle({}, async (google) => {
    const home = await homeWith(google.desktop.clientSecret);
    const flags = ["--profile", "g", ...googleFlags(google, google.desktop)];
    const scope = ["--scope", "openid email offline_access"];
    const { result, authorization } = await browserLogin(google, [...flags, ...scope], home.env);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(authorization.get("scope"), "openid email");
    assert.equal(authorization.get("access_type"), "offline", "Google's way to a refresh token");
    assert.equal(authorization.get("prompt"), null);
    const slot = await readSlot(`${home.stateDir}/tokens/g.json`);
    assert.equal(
      slot.scope,
      "email offline_access openid",
      "the slot is bound to the user's scope",
    );
    assert.equal(typeof slot.refresh_token, "string");
    const token = await runClauth([...flags, ...scope, "token"], { env: home.env });
    assert.equal(token.code, 0, token.stderr);
    assert.equal(token.stdout.trim(), slot.access_token, "the same slot serves it again");
  });
});

Deno.test("google: a refresh sends the secret and keeps the refresh token, which Google does not rotate", async () => {
  await withGoogle({}, async (google) => {
    const home = await homeWith(google.desktop.clientSecret);
    const flags = ["--profile", "g", ...googleFlags(google, google.desktop)];
    assert.equal((await browserLogin(google, flags, home.env)).result.code, 0);
    const before = await readSlot(`${home.stateDir}/tokens/g.json`);
    const refreshed = await runClauth(["--profile", "g", "token", "--force-refresh"], {
      env: home.env,
    });
    assert.equal(refreshed.code, 0, refreshed.stderr);
    const after = await readSlot(`${home.stateDir}/tokens/g.json`);
    assert.notEqual(after.access_token, before.access_token);
    assert.equal(refreshed.stdout.trim(), after.access_token);
    assert.equal(after.refresh_token, before.refresh_token);
    assert.notEqual(after.id_token, before.id_token, "Google sends a new ID token on refresh");
    assert.deepEqual(google.tokenRequests.at(-1), {
      grantType: "refresh_token",
      clientAuth: "basic",
    });
  });
});

Deno.test("google: whoami verifies the ID token and shows what userinfo says", async () => {
  await withGoogle({}, async (google) => {
    const home = await homeWith(google.desktop.clientSecret);
    const flags = ["--profile", "g", ...googleFlags(google, google.desktop)];
    assert.equal((await browserLogin(google, flags, home.env)).result.code, 0);
    const whoami = await runClauth(["--profile", "g", "whoami", "--json"], { env: home.env });
    assert.equal(whoami.code, 0, whoami.stderr);
    const identity = JSON.parse(whoami.stdout);
    assert.equal(identity.sub, GOOGLE_USER.sub);
    assert.equal(identity.userinfo.email, GOOGLE_USER.email);
    assert.equal(identity.id_token.claims.iss, google.issuer);
    assert.equal(identity.id_token.claims.azp, google.desktop.clientId);
  });
});

Deno.test("google: ID tokens whose iss is accounts.google.com are accepted at login, refresh and whoami", async () => {
  await withGoogle({ idTokenIssuer: "accounts.google.com" }, async (google) => {
    const home = await homeWith(google.desktop.clientSecret);
    const flags = ["--profile", "g", ...googleFlags(google, google.desktop)];
    const { result } = await browserLogin(google, flags, home.env);
    assert.equal(result.code, 0, result.stderr);
    const refreshed = await runClauth(["--profile", "g", "token", "--force-refresh"], {
      env: home.env,
    });
    assert.equal(refreshed.code, 0, refreshed.stderr);
    const whoami = await runClauth(["--profile", "g", "whoami", "--json"], { env: home.env });
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.equal(JSON.parse(whoami.stdout).id_token.claims.iss, "accounts.google.com");
  });
});

Deno.test("google: an ID token with any other iss is refused", async () => {
  await withGoogle({ idTokenIssuer: "https://accounts.google.com.example" }, async (google) => {
    const home = await homeWith(google.desktop.clientSecret);
    const { result } = await browserLogin(google, googleFlags(google, google.desktop), home.env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /iss/);
    assert.match(result.stderr, /accounts\.google\.com\.example/);
  });
});

Deno.test("google: logout revokes the grant, though Google answers the second revocation with HTTP 400", async () => {
  await withGoogle({}, async (google) => {
    const home = await homeWith(google.desktop.clientSecret);
    const flags = ["--profile", "g", ...googleFlags(google, google.desktop)];
    assert.equal((await browserLogin(google, flags, home.env)).result.code, 0);
    const slot = await readSlot(`${home.stateDir}/tokens/g.json`);
    const logout = await runClauth(["--profile", "g", "logout"], { env: home.env });
    assert.equal(logout.code, 0, logout.stderr);
    assert.match(logout.stderr, /Revoked the tokens of profile "g"/);
    assert.equal(google.revocations, 2, "the refresh token, then the access token");
    assert.match(google.refusals.at(-1)!, /^\/revoke 400 .*invalid_token/);
    assert.equal(google.isLive(slot.refresh_token), false);
    assert.equal(google.isLive(slot.access_token), false);
  });
});

Deno.test("google: a refresh token Google has ended fails with the reasons Google ends them", async () => {
  await withGoogle({}, async (google) => {
    const home = await homeWith(google.desktop.clientSecret);
    const flags = ["--profile", "g", ...googleFlags(google, google.desktop)];
    assert.equal((await browserLogin(google, flags, home.env)).result.code, 0);
    const slot = await readSlot(`${home.stateDir}/tokens/g.json`);
    // The user removes the app's access in their Google account.
    const revoked = await fetch(`${google.issuer}/revoke`, {
      method: "POST",
      body: new URLSearchParams({ token: slot.refresh_token }),
    });
    assert.equal(revoked.status, 200);
    await revoked.body?.cancel();
    const token = await runClauth(["--profile", "g", "token", "--force-refresh"], {
      env: home.env,
    });
    assert.equal(token.code, 4, token.stderr);
    assert.match(token.stderr, /Token has been expired or revoked/);
    assert.match(token.stderr, /after 7 days for apps whose OAuth consent screen is in "Testing"/);
  });
});
