/**
 * The terminal, as commands see it: stdout carries data only; messages, progress and errors
 * go to stderr. What stderr may show, from most to least capable:
 *
 * - `color`: a TTY, TERM not "dumb", NO_COLOR unset: colour, symbols, bold, redrawn lines.
 * - `ansi`: a TTY whose TERM is not "dumb": everything but colour. NO_COLOR turns off colour
 *   only (https://no-color.org): the countdown, bold and the symbols stay.
 * - `tty` alone (TERM=dumb): no escape sequence at all, so no redrawn line; plain lines.
 * - not a TTY (a pipe, a CI log): plain lines only.
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
  /**
   * Whether escape sequences may be written to stderr (redrawn lines, bold): a TTY whose
   * TERM is not "dumb". Absent: none may.
   */
  readonly ansi?: boolean;
  /** stderr's width in columns, read when asked (the window may be resized). */
  readonly columns?: number | undefined;
}

/** The terminal of a runtime. */
export function terminalOf(runtime: Runtime): Terminal {
  const tty = runtime.stderr.isTerminal;
  // TERM=dumb cannot redraw a line or show colour (DESIGN.md: no escape sequences).
  const ansi = tty && runtime.env("TERM") !== "dumb";
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
    color: ansi && !runtime.env("NO_COLOR"),
    tty,
    ansi,
    get columns() {
      return runtime.stderr.columns;
    },
  };
}

/** Select Graphic Rendition (ECMA-48 §8.3.117): `sgr("1")` is "\x1b[1m", bold. */
const sgr = (codes: string) => `\x1b[${codes}m`;

/** Text styles for stderr, each doing only what the terminal allows. */
export interface Style {
  /** Bold (the device flow's user code), where escape sequences are allowed. */
  bold(text: string): string;
  /** "✓ text", the mark green where colour is allowed; plain text where no symbols. */
  success(text: string): string;
  /** "! text", the mark yellow. */
  warning(text: string): string;
  /** "✗ text", the mark red. */
  failure(text: string): string;
}

/**
 * The styles `terminal` allows. Symbols need a terminal that is not "dumb" (such terminals
 * and logs may not show them); colour also needs NO_COLOR unset.
 */
export function styleOf(terminal: Pick<Terminal, "ansi" | "color">): Style {
  const ansi = terminal.ansi === true;
  const color = ansi && terminal.color;
  const mark = (symbol: string, code: string) => (text: string) =>
    !ansi ? text : `${color ? `${sgr(code)}${symbol}${sgr("39")}` : symbol} ${text}`;
  return {
    bold: (text) => ansi ? `${sgr("1")}${text}${sgr("22")}` : text,
    success: mark("✓", "32"),
    warning: mark("!", "33"),
    failure: mark("✗", "31"),
  };
}

/** Widths below this are not believed (a pseudo-terminal nobody sized says 0). */
const MIN_BELIEVABLE_COLUMNS = 10;
/** The width assumed when the terminal does not say. */
const DEFAULT_COLUMNS = 80;

/** The terminal's width, or 80 when it does not say (or says something unusable). */
export function widthOf(terminal: Pick<Terminal, "columns">): number {
  const columns = terminal.columns;
  return columns !== undefined && Number.isInteger(columns) && columns >= MIN_BELIEVABLE_COLUMNS
    ? columns
    : DEFAULT_COLUMNS;
}

/**
 * `text` cut to fit in one line of `columns`, with "…" where it was cut. One column stays
 * free: writing the last column leaves some terminals about to wrap, and the next redraw
 * would then start a new line. `text` holds no escape sequences; each code point counts as
 * one column (clauth's progress lines are ASCII apart from the spinner frame).
 */
export function fitLine(text: string, columns: number): string {
  const chars = Array.from(text);
  const room = Math.max(1, columns - 1);
  return chars.length <= room ? text : chars.slice(0, room - 1).join("") + "…";
}
