/**
 * How the device flow talks to the person: where to go, the code, the link that already
 * holds the code, a QR code of that link on a terminal, and the time left while waiting.
 *
 * @module
 */

import type { DeviceCodePrompt } from "../flows/grants/device_code.ts";
import { safeText } from "../flows/protocol/safe_text.ts";
import { qrCode } from "./qr_code.ts";
import { startWaiting, type WaitClock, type Waiting } from "./spinner.ts";
import { styleOf, type Terminal, widthOf } from "./terminal.ts";

/** Shows the device prompt, then the wait (see cli/spinner.ts) until `stop()` is called. */
export class DevicePrompt {
  #waiting: Waiting | undefined;

  /** `clock`: the runtime's clock for the time left, and a sleep for the redraws. */
  constructor(private readonly terminal: Terminal, private readonly clock: WaitClock) {}

  /** Prints verification URI, user code and the complete URI, each on its own line. */
  show(prompt: DeviceCodePrompt): void {
    const { terminal } = this;
    const style = styleOf(terminal);
    terminal.info("To log in, open this address on any device:");
    terminal.info(`  ${safeText(prompt.verificationUri)}`);
    terminal.info("and enter the code:");
    terminal.info(`  ${style.bold(safeText(prompt.userCode))}`);
    if (prompt.verificationUriComplete) {
      terminal.info("Or open this address, which already holds the code:");
      terminal.info(`  ${safeText(prompt.verificationUriComplete)}`);
    }
    // A QR code is for the eyes: a terminal shows it (NO_COLOR and TERM=dumb too), a log not.
    if (terminal.tty) this.#showQrCode(prompt.verificationUriComplete ?? prompt.verificationUri);
    this.#waiting = startWaiting(terminal, {
      what: "approval",
      limit: "the code expires",
      deadline: this.clock.now() + prompt.expiresIn * 1000,
      clock: this.clock,
    });
  }

  /** Ends the wait; on a terminal that redraws, its line says how it ended. */
  stop(outcome: "approved" | "failed"): void {
    const style = styleOf(this.terminal);
    const last = !this.terminal.ansi
      ? undefined
      : outcome === "approved"
      ? style.success("Approved.")
      : style.failure("Stopped waiting for approval.");
    this.#waiting?.stop(last);
    this.#waiting = undefined;
  }

  #showQrCode(text: string): void {
    const { terminal } = this;
    const code = qrCode(text, { color: terminal.color });
    // A code wider than the terminal wraps into noise no phone can read.
    if (code.width > widthOf(terminal)) {
      terminal.info(`(The window is too narrow for the QR code: it needs ${code.width} columns.)`);
      return;
    }
    for (const line of code.lines) terminal.info(line);
  }
}
