/**
 * Reading files the user names on the command line or in the config (secrets, keys,
 * tokens): one clear error that says which file, and what it was for.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";

/** Reads `path` as text; a failure is a usage error naming `what` the file holds. */
export async function readUserFile(
  path: string,
  what: string,
  read: (path: string) => Promise<string> = Deno.readTextFile,
): Promise<string> {
  try {
    return await read(path);
  } catch (error) {
    throw new ClauthError(
      "usage",
      `Cannot read the ${what} file ${path}: ${(error as Error).message}.`,
    );
  }
}
