/**
 * What a person sees while clauth waits for them (the device code's approval, the browser's
 * answer): what it waits for and the time left, in the way the terminal allows.
 *
 * - Escape sequences allowed (`terminal.ansi`, NO_COLOR or not): one line redrawn in place
 *   with a spinner and the countdown, cut to the terminal's width so that it never wraps
 *   (a wrapped line is not erased by the next redraw: the screen would fill with copies).
 * - Otherwise (a pipe, a CI log, TERM=dumb): a plain line at the start, then "Still
 *   waiting" every 30 s, so a log never stays silent for the whole wait.
 *
 * Time comes from a {@linkcode WaitClock}: the runtime's clock and a sleep that tests drive.
 *
 * @module
 */

import { fitLine, type Terminal, widthOf } from "./terminal.ts";
import { formatDuration } from "./time_text.ts";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
/** How often the redrawn line moves. */
export const FRAME_MS = 100;
/** How often a plain "Still waiting" line is printed where lines cannot be redrawn. */
export const PLAIN_REMINDER_MS = 30_000;

/** The clock and the timer of a wait (the runtime's clock; a sleep tests can drive). */
export interface WaitClock {
  /** The time in milliseconds since the epoch. */
  now(): number;
  /** Waits `ms` milliseconds; rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** What is waited for, and until when. */
export interface WaitingOptions {
  /** Finishes "Waiting for ...": "approval", "the browser". */
  what: string;
  /** Finishes "(... in 10m)" on the first plain line: "the code expires". */
  limit: string;
  /** When the wait ends for good, in milliseconds since the epoch. */
  deadline: number;
  clock: WaitClock;
}

/** A wait on screen; `stop()` ends it, with an optional last line (already styled). */
export interface Waiting {
  stop(finalLine?: string): void;
}

/**
 * Starts showing the wait on `terminal`: a redrawn line where escape sequences are allowed,
 * else a plain line now and another every {@linkcode PLAIN_REMINDER_MS}.
 */
export function startWaiting(terminal: Terminal, options: WaitingOptions): Waiting {
  const { what, clock } = options;
  const stopped = new AbortController();
  const left = () => formatDuration((options.deadline - clock.now()) / 1000);
  let loop: () => Promise<void>;
  let clear = () => {};
  if (terminal.ansi) {
    let frame = 0;
    const draw = () => {
      const text = `${
        FRAMES[frame++ % FRAMES.length]
      } Waiting for ${what} (${left()} left, Ctrl-C to cancel)`;
      // \r and "erase the whole line" (ECMA-48 §8.3.41, EL 2), then the line again.
      terminal.raw(`\r\x1b[2K${fitLine(text, widthOf(terminal))}`);
    };
    clear = () => terminal.raw("\r\x1b[2K");
    loop = async () => {
      for (;;) {
        draw();
        await clock.sleep(FRAME_MS, stopped.signal);
      }
    };
  } else {
    terminal.info(`Waiting for ${what} (${options.limit} in ${left()})...`);
    loop = async () => {
      for (;;) {
        await clock.sleep(PLAIN_REMINDER_MS, stopped.signal);
        if (clock.now() < options.deadline) {
          terminal.info(`Still waiting for ${what} (${left()} left)`);
        }
      }
    };
  }
  loop().catch(() => {}); // ends when stopped
  return {
    stop(finalLine) {
      if (stopped.signal.aborted) return;
      stopped.abort();
      clear();
      if (finalLine) terminal.info(finalLine);
    },
  };
}
