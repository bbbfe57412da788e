/**
 * `storage: keyring` end to end on Linux: a real Secret Service (gnome-keyring in a private
 * D-Bus session) and secret-tool, the dev provider, and clauth as processes where the process
 * boundary matters (the cached path, the lock across 24 processes).
 */

import assert from "node:assert/strict";
import {
  FAKE_BROWSER,
  profileHome,
  runClauth,
  runClauthProcess,
  startCachedPathOnly,
} from "../helpers/cli.ts";
import { introspect, withProvider } from "../helpers/dev_provider.ts";
import {
  secretServiceMissing,
  withSecretService,
  withSilentBus,
} from "../helpers/secret_service.ts";
import { processRunner, secretToolBackend } from "../../storage/keyring_backend.ts";

const missing = await secretServiceMissing();
if (missing) console.log(`Keyring CLI tests ignored: ${missing}`);

/** Profile "me" kept in the keyring (or as `storage` says), logged in as alice. */
async function loggedIn(issuer: string, env: Record<string, string>, storage = "keyring") {
  const scope = "openid offline_access api:read";
  const profile = { issuer, client_id: "demo-cli", flow: "browser", scope, storage };
  const home = await profileHome("me", profile, { BROWSER: FAKE_BROWSER, ...env });
  const login = await runClauth(["login"], { env: home.env });
  assert.equal(login.code, 0, login.stderr);
  return { ...home, login, tokenFile: `${home.stateDir}/tokens/me.json` };
}

const keyringOf = (env: Record<string, string>) =>
  secretToolBackend(processRunner("the Secret Service (secret-tool)", 3000, env));

/** The keyring account of profile "me"'s one slot: one secret per slot, named in its marker. */
async function slotAccountOf(stateDir: string): Promise<string> {
  const marker = await Deno.readTextFile(`${stateDir}/tokens/me.keyring`);
  const [, account] = marker.split("\n");
  assert.match(account!, /^me\.[0-9a-f]{16}$/);
  return account!;
}

Deno.test({
  name:
    "storage keyring: login keeps the tokens in the Secret Service, token prints them, status and profile show say where",
  ignore: missing !== undefined,
  fn: () =>
    withSecretService((bus) =>
      withProvider({ autoApprove: true }, async (idp) => {
        const home = await loggedIn(idp.issuer, bus);
        await assert.rejects(Deno.stat(home.tokenFile), Deno.errors.NotFound);
        const account = await slotAccountOf(home.stateDir);
        const secret = JSON.parse((await keyringOf(bus).read(account))!);
        assert.equal(secret.slots.length, 1, "the secret holds one slot");
        const stored = secret.slots[0];
        // A subprocess that fails if the full command loads: the cached path reads the keyring.
        const token = await startCachedPathOnly(home.env).result;
        assert.equal(token.status.code, 0, token.stderr);
        assert.equal(token.stdout, `${stored.access_token}\n`);
        assert.equal(idp.counts.refresh_token ?? 0, 0);
        const status = await runClauth(["status"], { env: home.env });
        assert.match(
          status.stdout,
          /kept in: the Secret Service \(secret-tool\), items "clauth" \/ "me\.\*" \(one per slot\)/,
        );
        const json = JSON.parse((await runClauth(["status", "--json"], { env: home.env })).stdout);
        assert.equal(json.profiles?.[0]?.storage ?? json[0]?.storage, "keyring");
        const show = await runClauth(["profile", "show"], { env: home.env });
        assert.match(show.stdout, /^storage +keyring$/m);
      })
    ),
});

