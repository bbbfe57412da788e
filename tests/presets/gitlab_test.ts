/**
 * The GitLab preset through the CLI, against tests/helpers/imitations/gitlab.ts (a
 * self-managed instance on 127.0.0.1, found with --host).
 */

import assert from "node:assert/strict";
import { gitlab } from "../../flows/presets/gitlab.ts";
import { makeCliHome, readSlot, runClauth } from "../helpers/cli.ts";
import { browserLogin, deviceLogin } from "../helpers/imitations/_cli_login.ts";
import { GITLAB_APP, startGitLab } from "../helpers/imitations/gitlab.ts";
import type { OidcImitation } from "../helpers/imitations/_oidc_server.ts";

/** `--profile gl --provider gitlab --host 127.0.0.1:PORT --client-id APP`. */
function gitlabArgs(server: OidcImitation): string[] {
  const host = new URL(server.origin).host;
  return ["--profile", "gl", "--provider", "gitlab", "--host", host, "--client-id", GITLAB_APP.id];
}

async function withGitLab(
  options: Parameters<typeof startGitLab>[0],
  test: (server: OidcImitation) => Promise<void>,
): Promise<void> {
  const server = await startGitLab(options);
  try {
    await test(server);
  } finally {
    await server.close();
  }
}

Deno.test("gitlab preset: the browser login uses /oauth/authorize with PKCE and GitLab's scopes; whoami reads /oauth/userinfo", async () => {
  await withGitLab({}, async (server) => {
    const home = await makeCliHome();
    const login = await browserLogin(gitlabArgs(server), { env: home.env });
    assert.equal(login.result.code, 0, login.result.stderr);
    const url = new URL(login.url!);
    assert.equal(`${url.origin}${url.pathname}`, `${server.origin}/oauth/authorize`);
    const [asked] = server.authorizationRequests;
    assert.equal(asked?.get("code_challenge_method"), "S256");
    assert.equal(asked?.get("scope"), "openid profile read_user");
    assert.match(asked?.get("redirect_uri") ?? "", /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.equal(server.counts.par, undefined, "GitLab has no PAR");

    // The login is remembered: later commands need only the profile.
    const whoami = await runClauth(["--profile", "gl", "whoami", "--json"], { env: home.env });
    assert.equal(whoami.code, 0, whoami.stderr);
    const identity = JSON.parse(whoami.stdout);
    assert.equal(identity.sub, "4217");
    assert.equal(identity.claims.preferred_username, "alice");
    assert.equal(server.counts.userinfo, 1);
    const token = await runClauth(["--profile", "gl", "token"], { env: home.env });
    assert.equal(server.tokenStatus(token.stdout.trim()), "active");
  });
});

Deno.test("gitlab preset: after two hours clauth refreshes, keeps the rotated refresh token, and GitLab refuses the old one", async () => {
  let now = Date.now();
  await withGitLab({ clock: () => now }, async (server) => {
    const home = await makeCliHome();
    const login = await browserLogin(gitlabArgs(server), { env: home.env, now });
    assert.equal(login.result.code, 0, login.result.stderr);
    const tokenFile = `${home.stateDir}/tokens/gl.json`;
    const first = await readSlot(tokenFile);
    // GitLab's access tokens live two hours (expires_in 7200).
    assert.equal(first.expires_at, Math.floor(now / 1000) + 7200);

    now += 7200 * 1000;
    const token = await runClauth(["--profile", "gl", "token"], { env: home.env, now });
    assert.equal(token.code, 0, token.stderr);
    assert.notEqual(token.stdout.trim(), first.access_token);
    assert.equal(server.counts["token:refresh_token"], 1);
    const second = await readSlot(tokenFile);
    assert.notEqual(second.refresh_token, first.refresh_token, "the rotated one is kept");

    // The old refresh token stopped working when it was used, and so did the old access token.
    const reuse = await fetch(`${server.origin}/oauth/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: first.refresh_token,
        client_id: GITLAB_APP.id,
      }),
    });
    assert.equal(reuse.status, 400);
    assert.equal((await reuse.json()).error, "invalid_grant");
    assert.equal(server.tokenStatus(first.access_token), "revoked");

    // The new tokens serve the next command without another refresh.
    const refreshes = server.counts["token:refresh_token"];
    const again = await runClauth(["--profile", "gl", "token"], { env: home.env, now });
    assert.equal(again.stdout, token.stdout);
    assert.equal(server.counts["token:refresh_token"], refreshes);
  });
});

Deno.test("gitlab preset: a refresh token spent elsewhere is refused, and the hint says GitLab takes each one once", async () => {
  await withGitLab({}, async (server) => {
    const home = await makeCliHome();
    const login = await browserLogin(gitlabArgs(server), { env: home.env });
    assert.equal(login.result.code, 0, login.result.stderr);
    const stored = await readSlot(`${home.stateDir}/tokens/gl.json`);
    // Another program refreshes with the same refresh token first.
    const elsewhere = await fetch(`${server.origin}/oauth/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: stored.refresh_token,
        client_id: GITLAB_APP.id,
      }),
    });
    assert.equal(elsewhere.status, 200);
    await elsewhere.body?.cancel();

    const token = await runClauth(["--profile", "gl", "token", "--force-refresh"], {
      env: home.env,
    });
    assert.equal(token.code, 4, token.stderr);
    assert.match(token.stderr, /invalid_grant/);
    assert.match(token.stderr, /GitLab takes each refresh token once/);
  });
});

