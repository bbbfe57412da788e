/**
 * The terminal, wrapped so commands stay testable: stdout carries data only; messages,
 * progress and errors go to stderr. Colour only on a TTY and without NO_COLOR.
 *
 * @module
 */

/** Where commands write. */
export interface Terminal {
  /**
   * Writes data (a token, JSON) to stdout, as given. Done by the time it returns: main.ts
   * ends with Deno.exit, which would cut off a write still in flight.
   */
  out(text: string): Promise<void>;
  /** Writes one line of information to stderr. */
  info(line: string): void;
  /** Whether a person can answer prompts and see animations (stdin and stderr are TTYs). */
  readonly interactive: boolean;
  /** Whether colour may be used on stderr. */
  readonly color: boolean;
  /** Whether stderr is a terminal (a person sees it), colour or not. */
  readonly tty: boolean;
}

const encoder = new TextEncoder();

/** Writes all of `text`, looping over partial writes. */
export function writeAllSync(stream: typeof Deno.stdout, text: string): void {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += stream.writeSync(bytes.subarray(written));
}

/** The process's real terminal. */
export function processTerminal(): Terminal {
  const stderrIsTty = Deno.stderr.isTerminal();
  return {
    out(text) {
      writeAllSync(Deno.stdout, text);
      return Promise.resolve();
    },
    info(line) {
      writeAllSync(Deno.stderr, line + "\n");
    },
    interactive: Deno.stdin.isTerminal() && stderrIsTty,
    color: stderrIsTty && !Deno.env.get("NO_COLOR"),
    tty: stderrIsTty,
  };
}
