/**
 * A one-line progress indicator on stderr for a person at a terminal. Only used when
 * `terminal.color` allows it; otherwise callers print plain lines instead.
 *
 * @module
 */

import type { Terminal } from "./terminal.ts";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** A running spinner; `stop()` clears its line. */
export interface Spinner {
  stop(finalLine?: string): void;
}

/** Starts redrawing `text()` with a spinner frame every 100 ms. */
export function startSpinner(terminal: Pick<Terminal, "raw">, text: () => string): Spinner {
  let frame = 0;
  const draw = () => terminal.raw(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${text()}`);
  draw();
  const timer = setInterval(draw, 100);
  return {
    stop(finalLine) {
      clearInterval(timer);
      terminal.raw(`\r\x1b[2K${finalLine ? finalLine + "\n" : ""}`);
    },
  };
}
