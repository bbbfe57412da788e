/**
 * Text that grows as a stream is read (a process's stderr, a terminal's screen), and waits
 * that resolve the moment it matches: tests wait for the event, never for time.
 */
export class TextWatch {
  #text = "";
  #ended = false;
  readonly #checks = new Set<() => void>();

  /** Everything so far. */
  get text(): string {
    return this.#text;
  }

  /** Adds what was just read, and wakes every wait it may satisfy. */
  append(chunk: string): void {
    this.#text += chunk;
    for (const check of this.#checks) check();
  }

  /** No more text will come: waits that have not matched yet reject. */
  end(): void {
    this.#ended = true;
    for (const check of this.#checks) check();
  }

  /** Resolves with the first match of `pattern`; rejects if the text ends without one. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.#text.match(pattern);
        if (!match && !this.#ended) return;
        this.#checks.delete(check);
        if (match) resolve(match);
        else reject(new Error(`never matched ${pattern}:\n${this.#text}`));
      };
      this.#checks.add(check);
      check();
    });
  }

  /** Appends all of `stream`, decoded, then ends. */
  async read(stream: ReadableStream<Uint8Array>): Promise<void> {
    try {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) this.append(chunk);
    } finally {
      this.end();
    }
  }
}
