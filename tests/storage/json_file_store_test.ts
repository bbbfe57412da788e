import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ClauthError } from "../../errors.ts";
import { JsonFileStore } from "../../storage/json_file_store.ts";
import type { StoredTokens } from "../../storage/token_store.ts";

const sample = (access_token: string): StoredTokens => ({
  issuer: "https://login.example.com",
  client_id: "cli",
  scope: "",
  grant: "user",
  access_token,
  token_type: "bearer",
  obtained_at: 1000,
  expires_at: 4600,
});

const posix = Deno.build.os !== "windows";

Deno.test("JsonFileStore.set() creates a 0700 folder and a 0600 file, and get() reads it back", async () => {
  const dir = await Deno.makeTempDir();
  const store = new JsonFileStore(`${dir}/state`);
  await store.set("work", sample("A"));
  assert.deepEqual(await store.get("work", sample("A")), sample("A"));
  if (posix) {
    assert.equal((await Deno.stat(`${dir}/state/tokens`)).mode! & 0o777, 0o700);
    assert.equal((await Deno.stat(store.pathOf("work"))).mode! & 0o777, 0o600);
  }
  assert.deepEqual(await store.list(), ["work"]);
  assert.equal(await store.delete("work"), true);
  assert.equal(await store.delete("work"), false);
  assert.equal(await store.get("work", sample("A")), undefined);
});

