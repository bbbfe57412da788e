/**
 * The `[TOKEN|-]` argument of `inspect` and `decode`: the token itself, or `-` to read it
 * from stdin (which keeps it out of `ps` output and shell history). Tokens may start with
 * "-", so those commands let commander pass unknown options through as the argument.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import type { Session } from "./context.ts";
import type { Runtime } from "./runtime.ts";
import { readStdinText, type StdinOptions } from "./user_files.ts";

/**
 * Reads all of stdin as text: at most `SIZE_LIMITS.stdin` (64 KiB) unless `options.limit`
 * says otherwise, and no longer than `options.signal` allows (pass the session's, for Ctrl-C).
 */
export const readStdin = (runtime: Runtime, options: StdinOptions = {}): Promise<string> =>
  readStdinText(runtime.stdin.readable, options);

/** The token an argument stands for: read from stdin for "-", else the argument (with a warning). */
export async function tokenArgument(
  value: string,
  { runtime, terminal, signal }: Session,
): Promise<string> {
  // The commands accept arguments that start with "-" (opaque tokens may), so a mistyped
  // option arrives here: refuse what looks like one rather than send it as a token.
  if (/^--[a-z][a-z-]*$/.test(value)) {
    throw new ClauthError("usage", `Unknown option "${value}".`);
  }
  if (value !== "-") {
    terminal.info(
      'Warning: a token given as an argument is visible to other users of this machine (ps, /proc). Pass "-" and the token on stdin instead.',
    );
    return value.trim();
  }
  const text = (await readStdin(runtime, { signal })).trim();
  if (text === "") {
    throw new ClauthError("usage", 'No token on stdin (the argument "-" reads it from there).');
  }
  if (/\s/.test(text)) {
    throw new ClauthError("usage", "stdin holds more than one word: give exactly one token.");
  }
  return text;
}
