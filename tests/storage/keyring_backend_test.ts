/**
 * The keyring programs' command lines, recorded by a fake runner: what each backend runs, that
 * secrets only ever go on stdin, and how exit codes read (absent item, failure).
 */

import assert from "node:assert/strict";
import {
  type CommandOutcome,
  type KeyringCommand,
  secretToolBackend,
} from "../../storage/keyring_backend.ts";
import { macKeychainBackend } from "../../storage/keyring_macos.ts";
import { windowsCredentialBackend } from "../../storage/keyring_windows.ts";

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

Deno.test("no keyring backend puts the secret on a command line", async () => {
  const { commands, run } = recording();
  const keychain = fakeKeychain();
  const mac = (command: KeyringCommand) => (commands.push(command), keychain.run(command));
  for (
    const backend of [
      secretToolBackend(run),
      macKeychainBackend(mac),
      windowsCredentialBackend(run),
    ]
  ) {
    await backend.write("work", SECRET);
    await backend.read("work");
    await backend.remove("work");
  }
  assert.ok(commands.length >= 9);
  for (const command of commands) {
    assert.ok(!command.args.join(" ").includes("s3cr3t"), command.args.join(" "));
    assert.ok(!(command.stdin ?? "").includes("s3cr3t") || command.program !== "/usr/bin/security");
  }
  assert.ok(commands.some((c) => c.program === "secret-tool" && c.stdin === SECRET));
  assert.ok(commands.some((c) => c.program === "powershell.exe" && c.stdin === SECRET));
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
      args: ["store", "-l", "clauth tokens (work)", "service", "clauth", "profile", "work"],
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

/**
 * A keychain behind a fake `security`: runs find/add/delete-generic-password from argv or, with
 * -i, from stdin lines (checking each fits security's 4096-byte line), as the real one answers.
 */
function fakeKeychain() {
  const items = new Map<string, string>();
  const lines: string[] = [];
  const one = (words: string[]): CommandOutcome => {
    const account = words[words.indexOf("-a") + 1]!;
    if (words[0] === "add-generic-password") {
      const hex = words[words.indexOf("-X") + 1]!;
      items.set(account, new TextDecoder().decode(Uint8Array.fromHex(hex)));
      return { code: 0, stdout: "", stderr: "" };
    }
    const secret = items.get(account);
    if (secret === undefined) {
      return { code: 44, stdout: "", stderr: "security: The specified item could not be found." };
    }
    if (words[0] === "delete-generic-password") items.delete(account);
    else assert.ok(!/[\n\r]/.test(secret), "security would print it hex encoded");
    return {
      code: 0,
      stdout: words[0] === "find-generic-password" ? `${secret}\n` : "",
      stderr: "",
    };
  };
  const run = (command: KeyringCommand): Promise<CommandOutcome> => {
    assert.equal(command.program, "/usr/bin/security");
    if (command.args[0] !== "-i") return Promise.resolve(one(command.args));
    const outcome = { code: 0, stdout: "", stderr: "" };
    for (const line of command.stdin!.split("\n").filter(Boolean)) {
      assert.ok(new TextEncoder().encode(line).length < 4096, `a line of ${line.length} bytes`);
      lines.push(line);
      const result = one(line.split(" "));
      outcome.stdout += result.stdout;
      if (result.code) outcome.stderr += `Error: ${result.stderr}\n`;
    }
    return Promise.resolve(outcome);
  };
  return { items, lines, run };
}

Deno.test("security: writes go to security -i on stdin, hex encoded; a large secret is kept in parts and read back", async () => {
  const keychain = fakeKeychain();
  const backend = macKeychainBackend(keychain.run);
  assert.equal(await backend.read("work"), undefined);
  const large = JSON.stringify(
    { slots: [{ token: "é".repeat(2000) + "x".repeat(3000) }] },
    null,
    2,
  );
  await backend.write("work", large);
  assert.ok(keychain.items.size > 2, "in parts");
  assert.ok(keychain.lines.every((line) => !line.includes("xxxx")), "only hex on the lines");
  assert.equal(await backend.read("work"), large);
  await backend.write("work", "small\nsecret");
  assert.equal(keychain.items.size, 1, "the old parts are gone");
  assert.equal(await backend.read("work"), "small\nsecret");
  await backend.write("work", large);
  assert.equal(await backend.remove("work"), true);
  assert.equal(keychain.items.size, 0);
  assert.equal(await backend.remove("work"), false);
  assert.match(
    keychain.lines[0]!,
    /^add-generic-password -U -s clauth -a work\/\d+\/1 -X [0-9a-f]+$/,
  );
});

Deno.test("PowerShell: PasswordVault script in -Command, the secret on stdin, kept in parts; 3 is no item", async () => {
  const { commands, run } = recording({ stdout: SECRET });
  const backend = windowsCredentialBackend(run);
  await backend.write("work", SECRET);
  assert.equal(await backend.read("work"), SECRET);
  await backend.remove("work");
  const [write, read, remove] = commands;
  for (const command of [write!, read!, remove!]) {
    assert.equal(command.program, "powershell.exe");
    assert.deepEqual(command.args.slice(0, 3), ["-NoProfile", "-NonInteractive", "-Command"]);
    assert.equal(command.args.length, 4);
    const script = command.args[3]!;
    assert.match(script, /Windows\.Security\.Credentials\.PasswordVault/);
    assert.match(script, /\$account = 'work'; /);
    assert.match(script, /FindAllByResource\('clauth'\)/);
    assert.ok(!script.includes('"'), "no double quote to escape through the command line");
  }
  assert.equal(write!.stdin, SECRET);
  assert.match(write!.args[3]!, /\$secret = \[Console\]::In\.ReadToEnd\(\)/);
  assert.match(write!.args[3]!, /\$size = 1000;/, "parts fit a credential's 2560 bytes");
  // The new set is added before the old parts go.
  const script = write!.args[3]!;
  assert.ok(script.indexOf("$vault.Add(") < script.indexOf("$vault.Remove("));
  assert.match(read!.args[3]!, /RetrievePassword\(\)/);
  assert.equal(read!.stdin, undefined);
  assert.match(remove!.args[3]!, /\$vault\.Remove\(\$_\)/);
  assert.equal(await windowsCredentialBackend(recording({ code: 3 }).run).read("work"), undefined);
  assert.equal(await windowsCredentialBackend(recording({ code: 3 }).run).remove("work"), false);
  await assert.rejects(
    windowsCredentialBackend(recording({ code: 4, stderr: "no complete set of parts" }).run)
      .read("work"),
    /could not read the tokens \(exit 4: no complete set of parts\)/,
  );
});
