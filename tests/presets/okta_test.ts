/**
 * The Okta preset through the CLI, against tests/helpers/imitations/okta.ts: a custom
 * authorization server (issuer …/oauth2/default) and the org authorization server (issuer:
 * the org's domain), both named by --issuer.
 */

import assert from "node:assert/strict";
import { makeCliHome, readSlot, runClauth } from "../helpers/cli.ts";
import { freePort } from "../helpers/ports.ts";
import { claimsOf } from "../helpers/signing.ts";
import { browserLogin, deviceLogin } from "../helpers/imitations/_cli_login.ts";
import { oktaNativeApp, startOkta } from "../helpers/imitations/okta.ts";
import type { ImitationClient } from "../helpers/imitations/_oidc_config.ts";
import type { OidcImitation } from "../helpers/imitations/_oidc_server.ts";

/**
 * An Okta authorization server whose Native app allows one fixed redirect URI (Okta compares
 * them exactly), and the arguments for it; `issuer` turns the server's issuer into the one
 * given to --issuer.
 */
async function withOkta(
  server: "org" | "default",
  options: {
    grants?: ImitationClient["grants"];
    interval?: number;
    issuer?: (i: string) => string;
  },
  test: (okta: OidcImitation, args: string[]) => Promise<void>,
): Promise<void> {
  const callback = `http://127.0.0.1:${freePort()}/callback`;
  const app = oktaNativeApp(callback, options.grants);
  const okta = await startOkta(server, [app], options);
  try {
    const issuer = options.issuer ? options.issuer(okta.issuer) : okta.issuer;
    await test(okta, [
      "--profile",
      "ok",
      "--provider",
      "okta",
      "--issuer",
      issuer,
      "--client-id",
      app.id,
      "--redirect-uri",
      callback,
    ]);
  } finally {
    await okta.close();
  }
}

Deno.test("okta preset: a custom authorization server, its issuer pasted with a trailing slash; tokens for api://default that verify against its keys", async () => {
  await withOkta("default", { issuer: (issuer) => `${issuer}/` }, async (okta, args) => {
    const home = await makeCliHome();
    const login = await browserLogin(args, { env: home.env });
    assert.equal(login.result.code, 0, login.result.stderr);
    assert.equal(new URL(login.url!).pathname, "/oauth2/default/v1/authorize");
    const stored = await readSlot(`${home.stateDir}/tokens/ok.json`);
    assert.equal(stored.issuer, `${okta.origin}/oauth2/default`, "the slash is gone");
    assert.equal(claimsOf(stored.access_token).aud, "api://default");
    assert.equal(typeof stored.refresh_token, "string");

    const verified = await runClauth(
      ["--profile", "ok", "decode", "--verify", "-"],
      { env: home.env, stdin: stored.access_token },
    );
    assert.equal(verified.code, 0, verified.stderr);
    const whoami = await runClauth(["--profile", "ok", "whoami", "--json"], { env: home.env });
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.equal(JSON.parse(whoami.stdout).claims.preferred_username, "alice@example.com");
  });
});

Deno.test("okta preset: the org authorization server logs in too; its access tokens are for Okta's APIs, and the hint says so", async () => {
  await withOkta("org", {}, async (okta, args) => {
    const home = await makeCliHome();
    const login = await browserLogin(args, { env: home.env });
    assert.equal(login.result.code, 0, login.result.stderr);
    assert.equal(new URL(login.url!).pathname, "/oauth2/v1/authorize");
    const stored = await readSlot(`${home.stateDir}/tokens/ok.json`);
    assert.equal(claimsOf(stored.access_token).aud, okta.origin);
    const whoami = await runClauth(["--profile", "ok", "whoami"], { env: home.env });
    assert.equal(whoami.code, 0, whoami.stderr);

    // Its signing keys are not published: the token cannot be checked outside Okta.
    const verified = await runClauth(
      ["--profile", "ok", "decode", "--verify", "-"],
      { env: home.env, stdin: stored.access_token },
    );
    assert.notEqual(verified.code, 0);
    assert.match(
      verified.stderr,
      /org authorization server, https:\/\/ORG\.okta\.com, issues access tokens for Okta's own APIs only/,
    );
  });
});

Deno.test("okta preset: clauth providers says what the org authorization server's tokens are for", async () => {
  const home = await makeCliHome();
  const providers = await runClauth(["providers"], { env: home.env });
  assert.equal(providers.code, 0, providers.stderr);
  assert.match(
    providers.stdout,
    /--issuer https:\/\/ORG\.okta\.com\/oauth2\/default: .*Okta's own APIs only/,
  );
});

Deno.test("okta preset: the device login where the app allows Device Authorization", async () => {
  await withOkta("default", { interval: 0.2 }, async (okta, args) => {
    const home = await makeCliHome();
    const login = await deviceLogin(args, { env: home.env });
    assert.equal(login.result.code, 0, login.result.stderr);
    assert.ok(login.url?.startsWith(`${okta.origin}/activate?user_code=`), login.url);
    assert.equal(okta.counts.device_authorization, 1);
  });
});

Deno.test("okta preset: an app without Device Authorization is refused, and the hint says where to allow it", async () => {
  await withOkta(
    "default",
    { grants: ["authorization_code", "refresh_token"] },
    async (_okta, args) => {
      const home = await makeCliHome();
      const login = await deviceLogin(args, { env: home.env });
      assert.notEqual(login.result.code, 0);
      assert.match(
        login.result.stderr,
        /unauthorized_client \(The client is not authorized to use the provided grant type/,
      );
      assert.match(login.result.stderr, /Okta allows each grant per app: .*Grant type/);
    },
  );
});

Deno.test("okta preset: refresh, then logout revokes the access and the refresh token", async () => {
  await withOkta("default", {}, async (okta, args) => {
    const home = await makeCliHome();
    const login = await browserLogin(args, { env: home.env });
    assert.equal(login.result.code, 0, login.result.stderr);
    const token = await runClauth(["--profile", "ok", "token", "--force-refresh"], {
      env: home.env,
    });
    assert.equal(token.code, 0, token.stderr);
    assert.equal(okta.counts["token:refresh_token"], 1);
    const stored = await readSlot(`${home.stateDir}/tokens/ok.json`);
    assert.equal(stored.access_token, token.stdout.trim());

    const logout = await runClauth(["--profile", "ok", "logout"], { env: home.env });
    assert.equal(logout.code, 0, logout.stderr);
    assert.match(logout.stderr, /Revoked the tokens of profile "ok"/);
    assert.equal(okta.tokenStatus(stored.access_token), "revoked");
    assert.equal(okta.tokenStatus(stored.refresh_token), "revoked");
  });
});
