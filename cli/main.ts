/**
 * What the clauth command does with its arguments: serve a cached token on the light path,
 * else load the full command tree and run it, turning Ctrl-C into an abort signal.
 *
 * @module
 */

import { printCachedToken } from "./cached_token.ts";
import { processTerminal } from "./terminal.ts";

/** The module with the full command tree (commander, flows, oauth4webapi). */
export type ProgramModule = typeof import("./program.ts");

/** Runs clauth with `args` and returns the exit code. `loadProgram` loads cli/program.ts. */
export async function main(
  args: string[],
  loadProgram: () => Promise<ProgramModule>,
): Promise<number> {
  if (args[0] === "token" && await printCachedToken(args.slice(1))) return 0;
  const { runCli } = await loadProgram();
  const controller = new AbortController();
  const onInterrupt = () => controller.abort(new DOMException("Interrupted", "AbortError"));
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    return await runCli(args, processTerminal(), controller.signal);
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}
