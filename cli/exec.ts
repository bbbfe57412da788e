/**
 * `clauth exec -- CMD ARGS...`: runs CMD with a usable access token in its environment
 * (CLAUTH_ACCESS_TOKEN, or the name given with --env-var), so the token never appears in a
 * command line. Exits like a shell would: CMD's exit code, 128 + N when a signal N ended it,
 * 127 when CMD is not found and 126 when it cannot be run. The termination and user signals
 * clauth receives (Ctrl-C, SIGTERM, SIGHUP, ...) are passed on to CMD.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import type { CommandContext } from "./context.ts";
import { currentTokens } from "./token.ts";

/** Options of `clauth exec`. */
export interface ExecOptions {
  envVar: string;
  minTtl: number;
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
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      env: { ...withoutSecrets(), [options.envVar]: tokens.access_token },
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
  } catch (error) {
    // The shell's codes: 127 not found, 126 found but not runnable (no permission, a folder).
    context.terminal.info(`clauth: Cannot run "${program}": ${(error as Error).message}.`);
    return error instanceof Deno.errors.NotFound ? 127 : 126;
  }
  const forward = FORWARDED_SIGNALS.map((signal) => {
    const handler = () => {
      try {
        child.kill(signal);
      } catch {
        // CMD has just exited: nothing to pass the signal on to
      }
    };
    Deno.addSignalListener(signal, handler);
    return () => Deno.removeSignalListener(signal, handler);
  });
  try {
    const status = await child.status;
    const number = status.signal ? signalNumber(status.signal) : undefined;
    // For a signal missing from the tables, Deno's own code (it reports 128 + N too).
    return number === undefined ? status.code : 128 + number;
  } finally {
    for (const remove of forward) remove();
  }
}

/** Secrets clauth itself consumed, blanked for the child (removing one needs clearEnv). */
const CONSUMED_SECRETS = ["CLAUTH_CLIENT_SECRET", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"];

function withoutSecrets(): Record<string, string> {
  return Object.fromEntries(
    CONSUMED_SECRETS.filter((name) => Deno.env.get(name) !== undefined).map((name) => [name, ""]),
  );
}

/**
 * The signals passed on to CMD: those that ask a process to stop or act, which a terminal,
 * a supervisor or a user sends. None on Windows: Deno hears only console events there
 * (Ctrl-C, Ctrl-Break, closing the window), which the console sends to CMD as well, and
 * `kill` can only terminate a process, not pass a signal on.
 */
const FORWARDED_SIGNALS: Deno.Signal[] = Deno.build.os === "windows"
  ? []
  : ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"];

/** Signal numbers that are the same on Linux, macOS and the BSDs (POSIX's fixed ones). */
const COMMON_SIGNALS: Partial<Record<Deno.Signal, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
};

/** Linux (and Android). */
const LINUX_SIGNALS: Partial<Record<Deno.Signal, number>> = {
  ...COMMON_SIGNALS,
  SIGBUS: 7,
  SIGUSR1: 10,
  SIGUSR2: 12,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPOLL: 29,
  SIGPWR: 30,
  SIGSYS: 31,
  SIGUNUSED: 31,
};

/** macOS and the BSDs. */
const BSD_SIGNALS: Partial<Record<Deno.Signal, number>> = {
  ...COMMON_SIGNALS,
  SIGEMT: 7,
  SIGBUS: 10,
  SIGSYS: 12,
  SIGURG: 16,
  SIGSTOP: 17,
  SIGTSTP: 18,
  SIGCONT: 19,
  SIGCHLD: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGIO: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGINFO: 29,
  SIGUSR1: 30,
  SIGUSR2: 31,
};

/** The number of `signal` on `os` (as `Deno.build.os` names it), when known. */
function signalNumber(
  signal: Deno.Signal,
  os: typeof Deno.build.os = Deno.build.os,
): number | undefined {
  switch (os) {
    case "linux":
    case "android":
      return LINUX_SIGNALS[signal];
    case "darwin":
    case "freebsd":
    case "netbsd":
      return BSD_SIGNALS[signal];
    default:
      return COMMON_SIGNALS[signal];
  }
}
