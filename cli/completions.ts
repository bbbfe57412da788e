/**
 * Shell completions: `clauth completions bash|zsh|fish|powershell` prints a script, and the
 * script calls the hidden `clauth complete -- WORD...` on every TAB. Both are answered here
 * without commander (cli/run.ts sends them here first): the command tree is read from
 * cli/completion_spec.ts, written ahead, so a TAB costs little more than starting Deno.
 *
 * @module
 */

import type { Command } from "@commander-js/extra-typings";
import { join, readTextIfExists, SIZE_LIMITS } from "../storage/private_files.ts";
import { assertProfileName } from "../storage/token_file.ts";
import { completeWords, completionText } from "./completion_engine.ts";
import {
  COMPLETION_SHELLS,
  completionScript,
  type CompletionShell,
  isCompletionShell,
} from "./completion_scripts.ts";
import { COMPLETION_SPEC } from "./completion_spec.ts";
import type { Runtime } from "./runtime.ts";
import type { Terminal } from "./terminal.ts";

/**
 * Answers `completions SHELL` and `complete -- WORD...` and returns the exit code, or
 * returns undefined for any other command line (a usage error included: commander words it).
 */
export async function completionsCommand(
  args: readonly string[],
  session: { runtime: Runtime; terminal: Pick<Terminal, "out"> },
): Promise<number | undefined> {
  if (args.length === 2 && args[0] === "completions" && isCompletionShell(args[1])) {
    await session.terminal.out(completionScript(args[1]));
    return 0;
  }
  if (args[0] === "complete" && args[1] === "--") {
    const completion = await completeWords(COMPLETION_SPEC, args.slice(2), {
      profiles: () => profileNames(session.runtime),
    });
    await session.terminal.out(completionText(completion));
    return 0;
  }
  return undefined;
}

/**
 * Adds `clauth completions SHELL` to the command tree, for its help and for command lines
 * cli/run.ts leaves to commander (`clauth --verbose completions bash`, a usage error).
 */
// deno-lint-ignore no-explicit-any
export function addCompletions(program: Command<[], any, any>): void {
  program.command("completions")
    .description("Generate shell completion scripts")
    .addArgument(
      program.createArgument("<shell>", "Shell type for completion script").choices(
        COMPLETION_SHELLS,
      ),
    )
    .action((shell: string) => {
      program.configureOutput().writeOut?.(completionScript(shell as CompletionShell));
    });
}

/**
 * The profiles a TAB offers: those of config.json (described by their issuer or provider)
 * and those with stored tokens, read directly: no validation, and anything unreadable is
 * left out (a TAB never prints an error).
 */
export async function profileNames(
  runtime: Pick<Runtime, "configDir" | "stateDir">,
): Promise<[name: string, description: string][]> {
  const profiles = new Map<string, string>();
  try {
    const path = join(runtime.configDir, "config.json");
    const text = await readTextIfExists(path, { limit: SIZE_LIMITS.configFile });
    const config = text === undefined ? undefined : JSON.parse(text);
    const entries = config?.profiles;
    if (entries && typeof entries === "object" && !Array.isArray(entries)) {
      for (const [name, entry] of Object.entries(entries as Record<string, unknown>)) {
        const { issuer, provider } = (entry ?? {}) as { issuer?: unknown; provider?: unknown };
        const described = typeof issuer === "string"
          ? issuer
          : typeof provider === "string"
          ? provider
          : "";
        profiles.set(name, name === config.default_profile ? `${described} (default)` : described);
      }
    }
  } catch {
    // An unreadable or invalid config offers no profile: clauth itself will say what is wrong.
  }
  try {
    // The token store keeps a profile's tokens in <state dir>/<profile>.json.
    for await (const entry of Deno.readDir(runtime.stateDir)) {
      const name = entry.name.slice(0, -".json".length);
      if (!entry.isFile || !entry.name.endsWith(".json") || profiles.has(name)) continue;
      try {
        assertProfileName(name);
        profiles.set(name, "stored tokens");
      } catch {
        // Not a profile's file.
      }
    }
  } catch {
    // No token folder yet.
  }
  return [...profiles].map(([name, description]) => [name, description.trim()]);
}
