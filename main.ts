/**
 * The clauth command. Serves a cached token with minimal loading, else builds the full
 * command tree; maps failures to the exit codes of the CLI contract.
 *
 * @module
 */

import { printCachedToken } from "./cli/cached_token.ts";

async function main(args: string[]): Promise<number> {
  if (args[0] === "token") {
    if (await printCachedToken(args.slice(1))) return 0;
  }
  const [{ runCli }, { processTerminal }] = await Promise.all([
    import("./cli/program.ts"),
    import("./cli/terminal.ts"),
  ]);
  const controller = new AbortController();
  const onInterrupt = () => controller.abort(new DOMException("Interrupted", "AbortError"));
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    return await runCli(args, processTerminal(), controller.signal);
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
