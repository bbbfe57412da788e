/**
 * One run of the CLI: the Ctrl-C signal, the command tree, and the mapping of failures to a
 * message, hints and an exit code. Loaded only when the cached-token path cannot answer.
 *
 * @module
 */

import { CommanderError } from "@commander-js/extra-typings";
import { ClauthError, exitCodeFor } from "../errors.ts";
import { describeUrl } from "../flows/protocol/http.ts";
import { safeText } from "../flows/protocol/safe_text.ts";
import type { Session } from "./context.ts";
import { errorHints } from "./error_hints.ts";
import { addCompletions, buildProgram } from "./program.ts";
import type { Runtime } from "./runtime.ts";
import { type Terminal, terminalOf } from "./terminal.ts";

/**
 * Runs the whole CLI with `args` on `runtime` and returns the exit code. Expected failures
 * print one message. Ctrl-C (SIGINT) aborts network work and ends with 130.
 */
export async function runCli(
  args: string[],
  runtime: Runtime,
  options: { cachedTokenStale?: boolean } = {},
): Promise<number> {
  const controller = new AbortController();
  const stopListening = runtime.onSignal(
    "SIGINT",
    () => controller.abort(new DOMException("Interrupted", "AbortError")),
  );
  try {
    return await runProgram(args, {
      runtime,
      terminal: terminalOf(runtime),
      signal: controller.signal,
      cachedTokenStale: options.cachedTokenStale === true,
    });
  } finally {
    stopListening();
  }
}

async function runProgram(args: string[], session: Session): Promise<number> {
  const { terminal, signal } = session;
  const own = args.includes("--") ? args.slice(0, args.indexOf("--")) : args; // not exec's command
  if (own.some((arg) => arg === "--client-secret" || arg.startsWith("--client-secret="))) {
    // Other users can read a process's arguments: say how to pass the secret instead.
    terminal.info(
      "clauth: secrets are never taken from the command line (other users can read it): set CLAUTH_CLIENT_SECRET or use --client-secret-file PATH.",
    );
    return 2;
  }
  let exitCode = 0;
  const program = buildProgram(session, (code) => exitCode = code);
  const verbose = args.includes("--verbose");
  try {
    await addCompletions(program, args);
    await printingCompletions(terminal, () => program.parseAsync(args, { from: "user" }));
    return exitCode; // 0 unless a command (exec) set its own
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version exit 0 through here; usage errors were already printed.
      if (error.exitCode === 0) return 0;
      if (args[0] === "exec" && !args.includes("--")) {
        terminal.info(
          'Put "--" before the command, so its options are not taken for clauth\'s: clauth exec -- CMD ARGS...',
        );
      }
      return 2;
    }
    if (signal.aborted) {
      terminal.info("clauth: interrupted.");
      return 130;
    }
    if (error instanceof ClauthError) {
      terminal.info(`clauth: ${error.message}`);
      for (const hint of errorHints(error)) terminal.info(hint);
      if (verbose) printCauses(terminal, error.cause);
      return exitCodeFor(error.code);
    }
    terminal.info(`clauth: unexpected error: ${(error as Error)?.message ?? error}`);
    if (verbose) terminal.info(String((error as Error)?.stack ?? ""));
    else terminal.info("Run again with --verbose for details.");
    return 1;
  }
}

/**
 * Runs `parse` with console.log writing to the terminal's stdout: @bomb.sh/tab prints the
 * completion scripts and answers with console.log, which would go around the runtime.
 */
async function printingCompletions<T>(terminal: Terminal, parse: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = (...data: unknown[]) => void terminal.out(data.join(" ") + "\n");
  try {
    return await parse();
  } finally {
    console.log = log;
  }
}

/**
 * The chain of underlying errors, for --verbose. Only errors and responses are shown: other
 * causes are response bodies, which may hold tokens.
 */
function printCauses(terminal: Terminal, cause: unknown): void {
  for (let depth = 0; depth < 5; depth++) {
    if (cause instanceof Response) {
      terminal.info(`  caused by: HTTP ${cause.status} from ${describeUrl(cause.url)}`);
      return;
    }
    if (!(cause instanceof Error)) return;
    terminal.info(`  caused by: ${cause.name}: ${safeText(cause.message)}`);
    cause = cause.cause;
  }
}
