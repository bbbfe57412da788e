/**
 * A one-line progress indicator on stderr for a person at a terminal. Only used when stderr
 * is a TTY and NO_COLOR is unset; otherwise callers print plain lines instead.
 *
 * @module
 */

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const encoder = new TextEncoder();

/** A running spinner; `stop()` clears its line. */
export interface Spinner {
  stop(finalLine?: string): void;
}

/** Starts redrawing `text()` with a spinner frame every 100 ms. */
export function startSpinner(text: () => string): Spinner {
  let frame = 0;
  const draw = () => {
    const line = `\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${text()}`;
    Deno.stderr.writeSync(encoder.encode(line));
  };
  draw();
  const timer = setInterval(draw, 100);
  return {
    stop(finalLine) {
      clearInterval(timer);
      Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${finalLine ? finalLine + "\n" : ""}`));
    },
  };
}
