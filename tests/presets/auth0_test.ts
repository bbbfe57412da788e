/**
 * The Auth0 preset through the CLI, against tests/helpers/imitations/auth0.ts (a tenant on
 * 127.0.0.1, named by --issuer).
 */

import assert from "node:assert/strict";
import { makeCliHome, readSlot, runClauth } from "../helpers/cli.ts";
import { freePort } from "../helpers/ports.ts";
import { claimsOf } from "../helpers/signing.ts";
import { browserLogin, deviceLogin } from "../helpers/imitations/_cli_login.ts";
import {
  AUTH0_API,
  AUTH0_M2M_APP,
  auth0NativeApp,
  startAuth0,
} from "../helpers/imitations/auth0.ts";
import type { OidcImitation } from "../helpers/imitations/_oidc_server.ts";

/** A tenant whose Native app allows one fixed callback, and the arguments that use it. */
async function withAuth0(
  options: Parameters<typeof startAuth0>[1],
  test: (server: OidcImitation, args: string[]) => Promise<void>,
): Promise<void> {
  // Auth0 compares Allowed Callback URLs exactly: the port is registered, and given.
  const callback = `http://127.0.0.1:${freePort()}/callback`;
  const server = await startAuth0(callback, options);
  try {
    // The issuer as people copy it from the dashboard: the domain, without the slash.
    const args = [
      "--profile",
      "a0",
      "--provider",
      "auth0",
      "--issuer",
      server.origin,
      "--client-id",
      auth0NativeApp(callback).id,
      "--redirect-uri",
      callback,
    ];
    await test(server, args);
  } finally {
    await server.close();
  }
}

const isJwt = (token: string) => token.split(".").length === 3;

Deno.test("auth0 preset: the issuer is the domain with its trailing slash, as Auth0 names it; without audience the access token is opaque, for /userinfo", async () => {
  await withAuth0({}, async (server, args) => {
    const home = await makeCliHome();
    const login = await browserLogin(args, { env: home.env });
    assert.equal(login.result.code, 0, login.result.stderr);
    // Given without the slash, the issuer is stored as discovery and the ID token name it.
    assert.equal(server.issuer, `${server.origin}/`);
    const stored = await readSlot(`${home.stateDir}/tokens/a0.json`);
    assert.equal(stored.issuer, `${server.origin}/`);
    assert.equal(claimsOf(stored.id_token).iss, stored.issuer);
    assert.ok(!isJwt(stored.access_token), "no audience: an opaque token");
    assert.equal(server.authorizationRequests[0]?.get("audience"), null);
    assert.equal(typeof stored.refresh_token, "string", "offline_access gives one");

    // Given with the slash, it is the same issuer: the same tokens serve it.
    const withSlash = await runClauth([
      "--profile",
      "a0",
      "--provider",
      "auth0",
      "--issuer",
      `${server.origin}/`,
      "token",
    ], { env: home.env });
    assert.equal(withSlash.code, 0, withSlash.stderr);
    assert.equal(withSlash.stdout.trim(), stored.access_token);
    assert.equal(server.counts["token:authorization_code"], 1, "no second login");

    const whoami = await runClauth(["--profile", "a0", "whoami", "--json"], { env: home.env });
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.equal(JSON.parse(whoami.stdout).sub, "auth0|64f1c0ffee0123456789abcd");
    assert.equal(server.counts.userinfo, 1, "the opaque token is good at /userinfo");
  });
});

Deno.test("auth0 preset: --audience asks for the API; the access token is a JWT for it and for /userinfo", async () => {
  await withAuth0({}, async (server, args) => {
    const home = await makeCliHome();
    const login = await browserLogin([...args, "--audience", AUTH0_API], { env: home.env });
    assert.equal(login.result.code, 0, login.result.stderr);
    assert.equal(server.authorizationRequests[0]?.get("audience"), AUTH0_API);
    const token = await runClauth(["--profile", "a0", "token"], { env: home.env });
    const access = token.stdout.trim();
    assert.ok(isJwt(access));
    assert.deepEqual(claimsOf(access).aud, [AUTH0_API, `${server.origin}/userinfo`]);
    const whoami = await runClauth(["--profile", "a0", "whoami"], { env: home.env });
    assert.equal(whoami.code, 0, whoami.stderr);
  });
});

