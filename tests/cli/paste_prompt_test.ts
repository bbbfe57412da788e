import assert from "node:assert/strict";
import { pastedRedirectReader } from "../../cli/paste_prompt.ts";
import type { Terminal } from "../../cli/terminal.ts";

/** A terminal that records its lines, and says when one matching a pattern arrives. */
function recordingTerminal(): Terminal & { lines: string[]; said(pattern: RegExp): Promise<void> } {
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  const record = (line: string) => {
    lines.push(line);
    for (const wake of waiters.splice(0)) wake();
  };
  return {
    lines,
    async said(pattern) {
      while (!lines.some((line) => pattern.test(line))) {
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    out: () => Promise.resolve(),
    info: record,
    raw: record,
    interactive: true,
    color: false,
    tty: true,
  };
}

const streamOf = (...chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });

Deno.test("pastedRedirectReader() reads a second paste after a wrong one, from one reader", async () => {
  const terminal = recordingTerminal();
  const read = pastedRedirectReader(
    terminal,
    streamOf("not an address\r\nhttp://127.0.0.1:1/cb?code=x", "&state=y\n"),
  );
  const signal = new AbortController().signal;
  assert.equal(await read(signal), "not an address");
  assert.equal(
    await read(signal, "That is not the address."),
    "http://127.0.0.1:1/cb?code=x&state=y",
  );
  assert.ok(terminal.lines.includes("That is not the address."));
});

Deno.test("pastedRedirectReader() stops asking at the end of input and waits until aborted", async () => {
  const terminal = recordingTerminal();
  const read = pastedRedirectReader(terminal, streamOf("junk\n"));
  const controller = new AbortController();
  assert.equal(await read(controller.signal), "junk");
  const waiting = read(controller.signal, "That is not the address.");
  await terminal.said(/^No more input/);
  const reason = new Error("login over");
  controller.abort(reason);
  await assert.rejects(waiting, (error) => error === reason);
  assert.equal(terminal.lines.filter((l) => l.startsWith("No more input")).length, 1);
});
