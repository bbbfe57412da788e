import assert from "node:assert/strict";
import { ClauthError } from "../../errors.ts";
import { MemoryStore } from "../../storage/memory_store.ts";
import type { StoredTokens, TokenBinding } from "../../storage/token_store.ts";
import type { Acquisition } from "../../acquisition.ts";
import { getUsableToken } from "../../storage/usable_token.ts";

const binding: TokenBinding = {
  issuer: "https://as.example",
  client_id: "cli",
  scope: "a b",
  grant: "user",
};
const NOW = 10_000;
const stored = (over: Partial<StoredTokens> = {}): StoredTokens => ({
  ...binding,
  access_token: "old-access",
  token_type: "bearer",
  obtained_at: NOW - 100,
  expires_at: NOW + 3500,
  refresh_token: "old-refresh",
  ...over,
});
const issued = (access: string, extra: Partial<Acquisition["response"]> = {}): Acquisition => ({
  response: { access_token: access, token_type: "Bearer", expires_in: 3600, ...extra },
});
const never = () => Promise.reject(new Error("must not be called"));

Deno.test("getUsableToken() returns a fresh cached token without calling anything", async () => {
  const store = new MemoryStore();
  await store.set("p", stored());
  const result = await getUsableToken({
    store,
    profile: "p",
    binding,
    now: () => NOW,
    refresh: never,
    fetchNew: never,
    login: never,
  });
  assert.equal(result.source, "cache");
  assert.equal(result.tokens.access_token, "old-access");
});

Deno.test("getUsableToken() refreshes a stale token and keeps the refresh token when none is returned", async () => {
  const store = new MemoryStore();
  await store.set("p", stored({ expires_at: NOW + 10 }));
  const result = await getUsableToken({
    store,
    profile: "p",
    binding,
    now: () => NOW,
    refresh: (tokens) => {
      assert.equal(tokens.refresh_token, "old-refresh");
      return Promise.resolve(issued("new-access"));
    },
  });
  assert.equal(result.source, "refresh");
  const saved = await store.get("p", binding);
  assert.equal(saved?.access_token, "new-access");
  assert.equal(saved?.refresh_token, "old-refresh");
  assert.equal(saved?.token_type, "bearer");
  assert.equal(saved?.expires_at, NOW + 3600);
});

Deno.test("getUsableToken() caps only the default minimum at half the token lifetime", async () => {
  const store = new MemoryStore();
  // A 60 s token with 35 s left: more than the default 30 s (half of 60 caps nothing).
  await store.set("p", stored({ obtained_at: NOW - 25, expires_at: NOW + 35 }));
  const options = { store, profile: "p", binding, now: () => NOW };
  assert.equal((await getUsableToken({ ...options, refresh: never })).source, "cache");
  // A 40 s token with 25 s left: the default minimum is capped at 20 s, so it still serves.
  await store.set("p", stored({ obtained_at: NOW - 15, expires_at: NOW + 25 }));
  assert.equal((await getUsableToken({ ...options, refresh: never })).source, "cache");
});

Deno.test("getUsableToken() honours a minTtl given, and says when even a new token is shorter", async () => {
  const store = new MemoryStore();
  // 15-minute tokens with 10 minutes left; a job needs 12: renew, do not cap to 7.5.
  await store.set("p", stored({ obtained_at: NOW - 300, expires_at: NOW + 600 }));
  const renewed = await getUsableToken({
    store,
    profile: "p",
    binding,
    minTtl: 720,
    now: () => NOW,
    refresh: () => Promise.resolve(issued("renewed", { expires_in: 900 })),
  });
  assert.equal(renewed.source, "refresh");
  assert.equal(renewed.tokens.access_token, "renewed");
  assert.equal(renewed.shorterThanAsked, undefined);
  // 20 minutes wanted: the server's newest 15-minute token is still handed out, flagged.
  const short = await getUsableToken({
    store,
    profile: "p",
    binding,
    minTtl: 1200,
    now: () => NOW,
    refresh: () => Promise.resolve(issued("short", { expires_in: 900 })),
  });
  assert.equal(short.tokens.access_token, "short");
  assert.equal(short.shorterThanAsked, true);
});

Deno.test("getUsableToken() ignores tokens obtained for another issuer, client or scope", async () => {
  for (
    const other of [{ issuer: "https://other" }, { client_id: "x" }, { scope: "a" }, {
      grant: "client-credentials" as const,
    }]
  ) {
    const store = new MemoryStore();
    await store.set("p", stored(other));
    const result = await getUsableToken({
      store,
      profile: "p",
      binding,
      now: () => NOW,
      refresh: never,
      login: () => Promise.resolve(issued("logged-in")),
    });
    assert.equal(result.source, "login", JSON.stringify(other));
    assert.deepEqual({ ...binding }, {
      issuer: result.tokens.issuer,
      client_id: result.tokens.client_id,
      scope: result.tokens.scope,
      grant: result.tokens.grant,
    });
  }
});

