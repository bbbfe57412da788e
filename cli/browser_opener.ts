/**
 * Opens a URL in the user's browser: `$BROWSER URL` when BROWSER is set, else the platform's
 * opener (xdg-open, wslview under WSL, open on macOS, the URL protocol handler on Windows).
 * The URL is always one argument of a process, never a shell command line.
 *
 * @module
 */

import { childEnvironment } from "./child_environment.ts";

/**
 * The environment: the variables this module reads, and the whole of it for the opener
 * (`{ get: runtime.env, environment: runtime.environment }`).
 */
export interface OpenerEnv {
  get(name: string): string | undefined;
  /**
   * The whole environment; the opener gets it less the secrets clauth consumed. Without it,
   * the opener gets an empty environment (never clauth's own, which holds those secrets).
   */
  environment?(): Record<string, string>;
}

/** The operating system, as `Deno.build.os` names it. */
export type OsName = typeof Deno.build.os;

/** How long a platform opener may take before we assume it opened the browser and moved on. */
const OPENER_WAIT_MS = 5_000;

/**
 * The command lines to try, in order, to open `url`; empty when there is no way to try.
 * `$BROWSER` is one command with arguments separated by whitespace; a `%s` argument is
 * replaced by the URL, else the URL is appended. A value that names an existing file is that
 * one program, spaces and all ("C:\Program Files\...\chrome.exe").
 */
export function browserCommands(
  url: string,
  env: OpenerEnv,
  os: OsName = Deno.build.os,
): string[][] {
  const browser = env.get("BROWSER")?.trim();
  if (browser) {
    const words = isFile(browser) ? [browser] : browser.split(/\s+/);
    const withUrl = words.some((w) => w.includes("%s"))
      ? words.map((w) => w.replaceAll("%s", url))
      : [...words, url];
    return [withUrl];
  }
  switch (os) {
    case "darwin":
      return [["open", url]];
    case "windows":
      // Not `cmd /c start`: cmd would read the URL's "&" as a command separator.
      return [["rundll32", "url.dll,FileProtocolHandler", url]];
    default:
      return isWsl(env) ? [["wslview", url], ["xdg-open", url]] : [["xdg-open", url]];
  }
}

/**
 * Opens `url` in a browser. Resolves true when the opener ran and exited 0; false (never a
 * rejection) when no opener exists or it failed.
 *
 * A `$BROWSER` command is waited for (it may be a program that does the whole login and
 * exits). A platform opener is waited for at most a few seconds: xdg-open and friends return
 * at once, and a browser the opener runs in the foreground must not hold up the answer.
 * Its output is discarded (stdout carries data only), it gets no stdin (the terminal may be
 * reading a pasted URL), and its environment lacks the secrets clauth consumed. A `$BROWSER`
 * command still running when the login is over is left alone: main.ts exits with `Deno.exit`,
 * which does not wait for it.
 */
export async function openBrowser(
  url: string,
  env: OpenerEnv,
  os: OsName = Deno.build.os,
): Promise<boolean> {
  const fromEnv = Boolean(env.get("BROWSER")?.trim());
  for (const [program, ...args] of browserCommands(url, env, os)) {
    if (program === undefined) continue;
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(program, {
        args,
        clearEnv: true,
        env: childEnvironment(env.environment?.() ?? {}),
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
    } catch {
      continue; // not installed (or not allowed to run): try the next one
    }
    if (fromEnv) return (await child.status).success;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const assumeOpened = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => {
        child.unref(); // still running: it must not keep clauth alive
        resolve(true);
      }, OPENER_WAIT_MS);
    });
    try {
      return await Promise.race([child.status.then((status) => status.success), assumeOpened]);
    } finally {
      clearTimeout(timer);
    }
  }
  return false;
}

/**
 * Whether a browser can plausibly be opened here: BROWSER is set, or there is a desktop
 * (macOS, Windows, WSL, or DISPLAY / WAYLAND_DISPLAY on Linux and the BSDs) and this is not an
 * SSH session without a forwarded display. `--flow auto` picks the device flow when false.
 */
export function canOpenBrowser(env: OpenerEnv, os: OsName = Deno.build.os): boolean {
  if (env.get("BROWSER")?.trim()) return true;
  const display = Boolean(env.get("DISPLAY") || env.get("WAYLAND_DISPLAY"));
  const ssh = Boolean(env.get("SSH_CONNECTION") || env.get("SSH_CLIENT") || env.get("SSH_TTY"));
  if (ssh) return display;
  if (os === "darwin" || os === "windows") return true;
  return display || isWsl(env);
}

/** Windows Subsystem for Linux: browsers open on the Windows side through wslview. */
function isWsl(env: OpenerEnv): boolean {
  if (env.get("WSL_DISTRO_NAME") || env.get("WSL_INTEROP")) return true;
  try {
    return /microsoft/i.test(Deno.readTextFileSync("/proc/version"));
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
