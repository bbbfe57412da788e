/**
 * Profiles you can save and switch: `clauth profile`, a login with flags saving them (unless
 * --no-save), config writes that keep what clauth does not know and never touch a config that
 * does not parse, and logout --all's guard rails.
 */

import assert from "node:assert/strict";
import { makeCliHome, runClauth } from "../helpers/cli.ts";
import { withProvider } from "../helpers/dev_provider.ts";

const SERVICE = ["--client-id", "demo-service", "--flow", "client-credentials"];

Deno.test("a login with flags saves them as the profile; after logout the profile still works; --no-save saves nothing", async () => {
  await withProvider({}, async (idp) => {
    const home = await makeCliHome();
    const env = { ...home.env, CLAUTH_CLIENT_SECRET: "demo-service-secret" };
    const login = await runClauth(
      ["--profile", "ci", "--issuer", idp.issuer, ...SERVICE, "login"],
      {
        env,
      },
    );
    assert.equal(login.code, 0, login.stderr);
    assert.match(
      login.stderr,
      new RegExp(`^Logged in to ${idp.issuer} as client demo-service \\(profile ci\\)\\.$`, "m"),
    );
    assert.match(login.stderr, /Saved as profile "ci" in /);
    const config = JSON.parse(await Deno.readTextFile(`${home.configDir}/config.json`));
    assert.deepEqual(config.profiles.ci, {
      issuer: idp.issuer,
      client_id: "demo-service",
      flow: "client-credentials",
    });
    assert.ok(!JSON.stringify(config).includes("demo-service-secret"), "never a secret");

    assert.equal((await runClauth(["--profile", "ci", "logout"], { env })).code, 0);
    const again = await runClauth(["--profile", "ci", "token"], { env });
    assert.equal(again.code, 0, "the profile outlived the logout");

    const other = await runClauth([
      "--profile",
      "tmp",
      "--issuer",
      idp.issuer,
      ...SERVICE,
      "login",
      "--no-save",
    ], { env });
    assert.equal(other.code, 0, other.stderr);
    const after = JSON.parse(await Deno.readTextFile(`${home.configDir}/config.json`));
    assert.equal(after.profiles.tmp, undefined);
  });
});

Deno.test("clauth profile save, list, use, show and remove keep keys clauth does not know", async () => {
  const home = await makeCliHome();
  await Deno.writeTextFile(
    `${home.configDir}/config.json`,
    JSON.stringify({
      $schema: "https://example.com/s.json",
      profiles: { old: { issuer: "https://a.example", client_id: "x" } },
    }),
  );
  const save = await runClauth([
    "--issuer",
    "https://login.example.com",
    "--client-id",
    "cli",
    "--scope",
    "openid",
    "profile",
    "save",
    "work",
  ], { env: home.env });
  assert.equal(save.code, 0, save.stderr);
  const use = await runClauth(["profile", "use", "work"], { env: home.env });
  assert.equal(use.code, 0, use.stderr);
  const config = JSON.parse(await Deno.readTextFile(`${home.configDir}/config.json`));
  assert.equal(config.$schema, "https://example.com/s.json", "an unknown key survives");
  assert.equal(config.default_profile, "work");
  assert.deepEqual(config.profiles.work, {
    issuer: "https://login.example.com",
    client_id: "cli",
    scope: "openid",
  });

  const list = await runClauth(["profile", "list"], { env: home.env });
  assert.match(list.stdout, /^\* work {2}https:\/\/login\.example\.com {2}client cli$/m);
  assert.match(list.stdout, /^ {2}old /m);
  const show = await runClauth(["profile", "show", "--json"], { env: home.env });
  assert.equal(JSON.parse(show.stdout).issuer, "https://login.example.com");

  const remove = await runClauth(["profile", "remove", "work"], { env: home.env });
  assert.equal(remove.code, 0, remove.stderr);
  const left = JSON.parse(await Deno.readTextFile(`${home.configDir}/config.json`));
  assert.equal(left.profiles.work, undefined);
  assert.equal(left.default_profile, undefined, "the default went with it");
  assert.equal((await runClauth(["profile", "use", "nope"], { env: home.env })).code, 2);
});

