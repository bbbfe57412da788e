/**
 * The provider presets through the CLI: `clauth providers`, `--provider` with its location
 * options, unknown names, and a preset profile's tokens served again without the flags.
 * Each preset's own quirks are tested in tests/presets/.
 */

import assert from "node:assert/strict";
import { makeCliHome, runClauth } from "../helpers/cli.ts";
import { withProvider } from "../helpers/dev_provider.ts";

Deno.test("clauth providers lists every preset with what it takes; --json for programs", async () => {
  const home = await makeCliHome();
  const text = await runClauth(["providers"], { env: home.env });
  assert.equal(text.code, 0, text.stderr);
  for (const name of ["github", "google", "microsoft", "gitlab", "auth0", "okta", "keycloak"]) {
    assert.match(text.stdout, new RegExp(`^${name} `, "m"));
  }
  assert.match(text.stdout, /--host HOST: GitHub Enterprise Server \(default github\.com\)/);
  const json = await runClauth(["providers", "--json"], { env: home.env });
  assert.equal(JSON.parse(json.stdout).length, 7);
});

Deno.test("an unknown provider, or a preset missing its location, is a usage error naming the fix (exit 2)", async () => {
  const home = await makeCliHome();
  const unknown = await runClauth(["login", "--provider", "nope", "--client-id", "x"], {
    env: home.env,
  });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown provider "nope": use one of github, google, microsoft/);
  const keycloak = await runClauth(["login", "--provider", "keycloak", "--client-id", "x"], {
    env: home.env,
  });
  assert.equal(keycloak.code, 2);
  assert.match(
    keycloak.stderr,
    /The Keycloak preset needs your issuer, such as https:\/\/HOST\/realms\/REALM/,
  );
  assert.match(keycloak.stderr, /--issuer URL/, "the CLI says which flag");
  const host = await runClauth([
    "login",
    "--provider",
    "github",
    "--host",
    "a/b",
    "--client-id",
    "x",
  ], {
    env: home.env,
  });
  assert.equal(host.code, 2);
  assert.match(host.stderr, /The provider's host must be a host name/);
});

Deno.test("a login with --provider alone is remembered: clauth token serves it again without flags", async () => {
  await withProvider({}, async (idp) => {
    const home = await makeCliHome();
    const env = { ...home.env, CLAUTH_CLIENT_SECRET: "demo-service-secret" };
    const login = await runClauth([
      "--profile",
      "kc",
      "--provider",
      "keycloak",
      "--issuer",
      idp.issuer,
      "--client-id",
      "demo-service",
      "--flow",
      "client-credentials",
      "login",
    ], { env });
    assert.equal(login.code, 0, login.stderr);
    const token = await runClauth(["--profile", "kc", "token"], { env });
    assert.equal(token.code, 0, token.stderr);
    assert.equal(idp.counts.client_credentials, 1, "the stored token was served");
  });
});
