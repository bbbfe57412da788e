/**
 * `clauth exec -- CMD ARGS...`: runs CMD with a usable access token in its environment
 * (CLAUTH_ACCESS_TOKEN, or the name given with --env-var), so the token never appears in a
 * command line. Exits like a shell would: CMD's exit code, 128 + N when a signal N ended it,
 * 127 when CMD is not found and 126 when it cannot be run. The termination and user signals
 * clauth receives (Ctrl-C, SIGTERM, SIGHUP, ...) are passed on to CMD.
 *
 * @module
 */

import { constants } from "node:os";
import { ClauthError } from "../errors.ts";
import type { CommandContext } from "./context.ts";
import type { RuntimeSignal } from "./runtime.ts";
import { childEnvironment } from "./child_environment.ts";
import { currentTokens } from "./token.ts";
import { describeFileError } from "../storage/private_files.ts";

/** Options of `clauth exec`. */
export interface ExecOptions {
  envVar: string;
  /** Seconds the token must have left, as given; undefined: the capped default. */
  minTtl?: number | undefined;
}

/** Runs `clauth exec` and returns CMD's exit code. */
export async function execCommand(
  context: CommandContext,
  command: string[],
  options: ExecOptions,
): Promise<number> {
  const [program, ...args] = command;
  if (!program) {
    throw new ClauthError("usage", 'Name the command to run after "--": clauth exec -- curl ...');
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.envVar)) {
    throw new ClauthError("usage", `"${options.envVar}" is not a valid environment variable name.`);
  }
  const tokens = await currentTokens(context, { minTtl: options.minTtl });
  // Listen before CMD starts: a signal that came between its start and our listening would
  // end clauth (the default action) and leave CMD running on its own.
  let child: Deno.ChildProcess | undefined;
  const forward = FORWARDED_SIGNALS.map((signal) =>
    context.runtime.onSignal(signal, () => {
      try {
        child?.kill(signal);
      } catch {
        // CMD has just exited: nothing to pass the signal on to
      }
    })
  );
  try {
    child = new Deno.Command(program, {
      args,
      clearEnv: true,
      env: {
        ...childEnvironment(context.runtime.environment()),
        [options.envVar]: tokens.access_token,
      },
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
  } catch (error) {
    for (const remove of forward) remove();
    // The shell's codes: 127 not found, 126 found but not runnable (no permission, a folder).
    context.terminal.info(`clauth: Cannot run "${program}": ${whyNotRun(error)}.`);
    return error instanceof Deno.errors.NotFound ? 127 : 126;
  }
  try {
    const status = await child.status;
    const number = status.signal
      ? (constants.signals as Record<string, number | undefined>)[status.signal]
      : undefined;
    // For a signal missing from the tables, Deno's own code (it reports 128 + N too).
    return number === undefined ? status.code : 128 + number;
  } finally {
    for (const remove of forward) remove();
  }
}

/** Why a program could not be started, in words (Deno says "entity not found"). */
function whyNotRun(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such program (looked for it in PATH)";
  if (error instanceof Deno.errors.PermissionDenied) {
    return "permission denied (is it an executable file?)";
  }
  return describeFileError(error, "clauth");
}

/**
 * The signals passed on to CMD: those that ask a process to stop or act, which a terminal,
 * a supervisor or a user sends. None on Windows: Deno hears only console events there
 * (Ctrl-C, Ctrl-Break, closing the window), which the console sends to CMD as well, and
 * `kill` can only terminate a process, not pass a signal on.
 */
const FORWARDED_SIGNALS: RuntimeSignal[] = Deno.build.os === "windows"
  ? []
  : ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"];
