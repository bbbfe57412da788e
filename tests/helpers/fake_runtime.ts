/**
 * A {@linkcode Runtime} for running the whole CLI in the test process: a clock that moves only
 * when the test moves it, an environment of the test's choosing (nothing leaks in from the
 * real one), stdin from a string, stdout and stderr recorded, and signals the test sends.
 */

import { configDir, stateDir } from "../../cli/process_runtime.ts";
import type { Runtime, RuntimeProgram, RuntimeSignal } from "../../cli/runtime.ts";
import { TextWatch } from "./text_watch.ts";

/** How the fake process looks from inside. */
export interface FakeRuntimeOptions {
  /** The whole environment; an empty value counts as unset, as in the real runtime. */
  env?: Record<string, string>;
  /** What stdin holds (default: nothing, closed at once). */
  stdin?: string | ReadableStream<Uint8Array>;
  /** Which streams are terminals (default none); `true` for all three. */
  tty?: boolean | { stdin?: boolean; stdout?: boolean; stderr?: boolean };
  /** The fixed time, in milliseconds since the epoch (default: the real time at creation). */
  now?: number;
  /** The terminal's width, when stdout or stderr is one (default 80). */
  columns?: number;
  /** The current folder (default: none, and paths stay as given). */
  cwd?: string;
  /** The running program (default: this Deno running the checkout's main.ts). */
  program?: RuntimeProgram;
}

/** A runtime whose outside world the test holds. */
export interface FakeRuntime extends Runtime {
  /** Everything written to stdout so far. */
  readonly stdoutText: string;
  /** Everything written to stderr so far. */
  readonly stderrText: string;
  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void;
  /** Delivers `signal` to every handler listening for it, as the OS would. */
  send(signal: RuntimeSignal): void;
  /** stderr as it is written, to wait for a line the test must act on. */
  readonly stderrWatch: TextWatch;
}

const encoder = new TextEncoder();

function streamOf(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      if (text) controller.enqueue(encoder.encode(text));
      controller.close();
    },
  });
}

/** Builds a fake runtime; see {@linkcode FakeRuntimeOptions} for the defaults. */
export function fakeRuntime(options: FakeRuntimeOptions = {}): FakeRuntime {
  const env = { ...options.env };
  const read = (name: string) => env[name] || undefined;
  const tty = typeof options.tty === "boolean"
    ? { stdin: options.tty, stdout: options.tty, stderr: options.tty }
    : options.tty ?? {};
  const columns = options.columns ?? 80;
  let now = options.now ?? Date.now();
  let stdout = "";
  const stderr = new TextWatch();
  const handlers = new Map<RuntimeSignal, Set<() => void>>();
  const stdin = typeof options.stdin === "string" || options.stdin === undefined
    ? streamOf(options.stdin ?? "")
    : options.stdin;

  return {
    now: () => now,
    env: read,
    environment: () => ({ ...env }),
    stdin: { readable: stdin, isTerminal: tty.stdin ?? false },
    stdout: {
      write: (text) => void (stdout += text),
      isTerminal: tty.stdout ?? false,
      columns: tty.stdout ? columns : undefined,
    },
    stderr: {
      write: (text) => stderr.append(text),
      isTerminal: tty.stderr ?? false,
      columns: tty.stderr ? columns : undefined,
    },
    get configDir() {
      return configDir(read);
    },
    get stateDir() {
      return stateDir(read);
    },
    ...(options.cwd === undefined ? {} : { cwd: () => options.cwd! }),
    program: options.program ?? {
      execPath: Deno.execPath(),
      mainModule: new URL("../../main.ts", import.meta.url).href,
      standalone: false,
    },
    onSignal(signal, handler) {
      const set = handlers.get(signal) ?? new Set();
      handlers.set(signal, set);
      set.add(handler);
      return () => void set.delete(handler);
    },
    get stdoutText() {
      return stdout;
    },
    get stderrText() {
      return stderr.text;
    },
    stderrWatch: stderr,
    advance(ms) {
      now += ms;
    },
    send(signal) {
      const listening = handlers.get(signal);
      if (!listening?.size) {
        // A real process would die of it, which an in-process run cannot show.
        throw new Error(`nothing listens for ${signal}: use a subprocess test for that`);
      }
      for (const handler of listening) handler();
    },
  };
}
