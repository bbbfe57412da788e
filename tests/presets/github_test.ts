/**
 * The github preset through the real CLI, against a local imitation of GitHub
 * (tests/helpers/imitations/github.ts) reached with `--host 127.0.0.1:PORT`: the device flow
 * (the preset's default) and the browser flow, refresh with rotation, whoami through the REST
 * API, logout without revocation, and each of GitHub's quirks on the wire.
 */

import assert from "node:assert/strict";
import { followAuthorization } from "../../dev/browser.ts";
import {
  type CliHome,
  makeCliHome,
  profileHome,
  readSlot,
  runClauth,
  startClauth,
} from "../helpers/cli.ts";
import {
  GITHUB_APP,
  type GitHubImitation,
  NO_DEVICE_APP,
  OAUTH_APP,
  OCTOCAT,
  startGitHubImitation,
} from "../helpers/imitations/github.ts";

/** Polls fast: clauth waits the interval GitHub names (5 s there) between polls. */
const QUICK = 0.2;
const USER_CODE = /and enter the code:\n {2}(\S+)\n/;
const BROWSER_URL = /Open this address in a browser to log in:\n {2}(\S+)\n/;

async function withGitHub(
  options: Parameters<typeof startGitHubImitation>[0],
  test: (gh: GitHubImitation) => Promise<void>,
): Promise<void> {
  const gh = startGitHubImitation({ interval: QUICK, ...options });
  try {
    await test(gh);
  } finally {
    await gh.close();
  }
}

/** The command line that points the preset at the imitation. */
function github(gh: GitHubImitation, clientId: string): string[] {
  return ["--provider", "github", "--host", gh.host, "--client-id", clientId];
}

/**
 * `clauth login` with the preset's default flow; the user approves once GitHub has answered a
 * poll with its HTTP 200 authorization_pending.
 */
async function deviceLogin(gh: GitHubImitation, clientId: string, args: string[] = []) {
  const home = await makeCliHome();
  const login = startClauth([...github(gh, clientId), ...args, "login"], { env: home.env });
  const [, code] = await login.waitForStderr(USER_CODE);
  await gh.waitFor((request) => request.error === "authorization_pending");
  gh.approve(code!);
  return { home, result: await login.result() };
}

const polls = (gh: GitHubImitation) =>
  gh.requests.filter((r) => r.params.get("grant_type")?.endsWith(":device_code"));

Deno.test("clauth login --provider github logs in with the device flow by default, through GitHub's HTTP 200 answers", async () => {
  await withGitHub({}, async (gh) => {
    const { home, result } = await deviceLogin(gh, OAUTH_APP.clientId, ["--scope", "repo gist"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`open this address on any device:\n  ${gh.origin}/login/device\n`),
    );
    // GitHub's wire: "authorization_pending" in HTTP 200; clauth asked for JSON every time.
    assert.deepEqual([polls(gh)[0]!.status, polls(gh)[0]!.error], [200, "authorization_pending"]);
    assert.ok(gh.requests.every((r) => r.accept === "application/json"));
    assert.equal(gh.requests[0]!.params.get("scope"), "repo gist");
    assert.equal(gh.requests[0]!.params.get("client_secret"), null, "the device flow needs none");

    // Remembered: no flags needed any more. GitHub said "repo,gist"; clauth keeps RFC spaces.
    const json = await runClauth(["token", "--output", "json"], { env: home.env });
    assert.equal(json.code, 0, json.stderr);
    const token = JSON.parse(json.stdout);
    assert.equal(token.scope, "repo gist");
    assert.match(token.access_token, /^gho_/);
    assert.equal(token.expires_at, undefined, "an OAuth app's token never expires");
    assert.ok(gh.accepts(token.access_token));
  });
});

Deno.test("the device flow's access_denied (HTTP 200 at GitHub) ends the login as denied, exit 3", async () => {
  await withGitHub({}, async (gh) => {
    const home = await makeCliHome();
    const login = startClauth([...github(gh, OAUTH_APP.clientId), "login"], { env: home.env });
    const [, code] = await login.waitForStderr(USER_CODE);
    gh.deny(code!);
    const result = await login.result();
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /The login was denied/);
    assert.equal(polls(gh).at(-1)!.error, "access_denied");
  });
});

