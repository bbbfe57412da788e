/**
 * The real process behind the {@linkcode Runtime} seam: the only file in cli/ that touches
 * Deno.env, the standard streams, the clock, signals and Deno.exit.
 *
 * @module
 */

import { configDir, stateDir } from "../storage/paths.ts";
import type { Runtime, RuntimeOutput, RuntimeSignal } from "./runtime.ts";

/** The exit code of a process that wrote to a pipe nobody reads any more (128 + SIGPIPE). */
export const BROKEN_PIPE_EXIT = 141;

const encoder = new TextEncoder();

/**
 * Writes all of `text` synchronously (main.ts ends with Deno.exit, which would cut off a
 * write still in flight); when the reader has gone (`clauth token | head -c0`), exits at once
 * with {@linkcode BROKEN_PIPE_EXIT} and no message, as a program killed by SIGPIPE would.
 */
function output(stream: typeof Deno.stdout): RuntimeOutput {
  const isTerminal = stream.isTerminal();
  return {
    write(text) {
      const bytes = encoder.encode(text);
      try {
        let written = 0;
        while (written < bytes.length) written += stream.writeSync(bytes.subarray(written));
      } catch (error) {
        if (error instanceof Deno.errors.BrokenPipe) Deno.exit(BROKEN_PIPE_EXIT);
        throw error;
      }
    },
    isTerminal,
    get columns() {
      return isTerminal ? Deno.consoleSize().columns : undefined;
    },
  };
}

/** The running process as a {@linkcode Runtime}. */
export function processRuntime(): Runtime {
  const env = (name: string) => Deno.env.get(name) || undefined;
  return {
    now: () => Date.now(),
    env,
    environment: () => Deno.env.toObject(),
    stdin: {
      get readable() {
        return Deno.stdin.readable;
      },
      isTerminal: Deno.stdin.isTerminal(),
    },
    stdout: output(Deno.stdout),
    stderr: output(Deno.stderr),
    // Getters: a missing HOME is a usage error of the command that needs the folder.
    get configDir() {
      return configDir(env);
    },
    get stateDir() {
      return stateDir(env);
    },
    onSignal(signal: RuntimeSignal, handler: () => void) {
      Deno.addSignalListener(signal, handler);
      return () => Deno.removeSignalListener(signal, handler);
    },
  };
}
