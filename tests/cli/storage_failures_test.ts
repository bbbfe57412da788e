import assert from "node:assert/strict";
import { printCachedToken } from "../../cli/cached_token.ts";
import { pastedRedirectReader } from "../../cli/paste_prompt.ts";
import { ClauthError } from "../../errors.ts";
import { runCli } from "../../cli/run.ts";
import { writeFaults } from "../../storage/private_files.ts";
import {
  FAKE_BROWSER,
  makeCliHome,
  profileHome,
  readSlot,
  runClauth,
  startClauthProcess,
} from "../helpers/cli.ts";
import { withProvider } from "../helpers/dev_provider.ts";
import { platformEnv } from "../helpers/platform_env.ts";
import { fakeRuntime } from "../helpers/fake_runtime.ts";

const posix = Deno.build.os !== "windows";
const ISSUER = "https://login.example.com";

/** A home with profiles `names` in config (one client each) and fresh tokens for some. */
async function homeWith(names: string[], loggedIn: string[] = []) {
  const home = await makeCliHome();
  const profiles = Object.fromEntries(
    names.map((name) => [name, { issuer: ISSUER, client_id: name }]),
  );
  await home.writeConfig({ profiles });
  const tokens = `${home.stateDir}/tokens`;
  await Deno.mkdir(tokens, { recursive: true });
  const now = Math.floor(Date.now() / 1000);
  for (const name of loggedIn) {
    const slot = {
      issuer: ISSUER,
      client_id: name,
      scope: "",
      grant: "user",
      access_token: `token-of-${name}`,
      token_type: "bearer",
      obtained_at: now,
      expires_at: now + 3600,
      refresh_token: `refresh-of-${name}`,
    };
    await Deno.writeTextFile(`${tokens}/${name}.json`, JSON.stringify({ slots: [slot] }));
  }
  return { ...home, tokens };
}

Deno.test("clauth logout leaves nothing named after the profile under tokens/", async () => {
  const home = await homeWith(["me", "other"], ["me", "other"]);
  const { tokens } = home;
  // What earlier runs may have left: a damaged copy (it may hold live tokens), a temp file
  // of a killed writer, the lock file.
  await Deno.writeTextFile(`${tokens}/me.json.damaged-2026-11-29T19-10-32-123Z`, "{}");
  await Deno.writeTextFile(`${tokens}/me.json.${crypto.randomUUID()}.tmp`, "{}");
  await Deno.writeTextFile(`${tokens}/me.lock`, "");
  await Deno.writeTextFile(`${tokens}/other.lock`, "");
  const result = await runClauth(["logout", "--no-revoke", "--profile", "me"], { env: home.env });
  assert.equal(result.code, 0, result.stderr);
  const left = [...Deno.readDirSync(tokens)].map((entry) => entry.name).sort();
  assert.deepEqual(left, ["other.json", "other.lock"]);
});

Deno.test("clauth status shows an unreadable token file on its profile only; the others work", async () => {
  const home = await homeWith(["broken", "fine"], ["fine"]);
  await Deno.mkdir(`${home.tokens}/broken.json`); // a folder where the token file goes
  const status = await runClauth(["status", "--json"], { env: home.env });
  assert.equal(status.code, 0, status.stderr);
  const [broken, fine] = JSON.parse(status.stdout);
  assert.equal(broken.profile, "broken");
  assert.match(broken.problem, /Cannot read the token file .*broken\.json: it is a folder/);
  assert.equal(fine.profile, "fine");
  assert.equal(fine.logged_in, true);
  assert.equal(fine.problem, undefined);

  const text = await runClauth(["status"], { env: home.env });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /tokens: {2}unusable: Cannot read the token file .*broken\.json/);

  const other = await runClauth(["token", "--profile", "fine"], { env: home.env });
  assert.equal(other.code, 0, other.stderr);
  assert.equal(other.stdout, "token-of-fine\n");

  const token = await runClauth(["token", "--profile", "broken"], { env: home.env });
  assert.equal(token.code, 1);
  assert.match(token.stderr, /clauth: Cannot read the token file .*broken\.json: it is a folder/);
  assert.doesNotMatch(token.stderr, /unexpected error/);
});