Deno.test('device_flow_disabled says to tick "Enable Device Flow" in the app\'s settings; an unknown client id is named too (exit 1)', async () => {
  await withGitHub({}, async (gh) => {
    const home = await makeCliHome();
    const result = await runClauth([...github(gh, NO_DEVICE_APP.clientId), "login"], {
      env: home.env,
    });
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /device authorization endpoint refused the request: device_flow_disabled/,
    );
    assert.match(result.stderr, /tick "Enable Device Flow" and save/);
    // A client id GitHub does not know gets HTTP 404 there: the hint names the usual mix-up.
    const unknown = await runClauth([...github(gh, "Iv1.123456"), "login"], { env: home.env });
    assert.equal(unknown.code, 1, unknown.stderr);
    assert.match(unknown.stderr, /HTTP 404/);
    assert.match(unknown.stderr, /the app's Client ID, not its App ID/);
  });
});

Deno.test("the browser flow: any loopback port against the callback http://127.0.0.1/callback, PKCE, the secret (kept in the profile) sent as form parameters", async () => {
  await withGitHub({}, async (gh) => {
    const home = await profileHome("gh", {
      provider: "github",
      host: gh.host,
      client_id: OAUTH_APP.clientId,
      // Allowed for GitHub: a native app's GitHub secret cannot be kept secret.
      client_secret: OAUTH_APP.clientSecret,
      flow: "browser",
      scope: "read:user",
    });
    const login = startClauth(["login", "--no-browser"], { env: home.env });
    const [, url] = await login.waitForStderr(BROWSER_URL);
    await followAuthorization(url!);
    const result = await login.result();
    assert.equal(result.code, 0, result.stderr);

    const authorize = gh.requests.find((r) => r.path === "/login/oauth/authorize")!;
    const redirect = new URL(authorize.params.get("redirect_uri")!);
    assert.equal(`${redirect.hostname}${redirect.pathname}`, "127.0.0.1/callback");
    assert.notEqual(redirect.port, "", "a port of clauth's own, which GitHub ignores");
    assert.equal(authorize.params.get("code_challenge_method"), "S256");
    const exchange = gh.requests.find((r) => r.path === "/login/oauth/access_token")!;
    assert.equal(exchange.status, 200);
    assert.equal(exchange.error, undefined);
    assert.equal(exchange.params.get("client_secret"), OAUTH_APP.clientSecret);
    assert.equal(exchange.authorization, null, "GitHub documents form parameters only");
    assert.ok(exchange.params.get("code_verifier"));
  });
});

Deno.test("the browser flow without the client secret: GitHub's incorrect_client_credentials is a refused client (exit 2) with GitHub's advice", async () => {
  await withGitHub({}, async (gh) => {
    const home = await makeCliHome();
    const args = [...github(gh, OAUTH_APP.clientId), "--flow", "browser", "login", "--no-browser"];
    const login = startClauth(args, { env: home.env });
    const [, url] = await login.waitForStderr(BROWSER_URL);
    await followAuthorization(url!);
    const result = await login.result();
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /invalid_client \(incorrect_client_credentials: The client_id and\/or client_secret passed are incorrect\.\), HTTP 401/,
    );
    assert.match(
      result.stderr,
      /GitHub's browser flow also needs the app's client secret, PKCE or not; the device flow needs none/,
    );
  });
});

/** Logs in to the GitHub App by the device flow; returns the home and the stored slot. */
async function gitHubAppLogin(gh: GitHubImitation): Promise<CliHome> {
  const { home, result } = await deviceLogin(gh, GITHUB_APP.clientId);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /expires in 8h .*refresh token stored/);
  return home;
}

const HOURS = 3600_000;
const slotOf = (home: CliHome) => readSlot(`${home.stateDir}/tokens/default.json`);

