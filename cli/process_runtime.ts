/**
 * The real process behind the {@linkcode Runtime} seam: the only file in cli/ that touches
 * Deno.env, the standard streams, the clock, signals and Deno.exit. Also where clauth keeps
 * its files: CLAUTH_CONFIG_DIR / CLAUTH_STATE_DIR win (tests use them); then XDG on Linux and
 * the BSDs, then the platform's own places on macOS and Windows.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import { join } from "../storage/private_files.ts";
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
    cwd: () => Deno.cwd(),
    // A getter: Deno.execPath() asks for read permission, which only some commands need.
    get program() {
      return {
        execPath: Deno.execPath(),
        mainModule: Deno.mainModule,
        standalone: Deno.build.standalone === true,
      };
    },
    onSignal(signal: RuntimeSignal, handler: () => void) {
      Deno.addSignalListener(signal, handler);
      return () => Deno.removeSignalListener(signal, handler);
    },
  };
}

type Env = (name: string) => string | undefined;

function home(env: Env): string {
  const dir = env("HOME") ?? env("USERPROFILE");
  if (!dir) {
    throw new ClauthError(
      "usage",
      "Cannot find a home folder: set HOME, or CLAUTH_CONFIG_DIR and CLAUTH_STATE_DIR.",
    );
  }
  return dir;
}

/** The folder holding config.json. */
export function configDir(env: Env, os: string = Deno.build.os): string {
  const explicit = env("CLAUTH_CONFIG_DIR");
  if (explicit) return explicit;
  if (os === "windows") {
    return join(env("APPDATA") ?? join(home(env), "AppData", "Roaming"), "clauth");
  }
  if (os === "darwin") return join(home(env), "Library", "Application Support", "clauth");
  return join(env("XDG_CONFIG_HOME") || join(home(env), ".config"), "clauth");
}

/** The folder holding tokens, caches and lock files (created 0700). */
export function stateDir(env: Env, os: string = Deno.build.os): string {
  const explicit = env("CLAUTH_STATE_DIR");
  if (explicit) return explicit;
  if (os === "windows") {
    return join(env("LOCALAPPDATA") ?? join(home(env), "AppData", "Local"), "clauth");
  }
  if (os === "darwin") return join(home(env), "Library", "Application Support", "clauth", "state");
  return join(env("XDG_STATE_HOME") || join(home(env), ".local", "state"), "clauth");
}
