import assert from "node:assert/strict";
import type { Acquisition } from "../../acquisition.ts";
import { JsonFileStore } from "../../storage/json_file_store.ts";
import { MemoryStore } from "../../storage/memory_store.ts";
import { saveTokens } from "../../storage/save_tokens.ts";
import type { StoredTokens, TokenBinding } from "../../storage/token_store.ts";
import { getUsableToken } from "../../storage/usable_token.ts";

const binding: TokenBinding = {
  issuer: "https://as.example",
  client_id: "cli",
  scope: "openid",
  grant: "user",
};
const NOW = 10_000;
const login: Acquisition = {
  response: { access_token: "A", token_type: "Bearer", expires_in: 600, id_token: "ID" },
  authMethod: "none",
};

Deno.test("saveTokens() stores a login in its slot, under the lock, as getUsableToken() reads it", async () => {
  const events: string[] = [];
  const store = new class extends MemoryStore {
    override withLock<T>(profile: string, fn: () => Promise<T>): Promise<T> {
      events.push(`lock ${profile}`);
      return super.withLock(profile, () => {
        events.push("locked");
        return fn();
      });
    }
    override set(profile: string, tokens: StoredTokens): Promise<void> {
      events.push(`set ${profile}`);
      return super.set(profile, tokens);
    }
  }();
  const saved = await saveTokens(login, { store, profile: "p", binding, now: () => NOW });
  assert.deepEqual(events, ["lock p", "locked", "set p"]);
  assert.deepEqual(saved, {
    ...binding,
    access_token: "A",
    token_type: "bearer",
    obtained_at: NOW,
    expires_at: NOW + 600,
    id_token: "ID",
    auth_method: "none",
  });
  const usable = await getUsableToken({ store, profile: "p", binding, now: () => NOW + 60 });
  assert.deepEqual(usable, { tokens: saved, source: "cache" });
});

Deno.test("saveTokens() replaces its slot whole (nothing of an older login is kept) and leaves other slots", async () => {
  const store = new JsonFileStore(await Deno.makeTempDir());
  const other = { ...binding, scope: "admin" };
  const older = {
    response: { access_token: "OLD", token_type: "bearer", refresh_token: "OLD-R", id_token: "X" },
  };
  await saveTokens(older, { store, profile: "p", binding });
  await saveTokens({ response: { access_token: "B", token_type: "bearer" } }, {
    store,
    profile: "p",
    binding: other,
  });

  await saveTokens({ response: { access_token: "NEW", token_type: "bearer" } }, {
    store,
    profile: "p",
    binding,
  });
  const slot = await store.get("p", binding);
  assert.equal(slot?.access_token, "NEW");
  assert.equal(slot?.refresh_token, undefined, "another login's refresh token is not inherited");
  assert.equal(slot?.id_token, undefined);
  assert.equal((await store.get("p", other))?.access_token, "B");
});
