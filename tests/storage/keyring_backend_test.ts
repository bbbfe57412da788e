/**
 * The keyring programs' command lines, recorded by a fake runner: what each backend runs, that
 * secrets only ever go on stdin, and how exit codes read (absent item, failure).
 */

import assert from "node:assert/strict";
import {
  type CommandOutcome,
  type KeyringBackend,
  type KeyringCommand,
  macKeychainBackend,
  secretToolBackend,
  windowsCredentialBackend,
} from "../../storage/keyring_backend.ts";

const SECRET = '{"slots":[{"access_token":"s3cr3t \' \\" $x"}]}';

/** A runner that records commands and answers with `outcome`. */
function recording(outcome: Partial<CommandOutcome> = {}) {
  const commands: KeyringCommand[] = [];
  const run = (command: KeyringCommand) => {
    commands.push(command);
    return Promise.resolve({ code: 0, stdout: "", stderr: "", ...outcome });
  };
  return { commands, run };
}

/** Every backend, built on `run`. */
const backends = (run: ReturnType<typeof recording>["run"]): KeyringBackend[] => [
  secretToolBackend(run),
  macKeychainBackend(run),
  windowsCredentialBackend(run),
];

Deno.test("no keyring backend puts the secret on a command line", async () => {
  const { commands, run } = recording();
  for (const backend of backends(run)) {
    await backend.write("work", SECRET);
    await backend.read("work");
    await backend.remove("work");
  }
  assert.equal(commands.length, 9);
  for (const command of commands) {
    assert.ok(!command.args.join(" ").includes("s3cr3t"), command.args.join(" "));
  }
  const writes = commands.filter((command) => command.stdin !== undefined);
  assert.equal(writes.length, 3, "each backend writes through stdin");
});

Deno.test("secret-tool: store with the secret on stdin, lookup and clear by service and profile", async () => {
  const { commands, run } = recording({ stdout: SECRET });
  const backend = secretToolBackend(run);
  await backend.write("work", SECRET);
  assert.equal(await backend.read("work"), SECRET);
  assert.equal(await backend.remove("work"), true);
  assert.deepEqual(commands, [
    {
      program: "secret-tool",
      args: ["store", "--label=clauth tokens (work)", "service", "clauth", "profile", "work"],
      stdin: SECRET,
    },
    { program: "secret-tool", args: ["lookup", "service", "clauth", "profile", "work"] },
    { program: "secret-tool", args: ["clear", "service", "clauth", "profile", "work"] },
  ]);
});

Deno.test("secret-tool: exit 1 without a word is no item; with one, an error naming the keyring", async () => {
  assert.equal(await secretToolBackend(recording({ code: 1 }).run).read("work"), undefined);
  assert.equal(await secretToolBackend(recording({ code: 1 }).run).remove("work"), false);
  const failing = secretToolBackend(
    recording({ code: 1, stderr: "Cannot autolaunch D-Bus\n" }).run,
  );
  await assert.rejects(
    failing.read("work"),
    /The keyring the Secret Service \(secret-tool\) could not read the tokens \(exit 1: Cannot autolaunch D-Bus\)/,
  );
});

Deno.test("security: the write goes to security -i on stdin, hex encoded; 44 is no item", async () => {
  const { commands, run } = recording({ stdout: `${SECRET}\n` });
  const backend = macKeychainBackend(run);
  await backend.write("work", "é!");
  assert.equal(await backend.read("work"), SECRET);
  await backend.remove("work");
  assert.deepEqual(commands, [
    {
      program: "/usr/bin/security",
      args: ["-i"],
      stdin: "add-generic-password -U -s clauth -a work -X c3a921\n",
    },
    {
      program: "/usr/bin/security",
      args: ["find-generic-password", "-s", "clauth", "-a", "work", "-w"],
    },
    {
      program: "/usr/bin/security",
      args: ["delete-generic-password", "-s", "clauth", "-a", "work"],
    },
  ]);
  assert.equal(await macKeychainBackend(recording({ code: 44 }).run).read("work"), undefined);
  assert.equal(await macKeychainBackend(recording({ code: 44 }).run).remove("work"), false);
});

Deno.test("PowerShell: PasswordVault script in -Command, the secret read from stdin; 3 is no item", async () => {
  const { commands, run } = recording({ stdout: SECRET });
  const backend = windowsCredentialBackend(run);
  await backend.write("work", SECRET);
  assert.equal(await backend.read("work"), SECRET);
  const [write, read] = commands;
  assert.equal(write!.program, "powershell.exe");
  assert.deepEqual(write!.args.slice(0, 3), ["-NoProfile", "-NonInteractive", "-Command"]);
  assert.match(write!.args[3]!, /Windows\.Security\.Credentials\.PasswordVault/);
  assert.match(write!.args[3]!, /\$account = 'work'; \$secret = \[Console\]::In\.ReadToEnd\(\)/);
  assert.match(write!.args[3]!, /PasswordCredential\('clauth', \$account, \$secret\)/);
  assert.equal(write!.stdin, SECRET);
  assert.match(read!.args[3]!, /FindAllByResource\('clauth'\)/);
  assert.match(read!.args[3]!, /RetrievePassword\(\)/);
  assert.equal(read!.stdin, undefined);
  assert.equal(await windowsCredentialBackend(recording({ code: 3 }).run).read("work"), undefined);
  assert.equal(await windowsCredentialBackend(recording({ code: 3 }).run).remove("work"), false);
});
