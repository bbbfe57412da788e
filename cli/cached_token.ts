/**
 * The hot path of `clauth token`: print a cached, fresh token without loading the command
 * parser or any protocol code, and without touching the network.
 *
 * It understands only the flags that matter for picking a cached token. Anything else, or
 * any doubt (no token, stale, wrong issuer/client/scope, unknown flag, bad config), answers
 * `false` and main.ts runs the full command, which does the real work and the error messages.
 *
 * @module
 */

import { JsonFileStore } from "../storage/json_file_store.ts";
import { isFresh, matchesBinding } from "../storage/token_store.ts";
import { configPath } from "./config.ts";
import { epochSeconds, type Runtime } from "./runtime.ts";
import {
  bindingOf,
  type GlobalFlags,
  parseSeconds,
  parseTimeout,
  resolveSettings,
} from "./settings.ts";
import { formatToken, parseOutputFormat } from "./token_output.ts";

const VALUE_FLAGS: Record<string, keyof GlobalFlags | "output" | "minTtl"> = {
  "--profile": "profile",
  "--issuer": "issuer",
  "--client-id": "clientId",
  "--client-secret-file": "clientSecretFile",
  "--private-key-file": "privateKeyFile",
  "--scope": "scope",
  "--flow": "flow",
  "--timeout": "timeout",
  "--output": "output",
  "--min-ttl": "minTtl",
};

/**
 * Prints the cached token for `args` (the arguments after `token`) and returns true, or
 * returns false when the full command must run.
 */
export async function printCachedToken(args: string[], runtime: Runtime): Promise<boolean> {
  const values: Record<string, string> = {};
  // git runs its credential helper with "get" appended (store and erase take the full path).
  if (args.at(-1) === "get") args = args.slice(0, -1);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const key = VALUE_FLAGS[name];
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (key === undefined || value === undefined || key in values) return false;
    values[key] = value;
  }
  try {
    const flags: GlobalFlags = {};
    for (
      const key of ["profile", "issuer", "clientId", "clientSecretFile", "scope", "flow"] as const
    ) {
      if (values[key] !== undefined) flags[key] = values[key];
    }
    const { stateDir } = runtime;
    const store = new JsonFileStore(stateDir);
    const settings = await resolveSettings(flags, {
      env: runtime.env,
      configPath: configPath(runtime),
      stateDir,
      store,
    });
    const minTtl = parseSeconds(values.minTtl, "--min-ttl") ?? 30;
    parseTimeout(values.timeout, "--timeout"); // a bad value is the full command's to report
    const format = parseOutputFormat(values.output ?? "raw");
    const tokens = await store.get(settings.profile);
    const now = epochSeconds(runtime);
    if (!tokens || !matchesBinding(tokens, bindingOf(settings)) || !isFresh(tokens, minTtl, now)) {
      return false;
    }
    // A reader that has gone ends clauth here, with 141; the full command must not run.
    runtime.stdout.write(formatToken(tokens, format));
    return true;
  } catch {
    return false;
  }
}
