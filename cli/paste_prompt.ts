/**
 * The headless fallback of the browser login: when no browser opens, the person opens the
 * printed address anywhere, signs in, and pastes the address the browser ended on.
 *
 * @module
 */

import type { Terminal } from "./terminal.ts";

/** Returns a `readPastedRedirect` for the browser flow that reads lines from stdin. */
export function pastedRedirectReader(terminal: Terminal) {
  let asked = false;
  return async (signal: AbortSignal, problem?: string): Promise<string> => {
    if (problem) terminal.info(problem);
    if (!asked) {
      asked = true;
      terminal.info(
        "No browser could be opened. Open the address above on any device, sign in, then paste here the address the browser ends on (the page may fail to load; that is fine):",
      );
    }
    return await readLine(signal);
  };
}

/** Reads one line from stdin; gives up (rejecting with the reason) when `signal` aborts. */
async function readLine(signal: AbortSignal): Promise<string> {
  const reader = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
  const onAbort = () => void reader.cancel().catch(() => {});
  signal.addEventListener("abort", onAbort, { once: true });
  let text = "";
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (signal.aborted) throw signal.reason;
      if (done) break;
      text += value;
    }
    return text.split("\n")[0]!;
  } finally {
    signal.removeEventListener("abort", onAbort);
    reader.releaseLock();
  }
}
