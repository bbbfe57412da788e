import assert from "node:assert/strict";
import { BrowserWait, type BrowserWaitOptions } from "../../cli/browser_wait.ts";
import { InputLines } from "../../cli/input_lines.ts";
import { terminalOf } from "../../cli/terminal.ts";
import { fakeRuntime } from "../helpers/fake_runtime.ts";
import { manualClock } from "../helpers/manual_clock.ts";

const URL = "http://127.0.0.1:1/auth?client_id=demo-cli&request_uri=urn:x";
const ESC = "\x1b";

/** stdin the test types into, line by line. */
function keyboard() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return {
    stream,
    type: (text: string) => controller.enqueue(new TextEncoder().encode(text)),
    end: () => controller.close(),
  };
}

/** A BrowserWait on a fake runtime, with an opener that records what it was asked. */
function browserScreen(
  tty: boolean,
  options: Partial<BrowserWaitOptions> & { opens?: boolean } = {},
) {
  const runtime = fakeRuntime({ tty, env: tty ? { TERM: "xterm", NO_COLOR: "1" } : {} });
  const clock = manualClock();
  const opened: string[] = [];
  const wait = new BrowserWait(terminalOf(runtime), {
    clock,
    deadline: clock.now() + 300_000,
    noBrowser: false,
    pasting: false,
    open: (url) => {
      opened.push(url);
      return Promise.resolve(options.opens ?? true);
    },
    ...options,
  });
  return { runtime, clock, opened, wait };
}

Deno.test("BrowserWait on an interactive terminal opens the browser only once Enter is pressed", async () => {
  const keys = keyboard();
  const input = new InputLines(keys.stream);
  const { runtime, clock, opened, wait } = browserScreen(true, { input, pasting: true });
  wait.showUrl(URL);
  const opening = wait.openBrowser(URL);
  await runtime.stderrWatch.waitFor(/Press Enter to open the browser/);
  await clock.advance(1_000);
  assert.deepEqual(opened, [], "no browser before Enter");
  keys.type("\n");
  assert.equal(await opening, true);
  assert.deepEqual(opened, [URL]);
  await clock.advance(1_000);
  wait.stop("done");
  const text = runtime.stderrText;
  assert.match(text, /^Open this address in a browser to log in:\n {2}\S+\nPress Enter/);
  assert.match(text, /Waiting for the browser \(4m 59s left, Ctrl-C to cancel\)/);
  assert.ok(text.endsWith("\r\x1b[2K✓ The browser sent the login back.\n"));
});

Deno.test("BrowserWait stops asking for Enter when the login ends first, and opens nothing", async () => {
  const keys = keyboard();
  const { runtime, opened, wait } = browserScreen(true, {
    input: new InputLines(keys.stream),
    pasting: true,
  });
  const opening = wait.openBrowser(URL);
  await runtime.stderrWatch.waitFor(/Press Enter/);
  wait.stop("done"); // the address was opened by hand, and the browser came back
  assert.equal(await opening, true, "nothing for the flow to fall back to");
  keys.type("\n");
  assert.deepEqual(opened, []);
});

Deno.test("BrowserWait without a terminal opens at once, then says what it waits for every 30 s", async () => {
  const { runtime, clock, opened, wait } = browserScreen(false);
  wait.showUrl(URL);
  assert.equal(await wait.openBrowser(URL), true);
  assert.deepEqual(opened, [URL]);
  await clock.advance(60_000);
  wait.stop("done");
  assert.equal(
    runtime.stderrText,
    [
      "Opening the browser to log in. If it does not open, visit:",
      `  ${URL}`,
      "Waiting for the browser (the login times out in 5m)...",
      "Still waiting for the browser (4m 30s left)",
      "Still waiting for the browser (4m left)",
      "",
    ].join("\n"),
  );
});

Deno.test("BrowserWait says so when no browser opens, and goes on waiting for the address to be used", async () => {
  const { runtime, wait } = browserScreen(false, { opens: false });
  wait.showUrl(URL);
  assert.equal(await wait.openBrowser(URL), false);
  wait.stop("failed");
  assert.match(
    runtime.stderrText,
    /\n {2}\S+\nThe browser could not be opened: open the address above to log in\.\nWaiting for the browser/,
  );
  assert.ok(!runtime.stderrText.includes(ESC));
});

Deno.test("BrowserWait with --no-browser prints the address only; a paste prompt takes over on a terminal", async () => {
  const plain = browserScreen(false, { noBrowser: true });
  plain.wait.showUrl(URL);
  assert.equal(await plain.wait.openBrowser(URL), false);
  plain.wait.stop("done");
  assert.deepEqual(plain.opened, []);
  assert.match(plain.runtime.stderrText, /^Open this address in a browser to log in:\n/);
  assert.match(plain.runtime.stderrText, /\nWaiting for the browser \(the login times out in 5m\)/);

  const keys = keyboard();
  const input = new InputLines(keys.stream);
  const tty = browserScreen(true, { noBrowser: true, input, pasting: true });
  assert.equal(await tty.wait.openBrowser(URL), false);
  tty.wait.stop("done");
  assert.deepEqual(tty.opened, []);
  assert.doesNotMatch(tty.runtime.stderrText, /Press Enter|Waiting/, "no spinner under a prompt");
});

Deno.test("InputLines hands on what follows the line it read, and loses nothing to an abandoned read", async () => {
  const keys = keyboard();
  const input = new InputLines(keys.stream);
  const abandoned = new AbortController();
  const first = input.line(abandoned.signal);
  abandoned.abort(new Error("the login is over"));
  await assert.rejects(first, /the login is over/);
  keys.type("\r\nhttp://127.0.0.1:1/cb?code=x");
  assert.equal(await input.line(), "", "Enter, with a CR before it");
  keys.type("&state=y\n");
  keys.end();
  assert.equal(await new Response(input.rest()).text(), "http://127.0.0.1:1/cb?code=x&state=y\n");
});
