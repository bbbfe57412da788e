/**
 * The one seam between the CLI and the process it runs in: the clock, the environment, the
 * standard streams (and whether they are terminals), where config and tokens live, signals.
 * main.ts builds the real one (cli/process_runtime.ts); tests build a fake one and run the
 * whole CLI in process. No other file in cli/ reads the clock, the environment, the standard
 * streams or signals of the process, or ends it.
 *
 * Types only: the cached-token path imports this file and must stay light.
 *
 * @module
 */

/** A stream the CLI writes to. */
export interface RuntimeOutput {
  /**
   * Writes all of `text` before returning. When the reader has gone (`clauth token | true`),
   * the real process exits 141 at once: there is nobody left to tell.
   */
  write(text: string): void;
  /** Whether a person sees this stream (a terminal). */
  readonly isTerminal: boolean;
  /** The terminal's width in columns, when it is a terminal. */
  readonly columns?: number | undefined;
}

/** The stream the CLI reads pasted addresses and tokens from. */
export interface RuntimeInput {
  /** The bytes of stdin; read at most once per run. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Whether a person types into it (a terminal). */
  readonly isTerminal: boolean;
}

/** Signals the CLI listens to: Ctrl-C, and those `exec` passes on to its command. */
export type RuntimeSignal = "SIGINT" | "SIGTERM" | "SIGHUP" | "SIGQUIT" | "SIGUSR1" | "SIGUSR2";

/**
 * The program that is running, for commands that write a command line to run it again
 * (`kubeconfig`, `setup-git`): a release binary, or Deno running a main module.
 */
export interface RuntimeProgram {
  /** The executable: the release binary itself, or the `deno` that runs the main module. */
  readonly execPath: string;
  /** The main module's URL (file: for a checkout or `deno install`). */
  readonly mainModule: string;
  /** True for a binary built by `deno compile`: `execPath` is clauth. */
  readonly standalone: boolean;
}

/** Everything the CLI takes from the process it runs in. */
export interface Runtime {
  /** The current time in milliseconds since the epoch. */
  now(): number;
  /** An environment variable; an empty one counts as unset. */
  env(name: string): string | undefined;
  /** The whole environment, for a child process (`exec`, the browser opener). */
  environment(): Record<string, string>;
  readonly stdin: RuntimeInput;
  /** Data only: tokens, JSON. */
  readonly stdout: RuntimeOutput;
  /** Messages, prompts, progress and errors. */
  readonly stderr: RuntimeOutput;
  /** The folder holding config.json. Throws a usage error when it cannot be found. */
  readonly configDir: string;
  /** The folder holding tokens, caches and locks. Throws a usage error when it cannot be found. */
  readonly stateDir: string;
  /** The current folder, which relative paths on the command line are relative to. */
  cwd?(): string;
  /** The program that is running (see {@linkcode RuntimeProgram}). */
  readonly program: RuntimeProgram;
  /** Calls `handler` on `signal` until the returned function is called. */
  onSignal(signal: RuntimeSignal, handler: () => void): () => void;
}

/** Whole seconds since the epoch, as tokens count time. */
export function epochSeconds(runtime: Pick<Runtime, "now">): number {
  return Math.floor(runtime.now() / 1000);
}
