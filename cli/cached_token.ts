/**
 * The hot path of `clauth token`: print a cached, fresh token without loading the command
 * parser or any protocol code, and without touching the network.
 *
 * A stale token that another clauth is renewing (parallel calls: one renews, the others
 * wait): it waits for that process on the profile's lock and prints the renewed token. When
 * nobody is renewing, this process keeps the lock for its own renewal in the full command.
 *
 * It understands only the flags that matter for picking a cached token. Anything else, or
 * any doubt (unknown flag, bad config), it answers "skipped"; no fresh token for these
 * settings, "stale". Either way main.ts runs the full command, which does the real work and
 * the error messages.
 *
 * @module
 */

import { JsonFileStore } from "../storage/json_file_store.ts";
import {
  isFresh,
  isIdTokenFresh,
  type StoredTokens,
  type TokenStore,
} from "../storage/token_store.ts";
import { join } from "../storage/private_files.ts";
import type { Runtime } from "./runtime.ts";
import {
  bindingOf,
  type GlobalFlags,
  parseSeconds,
  parseTimeout,
  resolveSettings,
  sourcesOf,
} from "./settings.ts";
import {
  formatToken,
  gitRequestMatches,
  kubernetesExecInfo,
  parseOutputFormat,
  parseTokenType,
  readGitRequest,
} from "./token_output.ts";

const VALUE_FLAGS: Record<
  string,
  keyof GlobalFlags | "output" | "minTtl" | "tokenType" | "gitUrl"
> = {
  "--profile": "profile",
  "--issuer": "issuer",
  "--client-id": "clientId",
  "--client-secret-file": "clientSecretFile",
  "--private-key-file": "privateKeyFile",
  "--ca-file": "caFile", // no request on this path: the CA only matters to the full command
  "--scope": "scope",
  "--flow": "flow",
  "--timeout": "timeout",
  "--output": "output",
  "--min-ttl": "minTtl",
  "--token-type": "tokenType",
  "--git-url": "gitUrl",
};

/**
 * What the cached-token path did: printed the token (perhaps after waiting for another
 * process to renew it); read it and found it stale (or absent); skipped it (flags it does not
 * handle, or any doubt), leaving all to the full command; or was interrupted (Ctrl-C) while
 * waiting for another process.
 */
export type CachedTokenOutcome = "printed" | "stale" | "skipped" | "interrupted";

/** Prints the cached token for `args` (the arguments after `token`) when it can. */
export async function printCachedToken(
  args: string[],
  runtime: Runtime,
): Promise<CachedTokenOutcome> {
  const values: Record<string, string> = {};
  // git runs its credential helper with "get" appended (store and erase take the full path).
  if (args.at(-1) === "get") args = args.slice(0, -1);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    // Own entries only: "constructor" is not a flag.
    const key = Object.hasOwn(VALUE_FLAGS, name) ? VALUE_FLAGS[name] : undefined;
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (key === undefined || value === undefined || Object.hasOwn(values, key)) return "skipped";
    values[key] = value;
  }
  try {
    const flags: GlobalFlags = {};
    for (
      const key of ["profile", "issuer", "clientId", "clientSecretFile", "scope", "flow"] as const
    ) {
      if (values[key] !== undefined) flags[key] = values[key];
    }
    const settings = await resolveSettings(flags, sourcesOf(runtime));
    const minTtl = parseSeconds(values.minTtl, "--min-ttl");
    parseTimeout(values.timeout, "--timeout"); // a bad value is the full command's to report
    const format = parseOutputFormat(values.output ?? "raw");
    const tokenType = parseTokenType(values.tokenType ?? "access_token");
    if (values.gitUrl !== undefined) {
      // A helper set up for one host answers nothing for another (no token, no renewal).
      if (format !== "git") return "skipped";
      if (!gitRequestMatches(new URL(values.gitUrl), await readGitRequest(runtime.stdin))) {
        return "printed";
      }
    }
    const store = new JsonFileStore(runtime.stateDir);
    const binding = bindingOf(settings);
    const isUsable = tokenType === "id_token" ? isIdTokenFresh : isFresh;
    const fresh = (tokens: StoredTokens | undefined): tokens is StoredTokens =>
      tokens !== undefined && isUsable(tokens, minTtl, Math.floor(runtime.now() / 1000));
    // Tokens are in one place: the token file, or the OS keyring when its marker beside the
    // lock says so. The file first: a file profile then pays nothing for the keyring, whose
    // code loads only for keyring profiles.
    let reader: Pick<TokenStore, "get"> = store;
    let tokens = await store.get(settings.profile, binding);
    if (!tokens && inKeyring(runtime.stateDir, settings.profile)) {
      const [{ KeyringStore }, { keyringBackend }] = await Promise.all([
        import("../storage/keyring_store.ts"),
        import("./keyring_choice.ts"),
      ]);
      reader = new KeyringStore(runtime.stateDir, keyringBackend(runtime));
      tokens = await reader.get(settings.profile, binding);
    }
    if (!tokens) return "stale";
    if (!fresh(tokens)) {
      // Another clauth may be renewing them (24 parallel calls, one renews): wait for it
      // here rather than load the full command only to wait there.
      const renewal = await awaitRenewal(store, settings.profile, runtime);
      if (renewal !== "waited") return renewal;
      tokens = await reader.get(settings.profile, binding);
      if (!fresh(tokens)) return "stale";
    }
    // A reader that has gone ends clauth here, with 141; the full command must not run.
    const text = formatToken(tokens, format, {
      tokenType,
      ...(format === "k8s"
        ? { execApiVersion: kubernetesExecInfo(runtime.env("KUBERNETES_EXEC_INFO")).apiVersion }
        : {}),
    });
    runtime.stdout.write(text);
    return "printed";
  } catch {
    return "skipped";
  }
}

/** Whether the profile's tokens are in the keyring: its marker (storage/keyring_store.ts). */
function inKeyring(stateDir: string, profile: string): boolean {
  try {
    return Deno.statSync(join(stateDir, "tokens", `${profile}.keyring`)).isFile;
  } catch {
    return false;
  }
}

/**
 * Waits for the process renewing `profile`'s tokens, if one is: "waited" when it is done.
 * When none is, this process takes the lock and keeps it for the full command, which renews
 * ("stale"): the others then wait for it rather than all load the full command. Ctrl-C while
 * waiting: "interrupted".
 */
async function awaitRenewal(
  store: JsonFileStore,
  profile: string,
  runtime: Runtime,
): Promise<"waited" | "stale" | "interrupted"> {
  const controller = new AbortController();
  let stopListening = () => {};
  try {
    const lock = await store.takeOrAwaitLock(profile, {
      signal: controller.signal,
      onWait: () => stopListening = runtime.onSignal("SIGINT", () => controller.abort()),
    });
    return lock === "waited" ? "waited" : "stale";
  } catch (error) {
    if (controller.signal.aborted) return "interrupted";
    throw error;
  } finally {
    stopListening();
  }
}

/** Releases the profile lock the cached-token path kept and the full command did not use. */
export { releaseKeptLocks } from "../storage/json_file_store.ts";
