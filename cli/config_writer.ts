/**
 * Writing config.json (`clauth profile`, and a login saving its flags): the file is read as
 * JSON and changed in place, so keys clauth does not know and their order survive; a file
 * that does not parse or validate is never rewritten; the result must validate before it is
 * written; the write is atomic, under a lock so that two clauths do not lose each other's
 * change.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import { lockFileAt } from "../storage/token_file.ts";
import {
  parentDir,
  readTextIfExists,
  SIZE_LIMITS,
  writeFileAtomic,
} from "../storage/private_files.ts";
import { configPath, validateConfig } from "./config.ts";
import type { Runtime } from "./runtime.ts";

/** config.json as written: `profiles` by name, anything else kept as it is. */
export interface RawConfig {
  default_profile?: string;
  profiles: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** Applies `change` to config.json and writes it back; returns the file's path. */
export async function updateConfig(
  runtime: Pick<Runtime, "configDir">,
  change: (config: RawConfig) => void,
): Promise<string> {
  const path = configPath(runtime);
  await Deno.mkdir(parentDir(path), { recursive: true });
  const lock = await lockFileAt(`${path}.lock`, {});
  try {
    const text = await readTextIfExists(path, {
      limit: SIZE_LIMITS.configFile,
      what: "the config file",
    }).catch((error) => {
      throw new ClauthError("usage", (error as Error).message, { cause: error });
    });
    let raw: RawConfig = { profiles: {} };
    if (text !== undefined) {
      try {
        raw = JSON.parse(text);
      } catch {
        throw new ClauthError(
          "usage",
          `The config file ${path} is not valid JSON: clauth does not rewrite a file it cannot read. Fix it by hand first.`,
        );
      }
      // Refuses a file that does not validate, with the setting at fault.
      validateConfig(raw, path);
      raw.profiles ??= {};
    }
    change(raw);
    validateConfig(raw, path);
    await writeFileAtomic(path, JSON.stringify(raw, null, 2) + "\n");
    return path;
  } finally {
    lock.close();
  }
}
