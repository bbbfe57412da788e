/**
 * The keyring of the operating system clauth runs on, as a run's environment sets it up: each
 * call bounded by CLAUTH_KEYRING_TIMEOUT seconds (default 3), and secret-tool told which
 * session bus to ask (DBUS_SESSION_BUS_ADDRESS). Small on purpose: the cached-token path
 * loads it for a profile kept in the keyring.
 *
 * @module
 */

import {
  KEYRING_TIMEOUT_MS,
  type KeyringBackend,
  processRunner,
  secretToolBackend,
} from "../storage/keyring_backend.ts";
import type { Runtime } from "./runtime.ts";

/** The time a keyring call may take: CLAUTH_KEYRING_TIMEOUT seconds, or 3. */
function keyringTimeoutMs(env: Runtime["env"]): number {
  const text = env("CLAUTH_KEYRING_TIMEOUT");
  const seconds = text === undefined ? NaN : Number(text);
  return seconds > 0 && seconds <= 600 ? seconds * 1000 : KEYRING_TIMEOUT_MS;
}

/** The keyring backend for this operating system and run. */
export function keyringBackend(runtime: Pick<Runtime, "env">): KeyringBackend {
  const timeout = keyringTimeoutMs(runtime.env);
  // The session bus this run was given (a test's, or another user session's).
  const bus = runtime.env("DBUS_SESSION_BUS_ADDRESS");
  const env: Record<string, string> = bus === undefined ? {} : { DBUS_SESSION_BUS_ADDRESS: bus };
  if (Deno.build.os === "darwin") {
    const name = "the macOS Keychain (security)";
    return loadedWhenUsed(name, async () => {
      const { macKeychainBackend } = await import("../storage/keyring_macos.ts");
      return macKeychainBackend(processRunner(name, timeout, env));
    });
  }
  if (Deno.build.os === "windows") {
    const name = "the Windows Credential Manager (PowerShell)";
    return loadedWhenUsed(name, async () => {
      const { windowsCredentialBackend } = await import("../storage/keyring_windows.ts");
      return windowsCredentialBackend(processRunner(name, timeout, env));
    });
  }
  return secretToolBackend(processRunner("the Secret Service (secret-tool)", timeout, env));
}

/**
 * A backend whose module loads at its first call: every command that opens a token store
 * would otherwise load the other systems' keyring code too.
 */
function loadedWhenUsed(name: string, load: () => Promise<KeyringBackend>): KeyringBackend {
  let backend: Promise<KeyringBackend> | undefined;
  const loaded = () => backend ??= load();
  return {
    name,
    read: async (account) => await (await loaded()).read(account),
    write: async (account, secret) => await (await loaded()).write(account, secret),
    remove: async (account) => await (await loaded()).remove(account),
  };
}
