/**
 * Many `clauth token` calls on a stale token: the first takes the profile's lock and renews,
 * the others wait for it on the cached-token path and print the renewed token without loading
 * the full command (bench/storm.ts measures it).
 */

import assert from "node:assert/strict";
import { main, type ProgramModule } from "../../cli/main.ts";
import { JsonFileStore } from "../../storage/json_file_store.ts";
import { type CliHome, profileHome, startCachedPathOnly } from "../helpers/cli.ts";
import { fakeRuntime } from "../helpers/fake_runtime.ts";

const ISSUER = "https://login.example.com";
// POSIX file locks: a lock file removed while held, as a logout does (Windows forbids that).
const linuxOnly = Deno.build.os !== "linux";

async function staleHome(): Promise<CliHome & { tokenFile: string; lockFile: string }> {
  const home = await profileHome("ci", {
    issuer: ISSUER,
    client_id: "demo-service",
    flow: "client-credentials",
  }, { CLAUTH_CLIENT_SECRET: "demo-service-secret" });
  await Deno.mkdir(`${home.stateDir}/tokens`, { recursive: true, mode: 0o700 });
  const tokenFile = `${home.stateDir}/tokens/ci.json`;
  await writeToken(tokenFile, "old-token", -10);
  return { ...home, tokenFile, lockFile: `${home.stateDir}/tokens/ci.lock` };
}

async function writeToken(tokenFile: string, value: string, ttl: number): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const slot = {
    issuer: ISSUER,
    client_id: "demo-service",
    scope: "",
    grant: "client-credentials",
    access_token: value,
    token_type: "bearer",
    obtained_at: now - 3600,
    expires_at: now + ttl,
  };
  await Deno.writeTextFile(tokenFile, JSON.stringify({ slots: [slot] }), { mode: 0o600 });
}

/** Holds `path`'s lock, as a clauth renewing the tokens does. */
async function holdLock(path: string): Promise<Deno.FsFile> {
  const file = await Deno.open(path, { write: true, create: true, mode: 0o600 });
  await file.lock(true);
  return file;
}

Deno.test({
  name:
    "clauth token waits for the process renewing a stale token and prints its token without loading the full command",
  ignore: linuxOnly,
  fn: async () => {
    const home = await staleHome();
    const renewer = await holdLock(home.lockFile);
    const waiter = startCachedPathOnly(home.env);
    // It read the stale token and now waits: the renewal ends with a new token.
    await waiter.waitingForLock();
    await writeToken(home.tokenFile, "new-token", 3600);
    renewer.close();
    const { status, stdout, stderr } = await waiter.result;
    assert.deepEqual({ code: status.code, stdout, stderr }, {
      code: 0,
      stdout: "new-token\n",
      stderr: "",
    });
  },
});

Deno.test({
  name:
    "clauth token goes on to the full command when the renewal it waited for left the token stale",
  ignore: linuxOnly,
  fn: async () => {
    const home = await staleHome();
    const renewer = await holdLock(home.lockFile);
    const waiter = startCachedPathOnly(home.env);
    await waiter.waitingForLock();
    renewer.close(); // a failed renewal: the token stays stale
    const { status, stdout, stderr } = await waiter.result;
    assert.notEqual(status.code, 0);
    assert.equal(stdout, "");
    assert.match(stderr, /the full command ran/);
  },
});

Deno.test({
  name:
    "clauth token waiting for a lock that a logout removes waits for the next holder of the new lock file",
  ignore: linuxOnly,
  fn: async () => {
    const home = await staleHome();
    const logout = await holdLock(home.lockFile);
    const waiter = startCachedPathOnly(home.env);
    await waiter.waitingForLock();
    // The logout removes the lock file while holding it; a login takes the new one.
    await Deno.remove(home.lockFile);
    const login = await holdLock(home.lockFile);
    logout.close();
    // The waiter got the old file, saw it is no longer the lock, and waits for the new one.
    await waiter.waitingForLock(2);
    await writeToken(home.tokenFile, "new-token", 3600);
    login.close();
    const { status, stdout, stderr } = await waiter.result;
    assert.deepEqual({ code: status.code, stdout, stderr }, {
      code: 0,
      stdout: "new-token\n",
      stderr: "",
    });
  },
});

Deno.test({
  name: "Ctrl-C ends clauth token waiting for another process's renewal with 130",
  ignore: linuxOnly,
  fn: async () => {
    const home = await staleHome();
    const renewer = await holdLock(home.lockFile);
    try {
      const waiter = startCachedPathOnly(home.env);
      await waiter.waitingForLock();
      waiter.child.kill("SIGINT");
      const { status, stdout, stderr } = await waiter.result;
      assert.deepEqual(
        { code: status.code, signal: status.signal, stdout, stderr },
        { code: 130, signal: null, stdout: "", stderr: "clauth: interrupted.\n" },
      );
    } finally {
      renewer.close();
    }
  },
});

Deno.test("a stale token with nobody renewing: the lock the cached path takes serves the full command's renewal and is released after it", async () => {
  const home = await staleHome();
  const runtime = fakeRuntime({ env: home.env });
  const othersCanLock = async () => {
    const other = await Deno.open(home.lockFile, { write: true });
    try {
      const free = await other.tryLock(true);
      if (free) await other.unlock();
      return free;
    } finally {
      other.close();
    }
  };
  let heldForTheCommand: boolean | undefined;
  let waitedForItself = false;
  const program = {
    runCli: async () => {
      heldForTheCommand = !(await othersCanLock());
      // The renewal's withLock starts with the lock this process holds: no wait for itself.
      const controller = new AbortController();
      await new JsonFileStore(home.stateDir).withLock("ci", () => Promise.resolve(), {
        signal: controller.signal,
        onWait: () => {
          waitedForItself = true;
          controller.abort();
        },
      });
      return 0;
    },
  } as unknown as ProgramModule;
  assert.equal(await main(["token"], runtime, () => Promise.resolve(program)), 0);
  assert.equal(heldForTheCommand, true, "others wait while the full command renews");
  assert.equal(waitedForItself, false);
  assert.equal(await othersCanLock(), true, "released when the command is done");

  // A command that does not renew (an error before it): main releases the lock all the same.
  const idle = { runCli: () => Promise.resolve(1) } as unknown as ProgramModule;
  assert.equal(
    await main(["token"], fakeRuntime({ env: home.env }), () => Promise.resolve(idle)),
    1,
  );
  assert.equal(await othersCanLock(), true);
});
