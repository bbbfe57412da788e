/**
 * The command line that runs this clauth again, with the settings of this run: what
 * `clauth kubeconfig` puts in an exec block and `clauth setup-git` in git's config, for
 * kubectl and git to run later, from another folder and another shell.
 *
 * - A release binary (deno compile) is its own command.
 * - `deno install` leaves a small script on PATH (`clauth`, `clauth.cmd` on Windows) that
 *   runs the main module: that script, found by the main module it names.
 * - Anything else (a checkout, the bundle) is Deno running the main module with the release
 *   permissions.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { PERMISSION_FLAGS } from "../release/permissions.ts";
import { isAbsolutePath, join } from "../storage/private_files.ts";
import type { GlobalOptions } from "./context.ts";
import type { Runtime } from "./runtime.ts";

/** A program and its first arguments. */
export interface CommandLine {
  command: string;
  args: string[];
}

/** How this clauth is started again: see the module documentation. */
export function selfCommand(runtime: Pick<Runtime, "program" | "env">): CommandLine {
  const { execPath, mainModule, standalone } = runtime.program;
  if (standalone) return { command: execPath, args: [] };
  const installed = installedScript(runtime, mainModule);
  if (installed) return { command: installed, args: [] };
  const main = mainModule.startsWith("file:") ? fileURLToPath(mainModule) : mainModule;
  return { command: execPath, args: ["run", "--quiet", ...PERMISSION_FLAGS, main] };
}

/** The `deno install` script on PATH that runs `mainModule`, if there is one. */
function installedScript(runtime: Pick<Runtime, "env">, mainModule: string): string | undefined {
  const windows = Deno.build.os === "windows";
  const dirs = (runtime.env("PATH") ?? "").split(windows ? ";" : ":").filter(Boolean);
  for (const dir of dirs) {
    const path = join(dir, windows ? "clauth.cmd" : "clauth");
    try {
      const info = Deno.statSync(path);
      if (!info.isFile || info.size > 64 * 1024) continue;
      // The script deno install writes names the main module's URL (a release binary on
      // PATH is larger than the limit, and is not this program anyway).
      if (Deno.readTextFileSync(path).includes(mainModule)) return path;
    } catch {
      // not there, or not readable: the next folder
    }
  }
  return undefined;
}

/** A global option the command line carries to the next run, and its environment variable. */
const CARRIED: [flag: string, key: keyof GlobalOptions, env?: string | undefined, file?: true][] = [
  ["--provider", "provider", "CLAUTH_PROVIDER"],
  ["--host", "host"],
  ["--authority", "authority"],
  ["--tenant", "tenant"],
  ["--issuer", "issuer", "CLAUTH_ISSUER"],
  ["--client-id", "clientId", "CLAUTH_CLIENT_ID"],
  ["--scope", "scope", "CLAUTH_SCOPE"],
  ["--flow", "flow", "CLAUTH_FLOW"],
  ["--client-secret-file", "clientSecretFile", undefined, true],
  ["--private-key-file", "privateKeyFile", "CLAUTH_PRIVATE_KEY_FILE", true],
  ["--ca-file", "caFile", "CLAUTH_CA_FILE", true],
  ["--timeout", "timeout", "CLAUTH_TIMEOUT"],
];

/**
 * The global options of this run (flags, else their CLAUTH_ variables) as flags for a later
 * run, `--profile` first; files as absolute paths, since kubectl and git start clauth in
 * folders of their own. A client secret never goes on a command line: CLAUTH_CLIENT_SECRET
 * stays in the environment.
 */
export function carriedFlags(
  profile: string,
  globals: GlobalOptions,
  runtime: Pick<Runtime, "env" | "cwd">,
): string[] {
  const flags = ["--profile", profile];
  for (const [flag, key, env, file] of CARRIED) {
    const given = globals[key];
    const value = given === undefined ? (env ? runtime.env(env) : undefined) : String(given);
    if (value === undefined) continue;
    flags.push(flag, file ? absolute(value, runtime) : value);
  }
  return flags;
}

function absolute(path: string, runtime: Pick<Runtime, "cwd">): string {
  return isAbsolutePath(path) || !runtime.cwd ? path : join(runtime.cwd(), path);
}
