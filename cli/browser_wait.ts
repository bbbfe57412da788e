/**
 * How the browser login talks to the person: the address (always printed: a browser may not
 * open, or open on another screen), on an interactive terminal "Press Enter to open the
 * browser" first (as `gh auth login` does: the person chooses when a window appears), then
 * what clauth waits for and the time left until the login times out.
 *
 * - `--no-browser`: the address only; an interactive terminal then asks for the address the
 *   browser ends on (cli/paste_prompt.ts).
 * - No interactive terminal: the browser opens at once, as before; a log gets a plain line
 *   and a reminder every 30 s (cli/spinner.ts).
 *
 * @module
 */

import { type InputLines } from "./input_lines.ts";
import { startWaiting, type WaitClock, type Waiting } from "./spinner.ts";
import { styleOf, type Terminal } from "./terminal.ts";

/** What the browser login's screen needs. */
export interface BrowserWaitOptions {
  /** The runtime's clock, and a sleep for redraws and reminders. */
  clock: WaitClock;
  /** When the login times out, in milliseconds since the epoch. */
  deadline: number;
  /** `--no-browser`: print the address only. */
  noBrowser: boolean;
  /** Opens `url` in a browser; resolves false when none could be opened. */
  open: (url: string) => Promise<boolean>;
  /** The person's keyboard, on an interactive terminal: "Press Enter" reads a line of it. */
  input?: InputLines;
  /** Whether the paste prompt takes over when no browser opens (an interactive terminal). */
  pasting: boolean;
}

/** The browser login's screen, from the address to the end of the wait. */
export class BrowserWait {
  readonly #over = new AbortController();
  #waiting: Waiting | undefined;

  constructor(private readonly terminal: Terminal, private readonly options: BrowserWaitOptions) {}

  /** Prints the address to log in at (the flow's `onAuthorizationUrl`). */
  showUrl(url: string): void {
    const { terminal, options } = this;
    terminal.info(
      options.noBrowser || options.input
        ? "Open this address in a browser to log in:"
        : "Opening the browser to log in. If it does not open, visit:",
    );
    terminal.info(`  ${url}`);
  }

  /**
   * The flow's `openBrowser`: asks for Enter on an interactive terminal, opens the browser,
   * and starts showing the wait. Resolves false when no browser opened (the flow then asks
   * for a pasted address, if it can); true, doing nothing more, once the login is over.
   */
  async openBrowser(url: string): Promise<boolean> {
    const { terminal, options } = this;
    const style = styleOf(terminal);
    if (options.noBrowser) {
      if (!options.pasting) this.#startWaiting();
      return false;
    }
    if (options.input) {
      terminal.info("Press Enter to open the browser, or open the address yourself...");
      try {
        await options.input.line(this.#over.signal); // the end of input counts as Enter
      } catch {
        return true; // the login ended first (the address was opened by hand, or Ctrl-C)
      }
    }
    // Shown while the opener runs: a $BROWSER command may not return until the login is done.
    if (terminal.ansi) this.#startWaiting();
    const opened = await options.open(url);
    if (this.#over.signal.aborted) return true;
    if (!opened) {
      this.#waiting?.stop();
      this.#waiting = undefined;
      if (options.pasting) return false; // the paste prompt says it, and what to do
      terminal.info(
        style.warning("The browser could not be opened: open the address above to log in."),
      );
    }
    this.#startWaiting();
    return opened;
  }

  /** Ends the wait; on a terminal that redraws, its line says how it ended. */
  stop(outcome: "done" | "failed"): void {
    this.#over.abort();
    const style = styleOf(this.terminal);
    const last = !this.terminal.ansi
      ? undefined
      : outcome === "done"
      ? style.success("The browser sent the login back.")
      : style.failure("Stopped waiting for the browser.");
    this.#waiting?.stop(last);
    this.#waiting = undefined;
  }

  #startWaiting(): void {
    if (this.#waiting || this.#over.signal.aborted) return;
    this.#waiting = startWaiting(this.terminal, {
      what: "the browser",
      limit: "the login times out",
      deadline: this.options.deadline,
      clock: this.options.clock,
    });
  }
}
