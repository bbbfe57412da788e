import assert from "node:assert/strict";
import { ClauthError } from "../../errors.ts";
import { JsonFileStore } from "../../storage/json_file_store.ts";
import { readTextIfExists, SIZE_LIMITS, writeFaults } from "../../storage/private_files.ts";
import type { StoredTokens } from "../../storage/token_store.ts";
import { getUsableToken } from "../../storage/usable_token.ts";

const posix = Deno.build.os !== "windows";

const binding = {
  issuer: "https://login.example.com",
  client_id: "cli",
  scope: "",
  grant: "user",
} as const;

const sample = (access_token: string, extra: Partial<StoredTokens> = {}): StoredTokens => ({
  ...binding,
  access_token,
  token_type: "bearer",
  obtained_at: 1000,
  expires_at: 4600,
  ...extra,
});

/** Runs `fn` with every write of private_files.ts whose path `fails` picks failing as ENOSPC. */
async function withFullDisk<T>(fails: (path: string) => boolean, fn: () => Promise<T>) {
  writeFaults.beforeWrite = (path) => {
    if (fails(path)) throw new Error(`No space left on device (os error 28): write '${path}'`);
  };
  try {
    return await fn();
  } finally {
    writeFaults.beforeWrite = undefined;
  }
}

async function storageFailure(promise: Promise<unknown>): Promise<ClauthError> {
  const error = await promise.then(() => undefined, (error) => error);
  assert.ok(error instanceof ClauthError, `expected a ClauthError, got ${error}`);
  assert.equal(error.code, "storage");
  return error;
}

Deno.test("JsonFileStore.delete(profile) removes the token file, damaged copies, temp files and the lock", async () => {
  const dir = await Deno.makeTempDir();
  const store = new JsonFileStore(dir);
  await store.withLock("work", () => store.set("work", sample("A")));
  await store.withLock("work.b", () => store.set("work.b", sample("B")));
  const tokens = `${dir}/tokens`;
  await Deno.writeTextFile(`${tokens}/work.json.damaged-2026-11-29T19-10-32-123Z`, "{}");
  await Deno.writeTextFile(`${tokens}/work.json.${crypto.randomUUID()}.tmp`, "{}");
  // Under the lock, as logout deletes.
  assert.equal(await store.withLock("work", () => store.delete("work")), true);
  const left = [...Deno.readDirSync(tokens)].map((e) => e.name).sort();
  assert.deepEqual(left, ["work.b.json", "work.b.lock"], "another profile's files stay");
  // The lock still works after its file went.
  await store.withLock("work", () => store.set("work", sample("C")));
  assert.equal((await store.get("work", binding))?.access_token, "C");
});

Deno.test("JsonFileStore.delete(profile) outside the lock removes the lock file too", async () => {
  const dir = await Deno.makeTempDir();
  const store = new JsonFileStore(dir);
  await store.withLock("work", () => store.set("work", sample("A")));
  assert.equal(await store.delete("work"), true);
  assert.deepEqual([...Deno.readDirSync(`${dir}/tokens`)], []);
});

Deno.test("JsonFileStore.withLock() waiting on a lock file that a logout removed takes the new one", async () => {
  const dir = await Deno.makeTempDir();
  const store = new JsonFileStore(dir);
  const other = new JsonFileStore(dir); // a second process, as far as the lock goes
  await store.set("work", sample("A"));
  let releaseFirst!: () => void;
  const held = new Promise<void>((resolve) => releaseFirst = resolve);
  let waiting!: () => void;
  const isWaiting = new Promise<void>((resolve) => waiting = resolve);
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => locked = resolve);
  const logout = store.withLock("work", async () => {
    locked();
    await held;
    await store.delete("work");
  });
  await isLocked;
  // Holding the lock must mean holding the file at the path: a third process opening it
  // now must find it locked.
  const thirdCouldLock = other.withLock("work", () => {
    const third = Deno.openSync(`${dir}/tokens/work.lock`, { write: true, create: true });
    try {
      return Promise.resolve(third.tryLockSync(true));
    } finally {
      third.close();
    }
  }, { onWait: waiting });
  await isWaiting;
  releaseFirst();
  await logout;
  assert.equal(await thirdCouldLock, false);
});

Deno.test("getUsableToken() checks the disk before spending a refresh token", async () => {
  const dir = await Deno.makeTempDir();
  const store = new JsonFileStore(dir);
  await store.set("work", sample("OLD", { expires_at: 1100, refresh_token: "R1" }));
  let refreshed = 0;
  const error = await withFullDisk(() => true, () =>
    storageFailure(getUsableToken({
      store,
      profile: "work",
      binding,
      now: () => 2000,
      refresh: () => {
        refreshed++;
        return Promise.resolve({ response: { access_token: "NEW", token_type: "Bearer" } });
      },
    })));
  assert.equal(refreshed, 0, "the refresh token was not spent");
  assert.match(error.message, /Cannot write .*work\.json: no space left on device/);
  assert.equal((await store.get("work", binding))?.refresh_token, "R1");
  assert.deepEqual([...Deno.readDirSync(`${dir}/tokens`)].map((e) => e.name).sort(), [
    "work.json",
    "work.lock",
  ]);
});

