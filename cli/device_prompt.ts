/**
 * How the device flow talks to the person: where to go, the code, the link that already
 * holds the code, a QR code of that link on a terminal, and the time left while waiting.
 *
 * @module
 */

import { renderUnicodeCompact } from "uqr";
import type { DeviceCodePrompt } from "../flows/grants/device_code.ts";
import { type Spinner, startSpinner } from "./spinner.ts";
import type { Terminal } from "./terminal.ts";
import { formatDuration } from "./time_text.ts";
import { safeText } from "../flows/protocol/safe_text.ts";

/** Shows the device prompt and, on a TTY, a spinner until `stop()` is called. */
export class DevicePrompt {
  #spinner: Spinner | undefined;

  /** `now` is the clock in milliseconds, for the time left. */
  constructor(private readonly terminal: Terminal, private readonly now: () => number) {}

  /** Prints verification URI, user code and the complete URI, each on its own line. */
  show(prompt: DeviceCodePrompt): void {
    const { terminal } = this;
    terminal.info("To log in, open this address on any device:");
    terminal.info(`  ${safeText(prompt.verificationUri)}`);
    terminal.info("and enter the code:");
    terminal.info(`  ${safeText(prompt.userCode)}`);
    if (prompt.verificationUriComplete) {
      terminal.info("Or open this address, which already holds the code:");
      terminal.info(`  ${safeText(prompt.verificationUriComplete)}`);
    }
    // A QR code is not colour: NO_COLOR keeps it; only a non-terminal stderr drops it.
    if (terminal.tty) {
      terminal.info(renderUnicodeCompact(prompt.verificationUriComplete ?? prompt.verificationUri));
    }
    const deadline = this.now() + prompt.expiresIn * 1000;
    const left = () => formatDuration((deadline - this.now()) / 1000);
    if (terminal.color) {
      this.#spinner = startSpinner(
        terminal,
        () => `Waiting for approval (${left()} left, Ctrl-C to cancel)`,
      );
    } else {
      terminal.info(`Waiting for approval (the code expires in ${left()})...`);
    }
  }

  /** Stops the spinner, if any. */
  stop(): void {
    this.#spinner?.stop();
    this.#spinner = undefined;
  }
}
