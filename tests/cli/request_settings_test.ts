/**
 * The profile keys of issue 15 (dpop, par, audience, resource, login_hint, prompt,
 * acr_values, max_age, auth_params): checked when the config is read, and used by a login
 * as its flags would be. A slot bound to DPoP without its key is a damaged token file.
 */

import assert from "node:assert/strict";
import { ClauthError } from "../../errors.ts";
import { JsonFileStore } from "../../storage/json_file_store.ts";
import { FAKE_BROWSER, makeCliHome, profileHome, runClauth } from "../helpers/cli.ts";
import { withProvider } from "../helpers/dev_provider.ts";

Deno.test("clauth refuses request settings of the wrong kind in the config, naming each (exit 2)", async () => {
  const home = await makeCliHome();
  const cases: [string, unknown, RegExp][] = [
    ["dpop", "yes", /profiles\.w\.dpop must be true or false/],
    ["par", 1, /profiles\.w\.par must be true or false/],
    ["resource", "not a uri", /profiles\.w\.resource must be an absolute URI or a list of them/],
    ["resource", ["https://a.example/#frag"], /profiles\.w\.resource must be an absolute URI/],
    ["max_age", -1, /profiles\.w\.max_age must be a whole number of seconds/],
    ["auth_params", { ui_locales: 1 }, /profiles\.w\.auth_params must be an object/],
    ["audience", "", /profiles\.w\.audience must be a non-empty string/],
  ];
  for (const [key, value, message] of cases) {
    await home.writeConfig({
      profiles: { w: { issuer: "https://as.example", client_id: "c", [key]: value } },
    });
    const result = await runClauth(["token", "--profile", "w"], { env: home.env });
    assert.equal(result.code, 2, key);
    assert.match(result.stderr, message, key);
  }
});

Deno.test("a profile's login_hint, prompt, acr_values, max_age and auth_params go into its login like the flags", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await profileHome("web", {
      issuer: idp.issuer,
      client_id: "demo-cli",
      flow: "browser",
      scope: "openid",
      par: false,
      login_hint: "alice",
      prompt: "login",
      acr_values: "urn:example:mfa",
      max_age: 3600,
      auth_params: { ui_locales: "fr" },
    }, { BROWSER: FAKE_BROWSER });
    const result = await runClauth(["login"], { env: home.env });
    assert.equal(result.code, 0, result.stderr);
    const url = new URL(result.stderr.match(/If it does not open, visit:\n {2}(\S+)\n/)![1]!);
    const asked = Object.fromEntries(
      ["login_hint", "prompt", "acr_values", "max_age", "ui_locales"].map((name) => [
        name,
        url.searchParams.get(name),
      ]),
    );
    assert.deepEqual(asked, {
      login_hint: "alice",
      prompt: "login",
      acr_values: "urn:example:mfa",
      max_age: "3600",
      ui_locales: "fr",
    });
    // The flag beats the profile.
    const flagged = await runClauth(["login", "--login-hint", "bob"], { env: home.env });
    const again = new URL(flagged.stderr.match(/If it does not open, visit:\n {2}(\S+)\n/)![1]!);
    assert.equal(again.searchParams.get("login_hint"), "bob");
  });
});

Deno.test("a token file slot bound to DPoP without its key is damaged: refused, never used as Bearer", async () => {
  const dir = await Deno.makeTempDir();
  const store = new JsonFileStore(dir);
  await Deno.mkdir(`${dir}/tokens`, { recursive: true });
  const slot = {
    issuer: "https://as.example",
    client_id: "c",
    scope: "",
    grant: "user",
    dpop: true,
    access_token: "bound",
    token_type: "dpop",
    obtained_at: 1,
  };
  await Deno.writeTextFile(store.pathOf("p"), JSON.stringify({ slots: [slot] }));
  await assert.rejects(store.slots("p"), (error: unknown) => {
    assert.ok(error instanceof ClauthError);
    assert.equal(error.code, "storage");
    assert.match(error.message, /DPoP-bound tokens without their key/);
    return true;
  });
  await Deno.remove(dir, { recursive: true });
});
