/**
 * `clauth setup-git` with the real git: its global config in a home of the test's own, a git
 * server over smart HTTP on 127.0.0.1 that takes only tokens the dev provider issued.
 */

import assert from "node:assert/strict";
import { type CliHome, runClauth } from "../helpers/cli.ts";
import { introspect, withProvider } from "../helpers/dev_provider.ts";
import { type GitHttpServer, startGitHttpServer } from "../helpers/git_http_server.ts";
import { loggedInHome } from "../helpers/login.ts";
import { missingTool, runTool, toolEnv } from "../helpers/tool_env.ts";
import type { DevProvider } from "../../dev/provider.ts";

const missing = await missingTool("git", ["--version"]);
if (missing) console.log(`git tests ignored: ${missing}.`);

/** A git server that accepts demo-cli's access tokens as the password. */
function gitServer(idp: DevProvider): Promise<GitHttpServer> {
  return startGitHttpServer(async (password) => {
    const { body } = await introspect(idp, password);
    return body.active === true && body.client_id === "demo-cli";
  });
}

/** clauth (in process) and git (a process) sharing one home: its global git config. */
async function gitWorld(home: CliHome) {
  const env = await toolEnv(home);
  return {
    env,
    clauth: (args: string[]) => runClauth(args, { env }),
    git: (args: string[], cwd?: string) => runTool("git", args, env, cwd ? { cwd } : {}),
    gitconfig: () => Deno.readTextFile(`${env.HOME}/.gitconfig`).catch(() => ""),
  };
}

Deno.test({
  name: "clauth setup-git makes git clone and ls-remote work over http, for that host only",
  ignore: missing !== undefined,
  fn: async () => {
    await withProvider({ autoApprove: true }, async (idp) => {
      const [server, other] = [await gitServer(idp), await gitServer(idp)];
      try {
        const world = await gitWorld(await loggedInHome(idp.issuer));
        const repo = `${server.origin}/repo.git`;
        // Before: git has no credentials to send.
        const before = await world.git(["ls-remote", repo]);
        assert.notEqual(before.code, 0);

        const setup = await world.clauth(["setup-git", "--host", server.origin]);
        assert.equal(setup.code, 0, setup.stderr);
        assert.match(
          setup.stderr,
          /git now asks clauth \(profile web\) for credentials for http:\/\/127\.0\.0\.1:\d+, and only there/,
        );

        const listed = await world.git(["ls-remote", repo]);
        assert.equal(listed.code, 0, listed.stderr);
        assert.match(listed.stdout, new RegExp(`^${server.head}\\s+refs/heads/main$`, "m"));
        const work = await Deno.makeTempDir({ prefix: "clauth-clone-" });
        const clone = await world.git(["clone", "--quiet", repo, "copy"], work);
        assert.equal(clone.code, 0, clone.stderr);
        assert.equal(await Deno.readTextFile(`${work}/copy/README`), "served over smart HTTP\n");
        assert.ok(server.requests.some((request) => request.authorized));

        // Another host: git does not ask clauth, and the server never sees a token.
        const elsewhere = await world.git(["ls-remote", `${other.origin}/repo.git`]);
        assert.notEqual(elsewhere.code, 0);
        assert.match(elsewhere.stderr, /could not read Username|Authentication failed/);
        assert.equal(other.requests.some((request) => request.authorized), false);
        assert.ok(other.requests.length > 0, "git did try the other host");

        // Even made every host's helper by hand, clauth answers for its own host only.
        const key = `credential.${server.origin}.helper`;
        const helper = (await world.git(["config", "--global", "--get-all", key])).stdout
          .split("\n")[1]!;
        await world.git(["config", "--global", "credential.helper", helper]);
        const everywhere = await world.git(["ls-remote", `${other.origin}/repo.git`]);
        assert.notEqual(everywhere.code, 0);
        assert.equal(other.requests.some((request) => request.authorized), false);
        assert.equal((await world.git(["ls-remote", repo])).code, 0);
      } finally {
        await server.close();
        await other.close();
      }
    });
  },
});

Deno.test({
  name: "clauth setup-git is idempotent, and --remove takes out only what it added",
  ignore: missing !== undefined,
  fn: async () => {
    await withProvider({ autoApprove: true }, async (idp) => {
      const world = await gitWorld(await loggedInHome(idp.issuer));
      const mine = "[user]\n\tname = alice\n[credential]\n\thelper = cache\n";
      await Deno.writeTextFile(`${world.env.HOME}/.gitconfig`, mine);
      const host = "https://git.example.com";

      assert.equal((await world.clauth(["setup-git", "--host", "git.example.com"])).code, 0);
      const once = await world.gitconfig();
      assert.ok(once.startsWith(mine), once);
      const helpers = await world.git([
        "config",
        "--global",
        "--get-all",
        `credential.${host}.helper`,
      ]);
      const [reset, helper] = helpers.stdout.split("\n");
      assert.equal(reset, "", "the empty value drops helpers configured before it");
      assert.match(
        helper!,
        / token --profile web --output git --git-url https:\/\/git\.example\.com$/,
      );

      const again = await world.clauth(["setup-git", "--host", "git.example.com"]);
      assert.match(again.stderr, /already asks clauth/);
      assert.equal(await world.gitconfig(), once);

      const removed = await world.clauth(["setup-git", "--host", "git.example.com", "--remove"]);
      assert.equal(removed.code, 0, removed.stderr);
      assert.equal(await world.gitconfig(), mine);
      const twice = await world.clauth(["setup-git", "--host", "git.example.com", "--remove"]);
      assert.match(twice.stderr, /nothing to remove/);

      // With a path: that URL, and git sends the path so the helper can check it.
      await world.clauth(["setup-git", "--host", "git.example.com", "--path", "org/"]);
      const scoped = await world.git([
        "config",
        "--global",
        "--get",
        `credential.${host}/org.useHttpPath`,
      ]);
      assert.equal(scoped.stdout.trim(), "true");
    });
  },
});

Deno.test("clauth setup-git refuses plain http to a host that is not loopback, and a missing --host", async () => {
  const refused = await runClauth(["setup-git", "--host", "http://git.example.com"]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /only over https/);
  const none = await runClauth(["setup-git"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--host HOST/);
});

Deno.test("clauth token --git-url answers git only for its URL (and path, with useHttpPath)", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await loggedInHome(idp.issuer);
    const ask = (url: string, request: string) =>
      runClauth(["token", "--output", "git", "--git-url", url, "get"], {
        env: home.env,
        stdin: request,
      });
    const answered = await ask("https://git.example.com", "protocol=https\nhost=git.example.com\n");
    assert.match(answered.stdout, /^username=oauth2\npassword=\S+\n/);
    for (
      const [url, request] of [
        ["https://git.example.com", "protocol=https\nhost=other.example.com\n"],
        ["https://git.example.com", "protocol=http\nhost=git.example.com\n"],
        ["https://git.example.com:8443", "protocol=https\nhost=git.example.com\n"],
        ["https://git.example.com/org", "protocol=https\nhost=git.example.com\n"],
        [
          "https://git.example.com/org",
          "protocol=https\nhost=git.example.com\npath=organisation/x\n",
        ],
      ]
    ) {
      const result = await ask(url!, request!);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "", `${url} must not answer ${JSON.stringify(request)}`);
    }
    const underPath = await ask(
      "https://git.example.com/org",
      "protocol=https\nhost=git.example.com\npath=org/repo.git\n\n",
    );
    assert.match(underPath.stdout, /^password=/m);
  });
});
