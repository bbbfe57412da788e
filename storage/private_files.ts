/**
 * Small file helpers for secrets: folders 0700, files 0600, atomic replacement.
 *
 * @module
 */

const isWindows = Deno.build.os === "windows";

/** Creates `dir` (and parents) and makes sure the folder itself is 0700. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask, and an existing folder keeps its old mode.
  if (!isWindows) await Deno.chmod(dir, 0o700);
}

/** Options for {@linkcode writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** Test hook: runs after the temporary file is written and before it replaces `path`. */
  beforeRename?: (tempPath: string) => Promise<void>;
}

/**
 * Replaces `path` with `data` so that readers see either the old or the new file, never a
 * mix: write a 0600 temp file beside it, fsync, then rename over the target.
 */
export async function writeFileAtomic(
  path: string,
  data: string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const tempPath = `${path}.${crypto.randomUUID()}.tmp`;
  const file = await Deno.open(tempPath, { write: true, createNew: true, mode: 0o600 });
  try {
    if (!isWindows) await Deno.chmod(tempPath, 0o600);
    const bytes = new TextEncoder().encode(data);
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    await file.sync();
  } finally {
    file.close();
  }
  try {
    await options.beforeRename?.(tempPath);
    await Deno.rename(tempPath, path);
  } catch (error) {
    await Deno.remove(tempPath).catch(() => {});
    throw error;
  }
}

/**
 * Reads a small text file, or undefined when it does not exist. Synchronous inside: for
 * files this small it is several times cheaper than an async read, and the cached-token
 * path is measured in milliseconds.
 */
export function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return Promise.resolve(Deno.readTextFileSync(path));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return Promise.resolve(undefined);
    return Promise.reject(error);
  }
}