Deno.test("clauth never rewrites a config that does not parse (exit 2, file unchanged)", async () => {
  const home = await makeCliHome();
  const broken = '{ "profiles": { "a": ';
  await Deno.writeTextFile(`${home.configDir}/config.json`, broken);
  const result = await runClauth([
    "--issuer",
    "https://x.example",
    "--client-id",
    "c",
    "profile",
    "save",
    "b",
  ], {
    env: home.env,
  });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /not valid JSON/);
  assert.equal(await Deno.readTextFile(`${home.configDir}/config.json`), broken);
});

Deno.test("logout --all with --profile is refused (exit 2); on a terminal --all asks first, and no means no", async () => {
  await withProvider({}, async (idp) => {
    const home = await makeCliHome();
    // CLAUTH_PROFILE, not --profile: the secret is for the profile the command is about.
    const env = { ...home.env, CLAUTH_CLIENT_SECRET: "demo-service-secret", CLAUTH_PROFILE: "ci" };
    const login = await runClauth(["--issuer", idp.issuer, ...SERVICE, "login"], { env });
    assert.equal(login.code, 0, login.stderr);
    const both = await runClauth(["--profile", "ci", "logout", "--all"], { env });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /give one of them/);

    const tty = { stdin: true, stderr: true };
    const no = await runClauth(["logout", "--all"], { env, tty, stdin: "n\n" });
    assert.equal(no.code, 0);
    assert.match(
      no.stderr,
      /Log out of 1 profile \(ci\) and revoke their tokens\? \[y\/N\] Nothing was logged out\./,
    );
    assert.equal((await runClauth(["status"], { env })).code, 0, "still logged in");
    const yes = await runClauth(["logout", "--all", "--yes"], { env, tty });
    assert.equal(yes.code, 0, yes.stderr);
    assert.equal((await runClauth(["status"], { env })).code, 1, "logged out");
  });
});

Deno.test("clauth token on a terminal with no login says why it logs in, and that it did", async () => {
  const { approveDeviceCode } = await import("../../dev/device_approval.ts");
  const { startClauth } = await import("../helpers/cli.ts");
  const { QUICK_POLL } = await import("../helpers/dev_provider.ts");
  await withProvider({ autoApprove: true, deviceInterval: QUICK_POLL }, async (idp) => {
    const home = await makeCliHome();
    await home.writeConfig({
      profiles: {
        dev: { issuer: idp.issuer, client_id: "demo-cli", flow: "device", scope: "openid" },
      },
    });
    const run = startClauth(["--profile", "dev", "token"], {
      env: home.env,
      tty: { stdin: true, stderr: true },
    });
    const [, uri] = await run.waitForStderr(/which already holds the code:\n {2}(\S+)\n/);
    await approveDeviceCode(uri!);
    const result = await run.result();
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^Profile "dev" has no usable token .*: logging in first\.$/m);
    assert.match(
      result.stderr,
      new RegExp(`^Logged in to ${idp.issuer} as alice \\(profile dev\\)\\.$`, "m"),
    );
    assert.notEqual(result.stdout.trim(), "");
  });
});

Deno.test("a relative file path given as a flag is saved as an absolute one (config paths are relative to the config)", async () => {
  const home = await makeCliHome();
  const result = await runClauth([
    "--issuer",
    "https://login.example.com",
    "--client-id",
    "cli",
    "--client-secret-file",
    "secrets/ci.txt",
    "profile",
    "save",
    "ci",
  ], { env: home.env, cwd: "/work/dir" });
  assert.equal(result.code, 0, result.stderr);
  const config = JSON.parse(await Deno.readTextFile(`${home.configDir}/config.json`));
  assert.equal(config.profiles.ci.client_secret_file, "/work/dir/secrets/ci.txt");
});
