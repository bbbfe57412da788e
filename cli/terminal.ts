/**
 * The terminal, as commands see it: stdout carries data only; messages, progress and errors
 * go to stderr. Colour and animation only on a TTY and without NO_COLOR.
 *
 * @module
 */

import type { Runtime } from "./runtime.ts";

/** Where commands write. */
export interface Terminal {
  /** Writes data (a token, JSON) to stdout, as given; done by the time it resolves. */
  out(text: string): Promise<void>;
  /** Writes one line of information to stderr. */
  info(line: string): void;
  /** Writes raw text to stderr (a spinner redrawing its line). */
  raw(text: string): void;
  /** Whether a person can answer prompts and see animations (stdin and stderr are TTYs). */
  readonly interactive: boolean;
  /** Whether colour may be used on stderr. */
  readonly color: boolean;
  /** Whether stderr is a terminal (a person sees it), colour or not. */
  readonly tty: boolean;
}

/** The terminal of a runtime. */
export function terminalOf(runtime: Runtime): Terminal {
  const tty = runtime.stderr.isTerminal;
  return {
    out(text) {
      runtime.stdout.write(text);
      return Promise.resolve();
    },
    info(line) {
      runtime.stderr.write(line + "\n");
    },
    raw(text) {
      runtime.stderr.write(text);
    },
    interactive: runtime.stdin.isTerminal && tty,
    // TERM=dumb cannot redraw a line or show colour (DESIGN.md: no escape sequences).
    color: tty && !runtime.env("NO_COLOR") && runtime.env("TERM") !== "dumb",
    tty,
  };
}
