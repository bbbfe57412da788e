/**
 * A real Secret Service for tests: a private D-Bus session (dbus-run-session) with Debian's
 * gnome-keyring-daemon unlocked with a test password, in a temporary HOME so no real keyring
 * is touched. Tests without the programs are ignored, saying why (.ci/run installs them).
 */

/** Why the Secret Service tests cannot run here, or undefined when they can. */
export async function secretServiceMissing(): Promise<string | undefined> {
  if (Deno.build.os !== "linux") return "the Secret Service tests run on Linux only";
  for (const program of ["secret-tool", "gnome-keyring-daemon", "dbus-run-session"]) {
    try {
      await new Deno.Command("sh", {
        args: ["-c", `command -v ${program}`],
        stdout: "null",
        stderr: "null",
      }).output().then((out) => {
        if (!out.success) throw new Error();
      });
    } catch {
      return `${program} is not installed (apt-get install libsecret-tools gnome-keyring dbus-daemon)`;
    }
  }
  return undefined;
}

// Unlocks (creating) the login keyring with password "test", says where the bus is, and
// keeps the session until stdin closes.
const SESSION_SCRIPT =
  `printf test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
echo "$DBUS_SESSION_BUS_ADDRESS"
exec cat >/dev/null`;

/**
 * Runs `fn` with the environment (DBUS_SESSION_BUS_ADDRESS) of a fresh, unlocked Secret
 * Service, then ends the session.
 */
export async function withSecretService<T>(
  fn: (env: Record<string, string>) => Promise<T>,
): Promise<T> {
  const home = await Deno.makeTempDir({ prefix: "clauth-keyring-" });
  const child = new Deno.Command("dbus-run-session", {
    args: ["--", "sh", "-c", SESSION_SCRIPT],
    env: { HOME: home, XDG_DATA_HOME: `${home}/data`, XDG_RUNTIME_DIR: home },
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("dbus-run-session ended before the keyring was ready");
      text += value;
    }
    const address = text.split("\n")[0]!;
    return await fn({ DBUS_SESSION_BUS_ADDRESS: address });
  } finally {
    await child.stdin.close();
    await reader.cancel();
    await child.status;
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
}

/**
 * Runs `fn` with the environment of a session bus that never answers: a socket that accepts
 * connections and reads nothing back (a hung D-Bus, as a locked keyring may look).
 */
export async function withSilentBus<T>(
  fn: (env: Record<string, string>) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "clauth-bus-" });
  const path = `${dir}/bus`;
  const listener = Deno.listen({ transport: "unix", path });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    return await fn({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${path}` });
  } finally {
    listener.close();
    await accepting.catch(() => {});
    for (const conn of held) conn.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
