/**
 * KeyringStore and ChosenStore on a real Secret Service (gnome-keyring in a private D-Bus
 * session, tests/helpers/secret_service.ts), and on a bus that never answers.
 */

import { slotAccount } from "../../storage/keyring_store.ts";
import assert from "node:assert/strict";
import { ChosenStore, moveProfile, type StorageKind } from "../../storage/chosen_store.ts";
import { processRunner, secretToolBackend } from "../../storage/keyring_backend.ts";
import type { StoredTokens } from "../../storage/token_store.ts";
import {
  secretServiceMissing,
  withSecretService,
  withSilentBus,
} from "../helpers/secret_service.ts";

const missing = await secretServiceMissing();
if (missing) console.log(`Secret Service tests ignored: ${missing}`);

const user = {
  issuer: "https://login.example.com",
  client_id: "my-cli",
  scope: "openid",
  grant: "user",
} as const;
const tokens = (access_token: string, scope = "openid"): StoredTokens => ({
  ...user,
  scope,
  access_token,
  token_type: "bearer",
  obtained_at: 1000,
  refresh_token: `refresh-${access_token}`,
});

function storeOn(env: Record<string, string>, kind: StorageKind, timeoutMs = 3000) {
  const stateDir = Deno.makeTempDirSync();
  const notices: string[] = [];
  const store = new ChosenStore(stateDir, kind, {
    keyring: () =>
      secretToolBackend(processRunner("the Secret Service (secret-tool)", timeoutMs, env)),
    notice: (line) => notices.push(line),
  });
  return { store, stateDir, notices };
}

Deno.test({
  name: "keyring store: slots saved, read, listed and deleted in the Secret Service, no token file",
  ignore: missing !== undefined,
  fn: () =>
    withSecretService(async (env) => {
      const { store, stateDir } = storeOn(env, "keyring");
      await store.withLock("work", async () => {
        await store.set("work", tokens("a"));
        await store.set("work", tokens("b", "admin"));
      });
      assert.equal((await store.get("work", user))?.access_token, "a");
      assert.deepEqual((await store.slots("work")).map((s) => s.access_token), ["a", "b"]);
      assert.deepEqual(await store.list(), ["work"]);
      assert.equal((await store.whereIs("work")).kind, "keyring");
      const files = [...Deno.readDirSync(`${stateDir}/tokens`)].map((e) => e.name).sort();
      assert.deepEqual(files, ["work.keyring", "work.lock"], "no token in a file");
      // One secret per slot, each the file store's JSON for that slot.
      const keyring = secretToolBackend(processRunner("x", 3000, env));
      const accountA = await slotAccount("work", user);
      const raw = await keyring.read(accountA);
      assert.equal(JSON.parse(raw!).slots.length, 1);
      assert.match(raw!, /"access_token": "a"/);
      assert.equal(await keyring.read("work"), undefined, "no secret for the whole profile");
      assert.equal(await store.delete("work", user), true);
      assert.equal(await keyring.read(accountA), undefined, "that slot's secret is gone");
      assert.deepEqual((await store.slots("work")).map((s) => s.access_token), ["b"]);
      assert.equal(await store.delete("work"), true);
      assert.deepEqual(await store.list(), []);
      assert.deepEqual(await store.slots("work"), []);
    }),
});

Deno.test({
  name: "keyring store: a profile moves to the keyring and back with every slot",
  ignore: missing !== undefined,
  fn: () =>
    withSecretService(async (env) => {
      const { store, stateDir } = storeOn(env, "file");
      await store.withLock("work", async () => {
        await store.set("work", tokens("a"));
        await store.set("work", tokens("b", "admin"));
      });
      const before = await store.slots("work");
      assert.equal(await store.withLock("work", () => moveProfile(store, "work", "keyring")), 2);
      await assert.rejects(Deno.stat(`${stateDir}/tokens/work.json`), Deno.errors.NotFound);
      assert.deepEqual(await store.keyring.slots("work"), before);
      assert.deepEqual(await store.slots("work"), before, "read where they are now");
      assert.equal(await store.withLock("work", () => moveProfile(store, "work", "file")), 2);
      assert.deepEqual(await store.files.slots("work"), before);
      assert.equal(await store.inKeyring("work"), false);
      for (const slot of before) {
        assert.equal(await store.keyring.backend.read(await slotAccount("work", slot)), undefined);
      }
    }),
});

Deno.test({
  name:
    "keyring store: a Secret Service that never answers fails within the timeout, naming it; auto falls back to files",
  ignore: Deno.build.os !== "linux" || missing !== undefined,
  fn: () =>
    withSilentBus(async (env) => {
      const strict = storeOn(env, "keyring", 300);
      await assert.rejects(
        strict.store.set("work", tokens("a")),
        /The keyring the Secret Service \(secret-tool\) did not answer within 0\.3 s/,
      );
      const auto = storeOn(env, "auto", 300);
      await auto.store.set("work", tokens("a"));
      await auto.store.set("work", tokens("b", "admin")); // the keyring is not asked again
      assert.deepEqual(auto.notices, [
        "Keeping tokens in files: the keyring the Secret Service (secret-tool) did not answer within 0.3 s (locked, or no keyring service running).",
      ]);
      assert.equal((await auto.store.whereIs("work")).kind, "file");
      assert.equal((await auto.store.files.slots("work")).length, 2);
    }),
});
