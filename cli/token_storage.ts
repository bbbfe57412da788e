/**
 * Where a run keeps tokens: `--storage`, then CLAUTH_STORAGE, then the profile's `storage`,
 * then the config file's top-level `storage`, then token files. See storage/chosen_store.ts
 * for what each means; the keyring is the operating system's (storage/keyring_backend.ts),
 * each call bounded by CLAUTH_KEYRING_TIMEOUT seconds (default 3).
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import { ChosenStore } from "../storage/chosen_store.ts";
import {
  KEYRING_TIMEOUT_MS,
  macKeychainBackend,
  processRunner,
  secretToolBackend,
  windowsCredentialBackend,
} from "../storage/keyring_backend.ts";
import {
  type ConfigFile,
  profileEntry,
  runConfig,
  STORAGE_SETTINGS,
  type StorageSetting,
} from "./config.ts";
import type { Runtime } from "./runtime.ts";
import type { GlobalFlags } from "./settings_types.ts";

/** The storage setting for `profile`, from flags, environment and config. */
export function storageSetting(
  flags: Pick<GlobalFlags, "storage">,
  config: ConfigFile,
  profile: string,
  env: Runtime["env"],
): StorageSetting {
  const fromEnv = env("CLAUTH_STORAGE");
  const value = flags.storage ?? fromEnv ?? profileEntry(config, profile)?.storage ??
    config.storage ?? "file";
  if (!STORAGE_SETTINGS.includes(value as StorageSetting)) {
    const from = flags.storage === undefined && fromEnv !== undefined ? " (CLAUTH_STORAGE)" : "";
    throw new ClauthError(
      "usage",
      `Unknown storage "${value}"${from}: use one of ${STORAGE_SETTINGS.join(", ")}.`,
    );
  }
  return value as StorageSetting;
}

/** The time a keyring call may take: CLAUTH_KEYRING_TIMEOUT seconds, or 3. */
function keyringTimeoutMs(env: Runtime["env"]): number {
  const text = env("CLAUTH_KEYRING_TIMEOUT");
  const seconds = text === undefined ? NaN : Number(text);
  return seconds > 0 && seconds <= 600 ? seconds * 1000 : KEYRING_TIMEOUT_MS;
}

/** The token store of a run, for `profile` (or for every profile, when logging out all). */
export async function openTokenStore(
  runtime: Runtime,
  flags: Pick<GlobalFlags, "storage">,
  profile: string,
  notice: (line: string) => void,
): Promise<ChosenStore> {
  const config = await runConfig(runtime);
  const kind = storageSetting(flags, config, profile, runtime.env);
  const timeout = keyringTimeoutMs(runtime.env);
  return new ChosenStore(runtime.stateDir, kind, {
    keyring: () => {
      // The session bus this run was given (a test's, or another user session's); read only
      // when a keyring is used.
      const bus = runtime.env("DBUS_SESSION_BUS_ADDRESS");
      const env: Record<string, string> = bus === undefined
        ? {}
        : { DBUS_SESSION_BUS_ADDRESS: bus };
      if (Deno.build.os === "darwin") {
        return macKeychainBackend(processRunner("the macOS Keychain (security)", timeout, env));
      }
      if (Deno.build.os === "windows") {
        const name = "the Windows Credential Manager (PowerShell)";
        return windowsCredentialBackend(processRunner(name, timeout, env));
      }
      return secretToolBackend(processRunner("the Secret Service (secret-tool)", timeout, env));
    },
    notice,
  });
}