Deno.test("a GitHub App's user token expires in 8 h: clauth refreshes it (no secret after a device login) and keeps the rotated refresh token", async () => {
  // GitHub's clock, moved on by hours below (it runs in real time: the device flow polls).
  let later = 0;
  await withGitHub({ now: () => Date.now() + later }, async (gh) => {
    const home = await gitHubAppLogin(gh);
    const first = await slotOf(home);
    for (const hours of [9, 18]) {
      later = hours * HOURS;
      const token = await runClauth(["token"], { env: home.env, now: Date.now() + later });
      assert.equal(token.code, 0, token.stderr);
      assert.match(token.stdout, /^ghu_/);
      assert.ok(gh.accepts(token.stdout.trim()));
    }
    const refreshes = gh.requests.filter((r) => r.params.get("grant_type") === "refresh_token");
    assert.deepEqual(
      refreshes.map((r) => r.error ?? "ok"),
      ["ok", "ok"],
      "the second used the rotated token",
    );
    assert.ok(refreshes.every((r) => !r.params.has("client_secret") && r.authorization === null));
    assert.ok(!gh.accepts(first.access_token), "rotation ended the first token");
    assert.notEqual((await slotOf(home)).refresh_token, first.refresh_token);
  });
});

Deno.test("a refresh token GitHub no longer takes (bad_refresh_token in HTTP 200) means a new login: exit 4", async () => {
  let later = 0;
  await withGitHub({ now: () => Date.now() + later }, async (gh) => {
    const home = await gitHubAppLogin(gh);
    gh.revoke(GITHUB_APP); // the user revoked the app in their settings
    later = 9 * HOURS;
    const token = await runClauth(["token"], { env: home.env, now: Date.now() + later });
    assert.equal(token.code, 4, token.stderr);
    assert.equal(
      gh.requests.find((r) => r.params.get("grant_type") === "refresh_token")?.error,
      "bad_refresh_token",
    );
  });
});

Deno.test("clauth whoami asks GitHub's REST API (/api/v3/user on a GitHub Enterprise Server host); the subject is the numeric id", async () => {
  await withGitHub({}, async (gh) => {
    const { home } = await deviceLogin(gh, OAUTH_APP.clientId);
    const whoami = await runClauth(["whoami", "--json"], { env: home.env });
    assert.equal(whoami.code, 0, whoami.stderr);
    const identity = JSON.parse(whoami.stdout);
    assert.equal(identity.sub, String(OCTOCAT.id));
    assert.equal(identity.claims.login, "octocat");
    assert.equal(gh.requests.at(-1)!.path, "/api/v3/user");
  });
});

Deno.test("clauth logout deletes locally, exits 0, and says how to end the login at GitHub", async () => {
  await withGitHub({}, async (gh) => {
    const { home } = await deviceLogin(gh, OAUTH_APP.clientId);
    const token = (await runClauth(["token"], { env: home.env })).stdout.trim();
    const logout = await runClauth(["logout"], { env: home.env });
    assert.equal(logout.code, 0, logout.stderr);
    assert.match(logout.stderr, /has no revocation endpoint: deleting locally only/);
    assert.match(logout.stderr, /https:\/\/github\.com\/settings\/applications/);
    assert.match(
      logout.stderr,
      /DELETE \/applications\/\{client_id\}\/grant .*needs the app's client secret/,
    );
    await assert.rejects(Deno.stat(`${home.stateDir}/tokens/default.json`), Deno.errors.NotFound);
    assert.ok(gh.accepts(token), "GitHub still takes the token, as the advice says");

    // The advice works: the app's owner deletes the grant with the client secret.
    const deleted = await fetch(`${gh.origin}/api/v3/applications/${OAUTH_APP.clientId}/grant`, {
      method: "DELETE",
      headers: {
        authorization: `Basic ${btoa(`${OAUTH_APP.clientId}:${OAUTH_APP.clientSecret}`)}`,
      },
      body: JSON.stringify({ access_token: token }),
    });
    assert.equal(deleted.status, 204);
    assert.ok(!gh.accepts(token));
  });
});
