import assert from "node:assert/strict";
import { renderUnicodeCompact } from "uqr";
import { DevicePrompt } from "../../cli/device_prompt.ts";
import { qrCode } from "../../cli/qr_code.ts";
import { startWaiting } from "../../cli/spinner.ts";
import { terminalOf } from "../../cli/terminal.ts";
import { fakeRuntime } from "../helpers/fake_runtime.ts";
import { manualClock } from "../helpers/manual_clock.ts";
import { DARK_THEME, LIGHT_THEME, readQrCode } from "../helpers/terminal_screen.ts";

const COMPLETE_URI = "http://127.0.0.1:41234/device?user_code=WDJB-MJHT";
const PROMPT = {
  verificationUri: "http://127.0.0.1:41234/device",
  userCode: "WDJB-MJHT",
  verificationUriComplete: COMPLETE_URI,
  expiresIn: 600,
};
// deno-lint-ignore no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;
// deno-lint-ignore no-control-regex
const COLOUR = /\x1b\[[0-9;]*\b(3[0-7]|4[0-7])m/;
const ESC = "\x1b";

/** A terminal on a fake runtime: `tty` with `env` (TERM, NO_COLOR) and `columns`. */
function screen(options: { tty: boolean; env?: Record<string, string>; columns?: number }) {
  const runtime = fakeRuntime({
    tty: options.tty,
    env: options.env ?? {},
    columns: options.columns ?? 80,
  });
  return { runtime, terminal: terminalOf(runtime) };
}

Deno.test("qrCode() in colour is read on a light and on a dark terminal", () => {
  const { lines } = qrCode(COMPLETE_URI, { color: true });
  assert.equal(readQrCode(lines, LIGHT_THEME), COMPLETE_URI);
  assert.equal(readQrCode(lines, DARK_THEME), COMPLETE_URI);
});

Deno.test("qrCode() without colour is drawn for a dark background", () => {
  const { lines } = qrCode(COMPLETE_URI, { color: false });
  assert.ok(!lines.join("").includes(ESC));
  assert.equal(readQrCode(lines, DARK_THEME), COMPLETE_URI);
  // On a light theme it reads as a negative, which many phones do not decode: hence colour.
  assert.equal(readQrCode(lines, LIGHT_THEME), undefined);
});

Deno.test("uqr's compact rendering (clauth's earlier QR code) is not read on a light terminal", () => {
  // The reviewer's finding, kept as a check that readQrCode() tells the difference.
  const lines = renderUnicodeCompact(COMPLETE_URI).split("\n");
  assert.equal(readQrCode(lines, LIGHT_THEME), undefined);
});

Deno.test("qrCode() keeps a quiet zone of four light modules on every side", () => {
  const { lines, width } = qrCode(COMPLETE_URI, { color: true });
  const plain = lines.map((line) => line.replace(SGR, ""));
  assert.ok(plain.every((line) => Array.from(line).length === width));
  // Two modules a character: two blank lines are four modules; then four blank columns.
  assert.deepEqual(plain.slice(0, 2), [" ".repeat(width), " ".repeat(width)]);
  assert.ok(plain.slice(2, -2).every((line) => line.startsWith("    ") && line.endsWith("    ")));
  assert.match(plain.at(-2)!, /^ +$/);
  assert.ok(lines.every((line) => line.startsWith("\x1b[30;47m") && line.endsWith("\x1b[0m")));
});

Deno.test("startWaiting() on a narrow terminal redraws one line that never wraps", async () => {
  const { runtime, terminal } = screen({ tty: true, env: { TERM: "xterm" }, columns: 30 });
  const clock = manualClock();
  const waiting = startWaiting(terminal, {
    what: "approval",
    limit: "the code expires",
    deadline: clock.now() + 600_000,
    clock,
  });
  await clock.advance(1_000);
  waiting.stop();
  const redraws = runtime.stderrText.split("\r\x1b[2K").filter(Boolean);
  assert.ok(redraws.length >= 10, `${redraws.length} redraws`);
  for (const line of redraws) {
    assert.ok(!line.includes("\n"), "a redraw adds no line");
    assert.ok(Array.from(line).length <= 29, `"${line}" fits in 29 of 30 columns`);
  }
  assert.equal(redraws[0], "⠋ Waiting for approval (10m …", "cut, and marked so");
});

Deno.test("startWaiting() on a wide terminal shows the countdown as the clock moves", async () => {
  const { runtime, terminal } = screen({ tty: true, env: { TERM: "xterm" } });
  const clock = manualClock();
  const deadline = clock.now() + 600_000;
  const waiting = startWaiting(terminal, { what: "approval", limit: "", deadline, clock });
  await clock.advance(61_000);
  waiting.stop("done");
  assert.match(runtime.stderrText, /Waiting for approval \(10m left, Ctrl-C to cancel\)/);
  assert.match(runtime.stderrText, /Waiting for approval \(8m 59s left, Ctrl-C to cancel\)/);
  assert.ok(runtime.stderrText.endsWith("\r\x1b[2Kdone\n"), "the last line replaces the spinner");
  assert.equal(clock.sleeping, 0, "no timer left behind");
});

Deno.test("startWaiting() without a terminal prints a line, then a reminder every 30 s", async () => {
  const { runtime, terminal } = screen({ tty: false });
  const clock = manualClock();
  const deadline = clock.now() + 600_000;
  const waiting = startWaiting(terminal, {
    what: "approval",
    limit: "the code expires",
    deadline,
    clock,
  });
  assert.equal(runtime.stderrText, "Waiting for approval (the code expires in 10m)...\n");
  await clock.advance(29_999);
  assert.equal(runtime.stderrText.split("\n").length, 2, "nothing new before 30 s");
  await clock.advance(90_001);
  waiting.stop();
  assert.equal(
    runtime.stderrText,
    [
      "Waiting for approval (the code expires in 10m)...",
      "Still waiting for approval (9m 30s left)",
      "Still waiting for approval (9m left)",
      "Still waiting for approval (8m 30s left)",
      "Still waiting for approval (8m left)",
      "",
    ].join("\n"),
  );
});

Deno.test("DevicePrompt with colour: the user code in bold, a QR code both themes read, a ✓ at the end", async () => {
  const { runtime, terminal } = screen({ tty: true, env: { TERM: "xterm-256color" } });
  const clock = manualClock();
  const prompt = new DevicePrompt(terminal, clock);
  prompt.show(PROMPT);
  await clock.advance(200);
  prompt.stop("approved");
  const text = runtime.stderrText;
  // deno-lint-ignore no-control-regex
  assert.match(text, /and enter the code:\n {2}\x1b\[1mWDJB-MJHT\x1b\[22m\n/);
  const qrLines = text.split("\n").filter((line) => line.startsWith("\x1b[30;47m"));
  assert.equal(readQrCode(qrLines, LIGHT_THEME), COMPLETE_URI);
  assert.equal(readQrCode(qrLines, DARK_THEME), COMPLETE_URI);
  assert.ok(
    text.endsWith("\r\x1b[2K\x1b[32m✓\x1b[39m Approved.\n"),
    JSON.stringify(text.slice(-60)),
  );
});

Deno.test("DevicePrompt with NO_COLOR keeps the countdown and symbols, with no colour", async () => {
  const { runtime, terminal } = screen({ tty: true, env: { TERM: "xterm", NO_COLOR: "1" } });
  const clock = manualClock();
  const prompt = new DevicePrompt(terminal, clock);
  prompt.show(PROMPT);
  await clock.advance(1_000);
  prompt.stop("failed");
  const text = runtime.stderrText;
  // deno-lint-ignore no-control-regex
  assert.match(text, /\r\x1b\[2K⠏ Waiting for approval \(9m 59s left, Ctrl-C to cancel\)/);
  assert.doesNotMatch(text, COLOUR);
  assert.ok(text.endsWith("\r\x1b[2K✗ Stopped waiting for approval.\n"));
  // The QR code, drawn for a dark background without colour, is there all the same.
  assert.match(text, /[▀▄█]{10,}/);
});

Deno.test("DevicePrompt with TERM=dumb writes no escape sequence: plain lines and reminders", async () => {
  const { runtime, terminal } = screen({ tty: true, env: { TERM: "dumb" } });
  const clock = manualClock();
  const prompt = new DevicePrompt(terminal, clock);
  prompt.show(PROMPT);
  await clock.advance(30_000);
  prompt.stop("approved");
  const text = runtime.stderrText;
  assert.ok(!text.includes(ESC), "no escape sequence");
  assert.ok(!text.includes("\r"), "no redraw");
  assert.match(text, /\n {2}WDJB-MJHT\n/);
  assert.match(text, /\nWaiting for approval \(the code expires in 10m\)\.\.\.\n/);
  assert.match(text, /\nStill waiting for approval \(9m 30s left\)\n$/);
});

Deno.test("DevicePrompt leaves out a QR code wider than the window, and says so", () => {
  const { runtime, terminal } = screen({ tty: true, env: { TERM: "xterm" }, columns: 30 });
  const clock = manualClock();
  const prompt = new DevicePrompt(terminal, clock);
  prompt.show(PROMPT);
  prompt.stop("approved");
  assert.doesNotMatch(runtime.stderrText, /[▀▄█]/);
  assert.match(
    runtime.stderrText,
    /\(The window is too narrow for the QR code: it needs \d+ columns\.\)/,
  );
});