Deno.test("JsonFileStore.set() tightens a folder that already existed with loose permissions", {
  ignore: !posix,
}, async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/tokens`, { mode: 0o755 });
  await Deno.chmod(`${dir}/tokens`, 0o755);
  await new JsonFileStore(dir).set("p", sample("A"));
  assert.equal((await Deno.stat(`${dir}/tokens`)).mode! & 0o777, 0o700);
});

Deno.test("JsonFileStore.get() names the damaged file, and set() keeps it aside", async () => {
  const dir = await Deno.makeTempDir();
  const store = new JsonFileStore(dir);
  await Deno.mkdir(`${dir}/tokens`, { recursive: true });
  await Deno.writeTextFile(store.pathOf("p"), '{"access_token": "tok-SECRET-1", nope}');
  await assert.rejects(store.get("p", sample("A")), (error: unknown) => {
    assert.ok(error instanceof ClauthError);
    assert.equal(error.code, "storage");
    assert.match(error.message, /p\.json is damaged \(not valid JSON/);
    assert.ok(!error.message.includes("SECRET"), "the file's content is never quoted");
    assert.match(error.message, /Logging in to profile "p" again replaces it/);
    return true;
  });
  await store.set("p", sample("B"));
  assert.equal((await store.get("p", sample("A")))?.access_token, "B");
  const kept = [...Deno.readDirSync(`${dir}/tokens`)].map((e) => e.name).filter((n) =>
    n.includes("damaged")
  );
  assert.equal(kept.length, 1);
  assert.equal(
    await Deno.readTextFile(`${dir}/tokens/${kept[0]}`),
    '{"access_token": "tok-SECRET-1", nope}',
  );
});

Deno.test("JsonFileStore rejects profile names that could escape the folder", async () => {
  const store = new JsonFileStore(await Deno.makeTempDir());
  for (const name of ["../x", "a/b", "", ".hidden", "a b", "Work", "nul", "com1.x", "con"]) {
    assert.throws(() => store.pathOf(name), /Invalid profile name/);
  }
});

Deno.test("JsonFileStore.withLock() serializes holders across stores on the same folder", async () => {
  const dir = await Deno.makeTempDir();
  const events: string[] = [];
  // a holds the lock until b has found it taken: b must then wait for a to let go.
  let aIn!: () => void;
  const aInside = new Promise<void>((resolve) => (aIn = resolve));
  let bWaits!: () => void;
  const bWaiting = new Promise<void>((resolve) => (bWaits = resolve));
  const a = new JsonFileStore(dir).withLock("p", async () => {
    events.push("a in");
    aIn();
    await bWaiting;
    events.push("a out");
  });
  await aInside;
  const b = new JsonFileStore(dir).withLock("p", () => {
    events.push("b in");
    return Promise.resolve();
  }, {
    onWait: () => {
      events.push("b waits");
      bWaits();
    },
  });
  await Promise.all([a, b]);
  assert.deepEqual(events, ["a in", "b waits", "a out", "b in"]);
});

Deno.test("JsonFileStore.set() leaves the previous file intact when the writer dies before rename", async () => {
  const dir = await Deno.makeTempDir();
  await new JsonFileStore(dir).set("p", sample("OLD"));
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      fileURLToPath(new URL("./_crashing_writer.ts", import.meta.url)),
      dir,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  // The child writes its temp file, prints "ready", then waits to be killed mid-write.
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  assert.equal(new TextDecoder().decode(value).trim(), "ready");
  child.kill("SIGKILL");
  reader.releaseLock();
  await child.stdout.cancel();
  const status = await child.status;
  assert.equal(status.success, false);
  // The new tokens were written, only not yet renamed over the token file.
  const left = [...Deno.readDirSync(`${dir}/tokens`)].filter((e) => e.name.endsWith(".tmp"));
  assert.equal(left.length, 1);
  assert.match(await Deno.readTextFile(`${dir}/tokens/${left[0]!.name}`), /"NEW"/);
  assert.equal((await new JsonFileStore(dir).get("p", sample("OLD")))?.access_token, "OLD");
});

Deno.test("JsonFileStore.set() removes temporary files a crashed writer left, but not a live one's", async () => {
  const dir = await Deno.makeTempDir();
  const store = new JsonFileStore(dir);
  await store.set("p", sample("A"));
  const stale = `${dir}/tokens/p.json.dead.tmp`;
  const live = `${dir}/tokens/p.json.live.tmp`;
  const other = `${dir}/tokens/q.json.dead.tmp`;
  for (const file of [stale, live, other]) await Deno.writeTextFile(file, "{}");
  const anHourAgo = new Date(Date.now() - 3_600_000);
  await Deno.utime(stale, anHourAgo, anHourAgo);
  await Deno.utime(other, anHourAgo, anHourAgo);
  await store.set("p", sample("B"));
  await assert.rejects(Deno.stat(stale), Deno.errors.NotFound);
  assert.ok((await Deno.stat(live)).isFile, "a recent temporary file may be a write in progress");
  assert.ok((await Deno.stat(other)).isFile, "another profile's files are its own business");
});

Deno.test("JsonFileStore keeps one slot per binding: other settings never replace a login", async () => {
  const dir = await Deno.makeTempDir();
  const store = new JsonFileStore(dir);
  const user = sample("USER");
  const service = { ...sample("SERVICE"), client_id: "svc", grant: "client-credentials" as const };
  await store.set("p", user);
  await store.set("p", service);
  assert.equal((await store.get("p", user))?.access_token, "USER");
  assert.equal((await store.get("p", service))?.access_token, "SERVICE");
  await store.set("p", sample("USER-2")); // same binding: replaces its own slot only
  assert.deepEqual((await store.slots("p")).map((slot) => slot.access_token), [
    "USER-2",
    "SERVICE",
  ]);
  assert.equal(await store.delete("p", service), true);
  assert.deepEqual((await store.slots("p")).map((slot) => slot.access_token), ["USER-2"]);
  assert.equal(await store.delete("p", service), false);
  assert.equal(await store.delete("p", user), true);
  assert.deepEqual(await store.list(), [], "the last slot gone, the file goes too");
});

Deno.test("JsonFileStore reads a file from before slots as one slot, and the next save keeps it", async () => {
  const dir = await Deno.makeTempDir();
  const store = new JsonFileStore(dir);
  await Deno.mkdir(`${dir}/tokens`, { recursive: true });
  const old = { ...sample("OLD"), refresh_token: "OLD-REFRESH" };
  await Deno.writeTextFile(store.pathOf("p"), JSON.stringify(old));
  assert.deepEqual(await store.get("p", old), old);
  const service = { ...sample("SERVICE"), client_id: "svc", grant: "client-credentials" as const };
  await store.set("p", service);
  const file = JSON.parse(await Deno.readTextFile(store.pathOf("p")));
  assert.deepEqual(file, { slots: [old, service] }, "nothing of the old login is lost");
});
