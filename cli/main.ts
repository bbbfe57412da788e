/**
 * What the clauth command does with its arguments: serve a cached token on the light path,
 * else load the full command tree and run it.
 *
 * @module
 */

import { printCachedToken, releaseKeptLocks } from "./cached_token.ts";
import type { Runtime } from "./runtime.ts";

/** The module with the full command tree (commander, flows, oauth4webapi). */
export type ProgramModule = typeof import("./run.ts");

/** Runs clauth with `args` and returns the exit code. `loadProgram` loads cli/run.ts. */
export async function main(
  args: string[],
  runtime: Runtime,
  loadProgram: () => Promise<ProgramModule>,
): Promise<number> {
  const cached = args[0] === "token" ? await printCachedToken(args.slice(1), runtime) : "skipped";
  if (cached === "printed") return 0;
  if (cached === "interrupted") {
    runtime.stderr.write("clauth: interrupted.\n");
    return 130;
  }
  try {
    const { runCli } = await loadProgram();
    return await runCli(args, runtime, { cachedTokenStale: cached === "stale" });
  } finally {
    // The profile lock printCachedToken may have kept for the command's renewal.
    releaseKeptLocks();
  }
}
