/**
 * stdin shared by two prompts in turn: the browser login's "Press Enter" reads one line,
 * then, when no browser opened, the paste prompt reads the rest. A stream has one reader,
 * so this holds it and hands the rest on as a stream of its own.
 *
 * @module
 */

import { abortable } from "../errors.ts";

const NEWLINE = 0x0a;

/** Lines of stdin for one prompt, then the rest of stdin for the next. */
export class InputLines {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buffer: Uint8Array = new Uint8Array(0);
  #ended = false;
  /** The read in progress: an abandoned line() leaves it to whoever reads next. */
  #filling: Promise<void> | undefined;

  constructor(input: ReadableStream<Uint8Array>) {
    this.#reader = input.getReader();
  }

  /**
   * The next line, without its line ending; undefined at the end of input. Rejects with the
   * reason when `signal` aborts, losing nothing: what arrives later is read by the next caller.
   */
  async line(signal?: AbortSignal): Promise<string | undefined> {
    for (;;) {
      const at = this.#buffer.indexOf(NEWLINE);
      if (at >= 0) {
        const line = this.#buffer.subarray(0, at);
        this.#buffer = this.#buffer.slice(at + 1);
        return new TextDecoder().decode(line).replace(/\r$/, "");
      }
      if (this.#ended) {
        if (this.#buffer.length === 0) return undefined;
        const last = this.#buffer;
        this.#buffer = new Uint8Array(0);
        return new TextDecoder().decode(last);
      }
      await abortable(this.#fill(), signal);
    }
  }

  /** What is left of the input, as a stream; call it once, when done with `line()`. */
  rest(): ReadableStream<Uint8Array> {
    return new ReadableStream({
      pull: async (controller) => {
        while (this.#buffer.length === 0 && !this.#ended) await this.#fill();
        if (this.#buffer.length > 0) {
          controller.enqueue(this.#buffer);
          this.#buffer = new Uint8Array(0);
        } else {
          controller.close();
        }
      },
      cancel: async () => {
        await this.#reader.cancel();
      },
    });
  }

  /** Reads one more chunk into the buffer (one read at a time, whoever asks). */
  #fill(): Promise<void> {
    this.#filling ??= this.#reader.read().then(({ value, done }) => {
      this.#filling = undefined;
      if (done) {
        this.#ended = true;
        return;
      }
      const joined = new Uint8Array(this.#buffer.length + value.length);
      joined.set(this.#buffer);
      joined.set(value, this.#buffer.length);
      this.#buffer = joined;
    }, (error) => {
      this.#filling = undefined;
      throw error;
    });
    return this.#filling;
  }
}
