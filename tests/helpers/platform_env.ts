/**
 * The variables a child process needs to work at all, for tests that start one with a clean
 * environment: on Windows, networking needs SystemRoot (Winsock) and the rest; everywhere,
 * DENO_DIR keeps the same module cache.
 */
export function platformEnv(): Record<string, string> {
  const names = [
    "PATH",
    "HOME",
    "DENO_DIR",
    "TMPDIR",
    "SystemRoot",
    "windir",
    "TEMP",
    "TMP",
    "USERPROFILE",
    "LOCALAPPDATA",
    "APPDATA",
    "PATHEXT",
    "ComSpec",
  ];
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = Deno.env.get(name);
    if (value) env[name] = value;
  }
  return env;
}
