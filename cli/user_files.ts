/**
 * Reading files the user names on the command line or in the config (secrets, keys,
 * tokens), and stdin: one clear error that says which file, and what it was for; at most
 * `SIZE_LIMITS.userFile` (64 KiB) from a file and `SIZE_LIMITS.stdin` (64 KiB) from stdin;
 * and every wait ends when the session's signal aborts (Ctrl-C), even on a pipe nobody writes.
 *
 * @module
 */

import { abortable, ClauthError } from "../errors.ts";
import { describeFileError, describeSize, SIZE_LIMITS } from "../storage/private_files.ts";

/** Options for {@linkcode readUserFile}. */
export interface UserFileOptions {
  /** The most bytes to read (default `SIZE_LIMITS.userFile`, 64 KiB). */
  limit?: number;
  /** Stops waiting (rejecting with its reason) when it aborts. */
  signal?: AbortSignal | undefined;
}

/**
 * Reads `path` as text; a failure is a usage error naming `what` the file holds. A folder is
 * refused; a pipe is read (`--client-secret-file <(pass show ci)`), up to the limit.
 */
export async function readUserFile(
  path: string,
  what: string,
  options: UserFileOptions = {},
): Promise<string> {
  const limit = options.limit ?? SIZE_LIMITS.userFile;
  const fail = (reason: string, cause?: unknown) =>
    new ClauthError("usage", `Cannot read the ${what} file ${path}: ${reason}.`, { cause });
  let file: Deno.FsFile;
  try {
    if ((await Deno.stat(path)).isDirectory) throw fail("it is a folder");
    // Opening a pipe waits for its writer: a wait Ctrl-C must be able to end.
    file = await abortable(Deno.open(path, { read: true }), options.signal);
  } catch (error) {
    if (error instanceof ClauthError || error === options.signal?.reason) throw error;
    throw fail(describeFileError(error, "clauth"), error);
  }
  const bytes = await readFileAtMost(file, limit, options.signal).catch((error) => {
    if (error === options.signal?.reason) throw error;
    throw fail(describeFileError(error, "clauth"), error);
  });
  if (bytes === undefined) {
    throw fail(`it is larger than the ${describeSize(limit)} such a file may hold`);
  }
  return new TextDecoder().decode(bytes);
}

/**
 * All the bytes of `file`, or undefined when there are more than `limit`; closes the file.
 * Plain reads, not `file.readable`: the first web stream of a run costs about 4 ms, more than
 * the rest of reading a secret.
 */
async function readFileAtMost(
  file: Deno.FsFile,
  limit: number,
  signal?: AbortSignal,
): Promise<Uint8Array | undefined> {
  const buffer = new Uint8Array(limit + 1);
  let length = 0;
  try {
    while (length <= limit) {
      const count = await abortable(file.read(buffer.subarray(length)), signal);
      if (count === null) break;
      length += count;
    }
  } finally {
    file.close(); // also ends a read still waiting on a pipe after an abort
  }
  return length > limit ? undefined : buffer.slice(0, length);
}

/** Options for {@linkcode readStdin}. */
export interface StdinOptions {
  /** The most bytes to read (default `SIZE_LIMITS.stdin`, 64 KiB). */
  limit?: number;
  /** Stops waiting (rejecting with its reason) when it aborts, e.g. on Ctrl-C. */
  signal?: AbortSignal | undefined;
  /** What stdin should hold, for the message past the limit ("a token"). */
  what?: string;
}

/** Reads all of `input` (stdin) as text, up to a limit; a usage error past it. */
export async function readStdinText(
  input: ReadableStream<Uint8Array>,
  options: StdinOptions = {},
): Promise<string> {
  const limit = options.limit ?? SIZE_LIMITS.stdin;
  const bytes = await readAtMost(input, limit, options.signal);
  if (bytes === undefined) {
    throw new ClauthError(
      "usage",
      `stdin holds more than ${describeSize(limit)}, more than ${
        options.what ?? "a token"
      } can be: give the token alone.`,
    );
  }
  return new TextDecoder().decode(bytes);
}

/**
 * All the bytes of `stream`, or undefined when there are more than `limit` (the stream is
 * cancelled then, as when `signal` aborts).
 */
export async function readAtMost(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  signal?: AbortSignal,
): Promise<Uint8Array | undefined> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let ended = false;
  try {
    while (length <= limit) {
      const { value, done } = await abortable(reader.read(), signal);
      if (done) {
        ended = true;
        break;
      }
      length += value.length;
      chunks.push(value);
    }
  } finally {
    // Past the limit, or aborted: stop reading (for a file, this closes it).
    if (!ended) reader.cancel().catch(() => {});
  }
  if (length > limit) return undefined;
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}
