import assert from "node:assert/strict";
import { pastedRedirectReader } from "../../cli/paste_prompt.ts";
import type { Terminal } from "../../cli/terminal.ts";

function recordingTerminal(): Terminal & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    out: () => Promise.resolve(),
    info: (line) => void lines.push(line),
    raw: (text) => void lines.push(text),
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
  await new Promise((r) => setTimeout(r, 20));
  const reason = new Error("login over");
  controller.abort(reason);
  await assert.rejects(waiting, (error) => error === reason);
  assert.equal(terminal.lines.filter((l) => l.startsWith("No more input")).length, 1);
});