Deno.test("auth0 preset: an audience Auth0 does not know fails the login with a hint", async () => {
  await withAuth0({}, async (_server, args) => {
    const home = await makeCliHome();
    const login = await browserLogin([...args, "--audience", "https://nope.example"], {
      env: home.env,
    });
    assert.notEqual(login.result.code, 0);
    assert.match(login.result.stderr, /Service not found: https:\/\/nope\.example/);
    assert.match(login.result.stderr, /Auth0 knows no API with that audience/);
  });
});

Deno.test("auth0 preset: the device login polls through Auth0's HTTP 403 authorization_pending", async () => {
  await withAuth0({ interval: 0.2 }, async (server, args) => {
    const home = await makeCliHome();
    const login = await deviceLogin(args, { env: home.env });
    assert.equal(login.result.code, 0, login.result.stderr);
    assert.ok(login.url?.startsWith(`${server.origin}/activate?user_code=`), login.url);
    assert.equal(typeof (await readSlot(`${home.stateDir}/tokens/a0.json`)).id_token, "string");
  });
});

Deno.test("auth0 preset: a refresh answers no new refresh token (non-rotating): the stored one is kept", async () => {
  await withAuth0({}, async (server, args) => {
    const home = await makeCliHome();
    const login = await browserLogin(args, { env: home.env });
    assert.equal(login.result.code, 0, login.result.stderr);
    const tokenFile = `${home.stateDir}/tokens/a0.json`;
    const before = await readSlot(tokenFile);
    const token = await runClauth(["--profile", "a0", "token", "--force-refresh"], {
      env: home.env,
    });
    assert.equal(token.code, 0, token.stderr);
    assert.equal(server.counts["token:refresh_token"], 1);
    const after = await readSlot(tokenFile);
    assert.notEqual(after.access_token, before.access_token);
    assert.equal(after.refresh_token, before.refresh_token);
  });
});

Deno.test("auth0 preset: logout revokes the refresh token only and says the access token stays valid until it expires", async () => {
  await withAuth0({}, async (server, args) => {
    const home = await makeCliHome();
    const login = await browserLogin(args, { env: home.env });
    assert.equal(login.result.code, 0, login.result.stderr);
    const stored = await readSlot(`${home.stateDir}/tokens/a0.json`);
    // clauth's clock at the moment the token was obtained: the expiry reads exactly 1d, however
    // long the login took.
    const logout = await runClauth(["--profile", "a0", "logout"], {
      env: home.env,
      now: stored.obtained_at * 1000,
    });
    assert.equal(logout.code, 0, logout.stderr);
    assert.match(logout.stderr, /Revoked the refresh token of profile "a0"/);
    assert.match(
      logout.stderr,
      /Auth0 does not revoke access tokens: the access token stays valid until it expires \(expires in 1d/,
    );
    assert.doesNotMatch(logout.stderr, /Revoked the tokens/);
    assert.deepEqual(server.revocations, [{ kind: "refresh", revoked: true }]);
    assert.equal(server.tokenStatus(stored.refresh_token), "revoked");
    assert.equal(server.tokenStatus(stored.access_token), "active");
  });
});

Deno.test("auth0 preset: client credentials without an audience are refused, and the hint says to set it", async () => {
  await withAuth0({}, async (server) => {
    const home = await makeCliHome();
    const env = { ...home.env, CLAUTH_CLIENT_SECRET: AUTH0_M2M_APP.secret! };
    const args = [
      "--profile",
      "m2m",
      "--provider",
      "auth0",
      "--issuer",
      server.origin,
      "--client-id",
      AUTH0_M2M_APP.id,
      "--flow",
      "client-credentials",
      "login",
    ];
    const refused = await runClauth(args, { env });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /No audience parameter was provided/);
    assert.match(refused.stderr, /set the audience to the API's identifier/);

    const granted = await runClauth([...args, "--audience", AUTH0_API], { env });
    assert.equal(granted.code, 0, granted.stderr);
    const token = await runClauth(["--profile", "m2m", "token"], { env });
    assert.equal(claimsOf(token.stdout.trim()).aud, AUTH0_API);
    assert.equal(claimsOf(token.stdout.trim()).gty, "client-credentials");

    // A wrong secret is Auth0's 401 access_denied "Unauthorized": the hint names the secret.
    const wrong = await runClauth([...args, "--audience", AUTH0_API], {
      env: { ...env, CLAUTH_CLIENT_SECRET: "not-it" },
    });
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /access_denied \(Unauthorized\), HTTP 401/);
    assert.match(wrong.stderr, /Auth0 answers this when the client secret is wrong or missing/);
  });
});