Deno.test("--profile never finds Object's own members: constructor, __proto__, toString", async () => {
  const home = await homeWith(["work"], ["work"]);
  for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueof"]) {
    const result = await runClauth(["token", "--profile", name], { env: home.env });
    assert.equal(result.code, 2, `${name}: ${result.stderr}`);
    assert.match(
      result.stderr,
      new RegExp(`(Unknown profile|Invalid profile name) "${name.replace(/_/g, "_")}"`),
      name,
    );
  }
  const constructor = await runClauth(["token", "--profile", "constructor"], { env: home.env });
  assert.match(constructor.stderr, /Unknown profile "constructor"/);
  const status = await runClauth(["status", "--json", "--profile", "constructor"], {
    env: home.env,
  });
  assert.equal(status.code, 2, "an unknown profile, as for every other command");
  assert.match(status.stderr, /Unknown profile "constructor"/);
});

Deno.test('a config file defining default_profile "constructor" without such a profile is refused', async () => {
  const home = await makeCliHome();
  await home.writeConfig({ default_profile: "constructor", profiles: {} });
  const result = await runClauth(["token"], { env: home.env });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /"default_profile" \("constructor"\) is not one of its profiles/);
});

Deno.test('the cached-token path takes no unknown argument for a flag, not even "constructor"', async () => {
  const home = await homeWith(["work"], ["work"]);
  const runtime = fakeRuntime({ env: { ...home.env, CLAUTH_PROFILE: "work" } });
  assert.equal(await printCachedToken([], runtime), "printed");
  const again = fakeRuntime({ env: { ...home.env, CLAUTH_PROFILE: "work" } });
  assert.equal(await printCachedToken(["constructor", "x"], again), "skipped");
  assert.equal(again.stdoutText, "");
});

/** Runs `clauth ...args` as a process that must end by itself; kills it after a minute. */
async function endsByItself(args: string[], env: Record<string, string>) {
  const child = startClauthProcess(args, { env });
  const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
  try {
    return await child.result();
  } finally {
    clearTimeout(guard);
  }
}

async function mkfifo(path: string): Promise<void> {
  const made = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.equal(made.code, 0, new TextDecoder().decode(made.stderr));
}

Deno.test(
  "clauth token ends with a clear error when config.json is a FIFO",
  { ignore: !posix },
  async () => {
    const home = await makeCliHome();
    await mkfifo(`${home.configDir}/config.json`);
    const result = await endsByItself(["token"], home.env);
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /Cannot read the config file .*config\.json: it is not a regular file \(a pipe, socket or device\)/,
    );
  },
);

Deno.test(
  "clauth token ends with a clear error when the token file is a FIFO",
  { ignore: !posix },
  async () => {
    const home = await homeWith(["me"]);
    await mkfifo(`${home.tokens}/me.json`);
    const result = await endsByItself(["token", "--profile", "me"], home.env);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /Cannot read the token file .*me\.json: it is not a regular file/);
  },
);

Deno.test("a config.json pointing at /dev/zero or larger than 1 MiB is refused, naming the limit", {
  ignore: !posix,
}, async () => {
  const home = await makeCliHome();
  await Deno.symlink("/dev/zero", `${home.configDir}/config.json`);
  const zero = await runClauth(["status"], { env: home.env });
  assert.equal(zero.code, 2);
  assert.match(zero.stderr, /config file .*config\.json: it is not a regular file/);

  await Deno.remove(`${home.configDir}/config.json`);
  await home.writeConfig(" ".repeat(1024 * 1024) + "{}");
  const large = await runClauth(["status"], { env: home.env });
  assert.equal(large.code, 2);
  assert.match(large.stderr, /config file .*config\.json: it is larger than the 1 MiB/);
});

Deno.test("a token file larger than 1 MiB is refused, naming the file and the limit", async () => {
  const home = await homeWith(["me"]);
  await Deno.writeTextFile(`${home.tokens}/me.json`, " ".repeat(1024 * 1024 + 1));
  const result = await runClauth(["token", "--profile", "me"], { env: home.env });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /token file .*me\.json: it is larger than the 1 MiB/);
});

Deno.test("a token on stdin past 64 KiB is refused", async () => {
  const home = await makeCliHome();
  const result = await runClauth(["decode", "-"], { env: home.env, stdin: "a".repeat(65 * 1024) });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /stdin holds more than 64 KiB/);
});

Deno.test("a token file named by the user past 64 KiB is refused: /dev/zero ends", {
  ignore: !posix,
}, async () => {
  const home = await homeWith(["me"]);
  const result = await runClauth(
    ["exchange", "--profile", "me", "--subject-token-file", "/dev/zero"],
    { env: home.env },
  );
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /Cannot read the subject token file \/dev\/zero: it is larger than the 64 KiB/,
  );
});