Deno.test("gitlab preset: the device login uses /oauth/authorize_device, which GitLab's discovery does not list", async () => {
  await withGitLab({ interval: 0.2 }, async (server) => {
    const home = await makeCliHome();
    // Without the preset, discovery alone finds no device endpoint.
    const plain = await runClauth([
      "login",
      "--flow",
      "device",
      "--issuer",
      server.origin,
      "--client-id",
      GITLAB_APP.id,
    ], { env: home.env });
    assert.equal(plain.code, 2);
    assert.match(plain.stderr, /advertises no device_authorization_endpoint/);

    const login = await deviceLogin(gitlabArgs(server), { env: home.env });
    assert.equal(login.result.code, 0, login.result.stderr);
    assert.ok(login.url?.startsWith(`${server.origin}/oauth/device?user_code=`), login.url);
    assert.equal(server.counts.device_authorization, 1);
    const stored = await readSlot(`${home.stateDir}/tokens/gl.json`);
    assert.equal(typeof stored.refresh_token, "string");
    assert.equal(typeof stored.id_token, "string", "GitLab adds an ID token for openid");
  });
});

Deno.test("gitlab preset: offline_access is left out of the request (GitLab refuses scopes it does not know)", async () => {
  await withGitLab({}, async (server) => {
    const home = await makeCliHome();
    const login = await browserLogin([
      ...gitlabArgs(server),
      "--scope",
      "openid offline_access read_user",
    ], { env: home.env });
    assert.equal(login.result.code, 0, login.result.stderr);
    assert.equal(server.authorizationRequests[0]?.get("scope"), "openid read_user");
    const stored = await readSlot(`${home.stateDir}/tokens/gl.json`);
    assert.equal(typeof stored.refresh_token, "string", "GitLab gives one anyway");
  });
});

Deno.test("gitlab preset: logout revokes at /oauth/revoke; both tokens stop working", async () => {
  await withGitLab({}, async (server) => {
    const home = await makeCliHome();
    const login = await browserLogin(gitlabArgs(server), { env: home.env });
    assert.equal(login.result.code, 0, login.result.stderr);
    const stored = await readSlot(`${home.stateDir}/tokens/gl.json`);
    const logout = await runClauth(["--profile", "gl", "logout"], { env: home.env });
    assert.equal(logout.code, 0, logout.stderr);
    assert.match(logout.stderr, /Revoked the tokens of profile "gl"/);
    assert.equal(server.tokenStatus(stored.access_token), "revoked");
    assert.equal(server.tokenStatus(stored.refresh_token), "revoked");
  });
});

Deno.test("gitlab preset: gitlab.com by default, a self-managed host with --host", () => {
  const cloud = gitlab.locate({});
  assert.equal(cloud.issuer, "https://gitlab.com");
  assert.equal(
    cloud.endpoints?.device_authorization_endpoint,
    "https://gitlab.com/oauth/authorize_device",
  );
  assert.equal(gitlab.locate({ host: "gitlab.example.com" }).issuer, "https://gitlab.example.com");
  assert.equal(gitlab.behaviour.scope?.("openid offline_access api"), "openid api");
});
