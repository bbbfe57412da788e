/**
 * One RSA signing key for the dev providers of a whole test run. `deno test --parallel` runs
 * each file in its own worker, and each would otherwise generate its own key (60-300 ms of
 * CPU, some 25 times a run). The workers share the process, so the key goes in a 0600 file
 * named after the process id; the first worker makes it under a file lock, the others read it.
 * Keys of earlier runs are removed.
 */

import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateRsaSigningKey } from "../../dev/provider.ts";

const PREFIX = "clauth-test-rsa-";
const STALE_MS = 24 * 3600_000;

let shared: Promise<JsonWebKey> | undefined;

/** The test run's RSA signing key (see the module documentation). */
export function runRsaSigningKey(): Promise<JsonWebKey> {
  shared ??= readOrMake();
  return shared;
}

async function readOrMake(): Promise<JsonWebKey> {
  const dir = tmpdir();
  const path = join(dir, `${PREFIX}${Deno.pid}.json`);
  const lock = await Deno.open(`${path}.lock`, { create: true, write: true, mode: 0o600 });
  try {
    await lock.lock(true);
    try {
      return JSON.parse(await Deno.readTextFile(path));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const key = await generateRsaSigningKey();
    await Deno.writeTextFile(path, JSON.stringify(key), { mode: 0o600 });
    await removeStaleKeys(dir, path);
    return key;
  } finally {
    lock.close(); // releases the lock
  }
}

/** Removes key files (and their locks) that earlier runs left, a day old or more. */
async function removeStaleKeys(dir: string, current: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (!entry.isFile || !entry.name.startsWith(PREFIX) || path.startsWith(current)) continue;
    const info = await Deno.stat(path).catch(() => undefined);
    if (info?.mtime && Date.now() - info.mtime.getTime() > STALE_MS) {
      await Deno.remove(path).catch(() => {});
    }
  }
}