Deno.test("Ctrl-C ends a read of a token from stdin that nobody writes", async () => {
  const home = await makeCliHome();
  let reading!: () => void;
  const isReading = new Promise<void>((resolve) => reading = resolve);
  const stdin = new ReadableStream<Uint8Array>({
    pull: () => {
      reading();
      return new Promise(() => {}); // nothing ever comes
    },
  }, { highWaterMark: 0 });
  const runtime = fakeRuntime({ env: { ...platformEnv(), ...home.env }, stdin });
  const code = runCli(["decode", "-"], runtime);
  await isReading;
  runtime.send("SIGINT");
  assert.equal(await code, 130);
  assert.match(runtime.stderrText, /interrupted/);
});

Deno.test("pastedRedirectReader() refuses a pasted line past 64 KiB instead of growing without bound", async () => {
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(new Uint8Array(16 * 1024).fill(0x61)); // "aaaa...", never a newline
    },
  });
  const terminal = {
    out: () => Promise.resolve(),
    info: () => {},
    raw: () => {},
    interactive: true,
    color: false,
    tty: true,
  };
  const read = pastedRedirectReader(terminal, endless);
  await assert.rejects(
    read(new AbortController().signal),
    (error) => error instanceof ClauthError && /longer than 64 KiB/.test(error.message),
  );
});

/** A profile "me" for alice, logged in through the browser flow (scripted browser). */
async function loggedInHome(issuer: string) {
  const scope = "openid offline_access";
  const home = await profileHome("me", { issuer, client_id: "demo-cli", flow: "browser", scope }, {
    BROWSER: FAKE_BROWSER,
  });
  const login = await runClauth(["login"], { env: home.env });
  assert.equal(login.code, 0, login.stderr);
  return { ...home, tokenFile: `${home.stateDir}/tokens/me.json` };
}

async function expire(tokenFile: string): Promise<void> {
  const stored = await readSlot(tokenFile);
  const now = Math.floor(Date.now() / 1000);
  stored.obtained_at = now - 3600;
  stored.expires_at = now - 10;
  await Deno.writeTextFile(tokenFile, JSON.stringify({ slots: [stored] }));
}

Deno.test("clauth token on a full disk spends no refresh token", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await loggedInHome(idp.issuer);
    await expire(home.tokenFile);
    const before = await Deno.readTextFile(home.tokenFile);
    const refreshes = idp.counts.refresh_token ?? 0;
    writeFaults.beforeWrite = (path) => {
      throw new Error(`No space left on device (os error 28): write '${path}'`);
    };
    let full;
    try {
      full = await runClauth(["token"], { env: home.env });
    } finally {
      writeFaults.beforeWrite = undefined;
    }
    assert.equal(full.code, 1);
    assert.match(full.stderr, /clauth: Cannot write .*me\.json: no space left on device/);
    assert.doesNotMatch(full.stderr, /unexpected error/);
    assert.equal(idp.counts.refresh_token ?? 0, refreshes, "the refresh token was not spent");
    assert.equal(await Deno.readTextFile(home.tokenFile), before);
    // Room again: the stored refresh token still works.
    const after = await runClauth(["token"], { env: home.env });
    assert.equal(after.code, 0, after.stderr);
  });
});

Deno.test("clauth token keeps a rotated refresh token in a rescue file when the disk fills meanwhile", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await loggedInHome(idp.issuer);
    await expire(home.tokenFile);
    let writes = 0;
    const tokens = `${home.stateDir}/tokens/`;
    // The probe passes, the save after the refresh fails; the rescue file goes elsewhere.
    writeFaults.beforeWrite = (path) => {
      if (path.startsWith(tokens) && ++writes > 1) {
        throw new Error(`No space left on device (os error 28): write '${path}'`);
      }
    };
    let full;
    try {
      full = await runClauth(["token"], { env: home.env });
    } finally {
      writeFaults.beforeWrite = undefined;
    }
    assert.equal(full.code, 1);
    assert.equal(idp.counts.refresh_token, 1, "the server rotated the refresh token");
    assert.match(full.stderr, /clauth: Cannot write .*me\.json: no space left on device/);
    const rescue = full.stderr.match(/kept in (\S+) \(readable by you only\)/)?.[1];
    assert.ok(rescue, full.stderr);
    assert.deepEqual(
      [...Deno.readDirSync(tokens)].map((entry) => entry.name).sort(),
      ["me.json", "me.lock"],
      "no temporary file is left",
    );
    // As the message says: move the rescue file in place, and the rotated token works.
    await Deno.rename(rescue, home.tokenFile);
    await expire(home.tokenFile);
    const after = await runClauth(["token"], { env: home.env });
    assert.equal(after.code, 0, after.stderr);
    assert.equal(idp.counts.refresh_token, 2);
  });
});
