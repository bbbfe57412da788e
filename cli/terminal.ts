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
function writeAllSync(stream: typeof Deno.stdout, text: string): void {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += stream.writeSync(bytes.subarray(written));
}

/** The exit code of a process that wrote to a pipe nobody reads any more (128 + SIGPIPE). */
export const BROKEN_PIPE_EXIT = 141;

/**
 * Writes all of `text` to `stream`; when the reader has gone (`clauth token | head -c0`,
 * `| true`), exits at once with {@linkcode BROKEN_PIPE_EXIT} and no message, as a program
 * killed by SIGPIPE would: there is nobody left to tell, and nothing more worth doing.
 */
export function writeOrExit(stream: typeof Deno.stdout, text: string): void {
  try {
    writeAllSync(stream, text);
  } catch (error) {
    if (error instanceof Deno.errors.BrokenPipe) Deno.exit(BROKEN_PIPE_EXIT);
    throw error;
  }
}

/** The process's real terminal. */
export function processTerminal(): Terminal {
  const stderrIsTty = Deno.stderr.isTerminal();
  return {
    out(text) {
      writeOrExit(Deno.stdout, text);
      return Promise.resolve();
    },
    info(line) {
      writeOrExit(Deno.stderr, line + "\n");
    },
    interactive: Deno.stdin.isTerminal() && stderrIsTty,
    color: stderrIsTty && !Deno.env.get("NO_COLOR"),
    tty: stderrIsTty,
  };
}
