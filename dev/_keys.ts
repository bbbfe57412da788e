/**
 * The dev provider's signing keys: a fresh EC key per provider, and an RSA key per process.
 *
 * ID tokens default to RS256, so the keystore needs an RSA key too. Generating one takes
 * 60-300 ms of CPU, and `deno test --parallel` (doc examples included) runs each file in its
 * own worker of one process, each of which would make its own. So the key is shared by the
 * process's workers through a 0600 file named after the process id (still fresh every run):
 * the first worker makes it under a file lock, the others read it. Files that earlier
 * processes left behind are removed after a day.
 */

import { tmpdir } from "node:os";
import { join } from "node:path";

const PREFIX = "clauth-dev-rsa-";
const STALE_MS = 24 * 3600_000;

let rsaKeyPromise: Promise<JsonWebKey> | undefined;

/** A fresh P-256 key per provider (under a millisecond). */
export async function generateEcKey(): Promise<JsonWebKey> {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  return cleanJwk(await crypto.subtle.exportKey("jwk", pair.privateKey), "ES256");
}

/** The process's RSA signing key (see the module documentation). */
export function rsaKey(): Promise<JsonWebKey> {
  // `deno task idp` runs without write access, and has one worker: nothing to share.
  const dir = tmpdir();
  const canShare = Deno.permissions.querySync({ name: "write", path: dir }).state === "granted";
  rsaKeyPromise ??= canShare ? readOrMakeProcessKey(dir) : generateRsaSigningKey();
  return rsaKeyPromise;
}

async function readOrMakeProcessKey(dir: string): Promise<JsonWebKey> {
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

/** Removes key files (and their locks) that earlier processes left, a day old or more. */
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

/** A new RSA private key, as a JWK. */
export async function generateRsaSigningKey(): Promise<JsonWebKey> {
  const pair = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
  return cleanJwk(await crypto.subtle.exportKey("jwk", pair.privateKey), "RS256");
}

function cleanJwk(jwk: JsonWebKey, alg: string): JsonWebKey {
  const { key_ops: _ops, ext: _ext, ...rest } = jwk;
  return { ...rest, alg, use: "sig" };
}
