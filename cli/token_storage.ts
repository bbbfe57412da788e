/**
 * Where a run keeps tokens: `--storage`, then CLAUTH_STORAGE, then the profile's `storage`,
 * then the config file's top-level `storage`, then token files. See storage/chosen_store.ts
 * for what each means; the keyring is the operating system's (cli/keyring_choice.ts).
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import { ChosenStore } from "../storage/chosen_store.ts";
import { keyringBackend } from "./keyring_choice.ts";
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

/** The token store of a run, for `profile` (or for every profile, when logging out all). */
export async function openTokenStore(
  runtime: Runtime,
  flags: Pick<GlobalFlags, "storage">,
  profile: string,
  notice: (line: string) => void,
): Promise<ChosenStore> {
  const config = await runConfig(runtime);
  const kind = storageSetting(flags, config, profile, runtime.env);
  return new ChosenStore(runtime.stateDir, kind, {
    keyring: () => keyringBackend(runtime),
    notice,
  });
}