Deno.test("getUsableToken() clears dead tokens on invalid_grant and reports login required", async () => {
  const store = new MemoryStore();
  await store.set("p", stored({ expires_at: NOW - 1 }));
  await assert.rejects(
    getUsableToken({
      store,
      profile: "p",
      binding,
      now: () => NOW,
      refresh: () =>
        Promise.reject(
          new ClauthError("invalid_grant", "The token endpoint refused the request: invalid_grant"),
        ),
      loginCommand: "my-cli login",
    }),
    (error: unknown) => {
      assert.ok(error instanceof ClauthError);
      assert.equal(error.code, "login_required");
      assert.match(error.message, /stored tokens were removed; run "my-cli login"/);
      return true;
    },
  );
  assert.equal(await store.get("p", binding), undefined);
});

Deno.test("getUsableToken() falls back to an interactive login after invalid_grant when allowed", async () => {
  const store = new MemoryStore();
  await store.set("p", stored({ expires_at: NOW - 1 }));
  const result = await getUsableToken({
    store,
    profile: "p",
    binding,
    now: () => NOW,
    refresh: () => Promise.reject(new ClauthError("invalid_grant", "dead")),
    login: () => Promise.resolve(issued("fresh-login", { refresh_token: "r2" })),
  });
  assert.equal(result.source, "login");
  assert.equal((await store.get("p", binding))?.refresh_token, "r2");
});

Deno.test("getUsableToken() keeps the stored tokens when a refresh fails for another reason", async () => {
  const store = new MemoryStore();
  await store.set("p", stored({ expires_at: NOW - 1 }));
  await assert.rejects(
    getUsableToken({
      store,
      profile: "p",
      binding,
      now: () => NOW,
      refresh: () => Promise.reject(new ClauthError("network", "offline")),
    }),
    /offline/,
  );
  assert.equal((await store.get("p", binding))?.refresh_token, "old-refresh");
});

Deno.test("getUsableToken() renews once when many callers race for a stale token", async () => {
  const store = new MemoryStore();
  await store.set("p", stored({ expires_at: NOW - 1 }));
  let refreshes = 0;
  const results = await Promise.all(Array.from({ length: 10 }, () =>
    getUsableToken({
      store,
      profile: "p",
      binding,
      now: () => NOW,
      // All ten read the stale token before the first refresh is saved: only the re-read
      // under the lock keeps the other nine from refreshing too.
      refresh: () => {
        refreshes++;
        return Promise.resolve(issued(`new-${refreshes}`));
      },
    })));
  assert.equal(refreshes, 1);
  assert.deepEqual(new Set(results.map((r) => r.tokens.access_token)), new Set(["new-1"]));
});

Deno.test("getUsableToken() with forceRefresh renews a fresh token, and fetchNew serves client credentials", async () => {
  const store = new MemoryStore();
  const cc: TokenBinding = { ...binding, grant: "client-credentials" };
  const { refresh_token: _dropped, ...withoutRefresh } = stored();
  await store.set("p", { ...withoutRefresh, ...cc });
  const result = await getUsableToken({
    store,
    profile: "p",
    binding: cc,
    now: () => NOW,
    forceRefresh: true,
    fetchNew: () => Promise.resolve({ ...issued("cc-2"), authMethod: "client_secret_post" }),
  });
  assert.equal(result.source, "fetch");
  assert.equal((await store.get("p", cc))?.auth_method, "client_secret_post");
});

Deno.test("getUsableToken() says which command to run when it cannot log in", async () => {
  await assert.rejects(
    getUsableToken({
      store: new MemoryStore(),
      profile: "p",
      binding,
      loginCommand: "clauth login --profile p",
    }),
    (error: unknown) =>
      error instanceof ClauthError && error.code === "login_required" &&
      /run "clauth login --profile p"/.test(error.message),
  );
});

Deno.test("getUsableToken() says why stored tokens cannot serve when it cannot log in", async () => {
  const store = new MemoryStore();
  await store.set("p", stored({ scope: "a" }));
  await assert.rejects(
    getUsableToken({ store, profile: "p", binding, now: () => NOW }),
    /No usable token for profile "p" \(the profile's stored tokens are for scope "a", this run asks for "a b"\)/,
  );
  const { refresh_token: _gone, ...withoutRefresh } = stored({ expires_at: NOW - 1 });
  await store.set("p", withoutRefresh);
  await assert.rejects(
    getUsableToken({ store, profile: "p", binding, now: () => NOW }),
    /has expired and there is no refresh token \(ask for the offline_access scope/,
  );
});