Deno.test({
  name:
    "storage keyring: 24 concurrent clauth token calls on an expired token refresh once, all print the new token",
  ignore: missing !== undefined,
  fn: () =>
    withSecretService((bus) =>
      withProvider({ autoApprove: true }, async (idp) => {
        const home = await loggedIn(idp.issuer, bus);
        const keyring = keyringOf(bus);
        const account = await slotAccountOf(home.stateDir);
        const secret = JSON.parse((await keyring.read(account))!);
        const now = Math.floor(Date.now() / 1000);
        const old = secret.slots[0].access_token;
        Object.assign(secret.slots[0], { obtained_at: now - 3600, expires_at: now - 10 });
        await keyring.write(account, JSON.stringify(secret));
        const results = await Promise.all(
          Array.from({ length: 24 }, () => runClauthProcess(["token"], { env: home.env })),
        );
        for (const result of results) assert.equal(result.code, 0, result.stderr);
        const printed = new Set(results.map((r) => r.stdout));
        assert.equal(printed.size, 1, "all print the same token");
        assert.notEqual([...printed][0]!.trim(), old);
        assert.equal(idp.counts.refresh_token, 1, "the provider saw exactly one refresh");
        const saved = JSON.parse((await keyring.read(account))!).slots[0];
        assert.equal(`${saved.access_token}\n`, [...printed][0]);
      })
    ),
});

Deno.test({
  name:
    "storage keyring: profile move takes the tokens to files and back, and logout removes the keyring item",
  ignore: missing !== undefined,
  fn: () =>
    withSecretService((bus) =>
      withProvider({ autoApprove: true }, async (idp) => {
        const home = await loggedIn(idp.issuer, bus);
        const keyring = keyringOf(bus);
        const account = await slotAccountOf(home.stateDir);
        const before = JSON.parse((await keyring.read(account))!).slots;
        const toFile = await runClauth(["profile", "move", "me", "--to", "file"], {
          env: home.env,
        });
        assert.equal(toFile.code, 0, toFile.stderr);
        assert.match(toFile.stderr, /Moved 1 token slot of profile "me" to .*me\.json/);
        assert.equal(await keyring.read(account), undefined);
        assert.deepEqual(JSON.parse(await Deno.readTextFile(home.tokenFile)).slots, before);
        const back = await runClauth(["profile", "move", "me", "--to", "keyring"], {
          env: home.env,
        });
        assert.equal(back.code, 0, back.stderr);
        await assert.rejects(Deno.stat(home.tokenFile), Deno.errors.NotFound);
        assert.equal(await slotAccountOf(home.stateDir), account, "the same slot, the same item");
        assert.deepEqual(JSON.parse((await keyring.read(account))!).slots, before);
        const logout = await runClauth(["logout"], { env: home.env });
        assert.equal(logout.code, 0, logout.stderr);
        assert.equal(await keyring.read(account), undefined, "the keyring item is gone");
        assert.equal((await introspect(idp, before[0].refresh_token)).body.active, false);
        const status = await runClauth(["status", "--json"], { env: home.env });
        assert.doesNotMatch(status.stdout, /"logged_in": true/);
      })
    ),
});

Deno.test({
  name:
    "a Secret Service that never answers: storage keyring fails naming it; auto logs in to files with a notice",
  ignore: Deno.build.os !== "linux" || missing !== undefined,
  fn: () =>
    withSilentBus((bus) =>
      withProvider({ autoApprove: true }, async (idp) => {
        const env = { ...bus, CLAUTH_KEYRING_TIMEOUT: "0.5" };
        const scope = "openid offline_access";
        const profile = { issuer: idp.issuer, client_id: "demo-cli", flow: "browser", scope };
        const home = await profileHome("me", profile, { BROWSER: FAKE_BROWSER, ...env });
        const strict = await runClauth(["login", "--storage", "keyring", "--no-save"], {
          env: home.env,
        });
        assert.notEqual(strict.code, 0);
        assert.match(
          strict.stderr,
          /The keyring the Secret Service \(secret-tool\) did not answer within 0\.5 s/,
        );
        // Refused before the login began: nobody signs in for tokens that cannot be kept.
        assert.equal(idp.counts.authorization ?? 0, 0);
        const auto = await runClauth(["login", "--storage", "auto", "--no-save"], {
          env: home.env,
        });
        assert.equal(auto.code, 0, auto.stderr);
        assert.match(auto.stderr, /^Keeping tokens in files: the keyring the Secret Service/m);
        await Deno.stat(`${home.stateDir}/tokens/me.json`);
      })
    ),
});
