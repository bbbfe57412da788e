/**
 * A profile's own certificate authorities (`--ca-file PATH`, CLAUTH_CA_FILE, the profile's
 * `ca_file`): a PEM bundle trusted besides the system's roots, for every request the profile
 * makes (discovery, keys, tokens, userinfo, revocation, `clauth api`). One HTTP client per
 * file and run, made on the first request and closed when the run ends
 * ({@linkcode closeCaClients}).
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import { readUserFile } from "./user_files.ts";

/** The most a CA bundle may hold: 1 MiB (the whole Mozilla bundle is about 220 KiB). */
export const MAX_CA_FILE_BYTES = 1024 * 1024;

/** What RFC 7468 §5 says a certificate in PEM starts with. */
const PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----";

/** The HTTP clients of each run (its Ctrl-C signal stands for it), by CA file. */
const clients = new WeakMap<AbortSignal, Map<string, Promise<Deno.HttpClient>>>();

/**
 * A fetch that trusts the certificates in `path` as well as the system's. The file is read
 * (bounded, as every file the user names) on the first request; a file that cannot be read
 * or holds no PEM certificate is a usage error naming it.
 */
export function caFileFetch(path: string, signal: AbortSignal): typeof fetch {
  return async (input, init) => {
    const client = await clientFor(path, signal);
    return await fetch(input, { ...init, client });
  };
}

function clientFor(path: string, signal: AbortSignal): Promise<Deno.HttpClient> {
  let ofRun = clients.get(signal);
  if (!ofRun) clients.set(signal, ofRun = new Map());
  let client = ofRun.get(path);
  if (!client) {
    client = createClient(path, signal);
    ofRun.set(path, client);
    client.catch(() => ofRun.delete(path)); // the next request says why again
  }
  return client;
}

async function createClient(path: string, signal: AbortSignal): Promise<Deno.HttpClient> {
  const pem = await readUserFile(path, "CA certificate", { limit: MAX_CA_FILE_BYTES, signal });
  if (!pem.includes(PEM_CERTIFICATE)) {
    throw new ClauthError(
      "usage",
      `The CA certificate file ${path} holds no certificate in PEM form (a "${PEM_CERTIFICATE}" block).`,
      { setting: "ca_file" },
    );
  }
  try {
    // Added to the roots Deno trusts already; proxies from the environment still apply.
    return Deno.createHttpClient({ caCerts: [pem] });
  } catch (error) {
    throw new ClauthError(
      "usage",
      `The CA certificate file ${path} could not be used: ${(error as Error).message}.`,
      { cause: error, setting: "ca_file" },
    );
  }
}

/** Closes the HTTP clients the run of `signal` made (cli/run.ts, when the command ends). */
export async function closeCaClients(signal: AbortSignal): Promise<void> {
  const ofRun = clients.get(signal);
  clients.delete(signal);
  for (const client of ofRun?.values() ?? []) {
    await client.then((c) => c.close(), () => {});
  }
}