Deno.test("getUsableToken() keeps a rotated refresh token in a 0600 rescue file when the save fails", async () => {
  const dir = await Deno.makeTempDir();
  const store = new JsonFileStore(dir);
  await store.set("work", sample("OLD", { expires_at: 1100, refresh_token: "R1" }));
  let writes = 0;
  // The probe passes; the disk fills before the save; the rescue goes elsewhere.
  const error = await withFullDisk(
    (path) => path.startsWith(`${dir}/tokens/`) && ++writes > 1,
    () =>
      storageFailure(getUsableToken({
        store,
        profile: "work",
        binding,
        now: () => 2000,
        refresh: () =>
          Promise.resolve({
            response: { access_token: "NEW", token_type: "Bearer", refresh_token: "R2" },
          }),
      })),
  );
  assert.match(error.message, /Cannot write .*work\.json: no space left on device/);
  assert.doesNotMatch(error.message, /NEW|R2/, "no token in the message");
  const rescue = error.message.match(/kept in (\S+) \(readable by you only\)/)?.[1];
  assert.ok(rescue, error.message);
  const saved = JSON.parse(await Deno.readTextFile(rescue)).slots[0];
  assert.equal(saved.refresh_token, "R2");
  assert.equal(saved.access_token, "NEW");
  if (posix) assert.equal((await Deno.stat(rescue)).mode! & 0o777, 0o600);
  await Deno.remove(rescue);
  // The old file is intact and no temp file is left.
  assert.equal((await store.get("work", binding))?.refresh_token, "R1");
  assert.deepEqual([...Deno.readDirSync(`${dir}/tokens`)].map((e) => e.name).sort(), [
    "work.json",
    "work.lock",
  ]);
});

Deno.test("JsonFileStore.set() says the tokens are lost when no rescue file can be written either", async () => {
  const dir = await Deno.makeTempDir();
  const store = new JsonFileStore(dir);
  await store.set("work", sample("A"));
  const error = await withFullDisk(
    () => true,
    () => storageFailure(store.set("work", sample("B", { refresh_token: "R2" }))),
  );
  assert.match(error.message, /Cannot write .*work\.json: no space left on device/);
  assert.match(error.message, /could not be saved anywhere and are lost.*log in again/);
});

Deno.test("JsonFileStore names the file and the operation of every failure", async () => {
  const dir = await Deno.makeTempDir();
  // A file where the token folder goes.
  await Deno.writeTextFile(`${dir}/tokens`, "");
  const store = new JsonFileStore(dir);
  const create = await storageFailure(store.set("work", sample("A")));
  assert.match(create.message, /^Cannot create the folder .*tokens: /);
  const lock = await storageFailure(store.withLock("work", () => Promise.resolve()));
  assert.match(lock.message, /^Cannot create the folder .*tokens: /);

  const dir2 = await Deno.makeTempDir();
  const store2 = new JsonFileStore(dir2);
  await Deno.mkdir(`${dir2}/tokens/work.json`, { recursive: true });
  const read = await storageFailure(store2.slots("work"));
  assert.equal(
    read.message,
    `Cannot read the token file ${dir2}/tokens/work.json: it is a folder.`,
  );
  const check = await storageFailure(store2.checkWritable("work"));
  assert.match(check.message, /Cannot write .*work\.json: it is a folder/);
});

Deno.test("JsonFileStore refuses to store or read a token file past its size limit", async () => {
  const dir = await Deno.makeTempDir();
  const store = new JsonFileStore(dir);
  await store.set("work", sample("A"));
  const huge = "x".repeat(SIZE_LIMITS.tokenFile);
  const write = await storageFailure(store.set("work", sample(huge)));
  assert.match(write.message, /more than the 1 MiB a token file may hold/);
  assert.doesNotMatch(write.message, /xxxx/);
  assert.equal((await store.get("work", binding))?.access_token, "A", "the old file stays");

  await Deno.writeTextFile(store.pathOf("work"), huge + "x");
  const read = await storageFailure(store.slots("work"));
  assert.match(read.message, /token file .*work\.json: it is larger than the 1 MiB/);
});

Deno.test(
  "readTextIfExists() refuses a FIFO without blocking on it",
  { ignore: !posix },
  async () => {
    const dir = await Deno.makeTempDir();
    const fifo = `${dir}/config.json`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.equal(made.code, 0);
    const error = await storageFailure(readTextIfExists(fifo, { what: "the config file" }));
    assert.match(
      error.message,
      /^Cannot read the config file .*config\.json: it is not a regular file/,
    );
  },
);

Deno.test("readTextIfExists() refuses a device that never ends", { ignore: !posix }, async () => {
  const error = await storageFailure(readTextIfExists("/dev/zero"));
  assert.match(error.message, /\/dev\/zero: it is not a regular file/);
});
