/**
 * The headless fallback of the browser login: when no browser opens, the person opens the
 * printed address anywhere, signs in, and pastes the address the browser ended on.
 *
 * @module
 */

import { abortable, ClauthError } from "../errors.ts";
import { describeSize, SIZE_LIMITS } from "../storage/private_files.ts";
import type { Terminal } from "./terminal.ts";

/**
 * Returns a `readPastedRedirect` for the browser flow that reads lines from `input` (stdin).
 * One reader serves every call, so a second paste after a wrong one is read too. At the end
 * of input it stops asking and leaves the login to the browser callback (or the timeout).
 */
export function pastedRedirectReader(
  terminal: Terminal,
  input: ReadableStream<Uint8Array>,
) {
  const lines = lineReader(input);
  let asked = false;
  return async (signal: AbortSignal, problem?: string): Promise<string> => {
    if (problem) terminal.info(problem);
    if (!asked) {
      asked = true;
      terminal.info(
        "No browser could be opened. Open the address above on any device, sign in, then paste here the address the browser ends on (the page may fail to load; that is fine):",
      );
    }
    const line = await abortable(lines.next(), signal);
    if (line !== undefined) return line;
    terminal.info("No more input: waiting for the browser to come back to clauth instead.");
    return await abortable(new Promise<never>(() => {}), signal);
  };
}

/**
 * Reads `input` line by line; `next()` resolves to undefined at the end of input, and fails
 * with a usage error on a line longer than `SIZE_LIMITS.stdin` (64 KiB): no address is.
 */
function lineReader(input: ReadableStream<Uint8Array>) {
  const reader = input.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let ended = false;
  return {
    async next(): Promise<string | undefined> {
      while (!buffer.includes("\n") && !ended) {
        if (buffer.length > SIZE_LIMITS.stdin) {
          buffer = "";
          throw new ClauthError(
            "usage",
            `The pasted line is longer than ${
              describeSize(SIZE_LIMITS.stdin)
            }: paste only the address the browser ended on.`,
          );
        }
        const { value, done } = await reader.read();
        if (done) ended = true;
        else buffer += value;
      }
      if (!buffer) return undefined;
      const cut = buffer.includes("\n") ? buffer.indexOf("\n") : buffer.length;
      const line = buffer.slice(0, cut).replace(/\r$/, "");
      buffer = buffer.slice(cut + 1);
      return line;
    },
  };
}
