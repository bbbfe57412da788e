/**
 * clauth in a real pseudo-terminal, as a person's terminal runs it: util-linux `script`
 * gives the process a terminal for stdin, stdout and stderr (the process itself must see that
 * its streams are terminals). Linux only.
 */

import { fileURLToPath } from "node:url";
import { platformEnv } from "./platform_env.ts";
import { TextWatch } from "./text_watch.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

/** How the terminal looks: its environment (TERM, NO_COLOR...) and its width. */
export interface PtyOptions {
  env: Record<string, string>;
  /** The terminal's width (`stty cols`); unset, the terminal says 0 and clauth assumes 80. */
  columns?: number;
}

/** Starts `clauth ...args` in a pseudo-terminal. */
export function startInTerminal(args: string[], options: PtyOptions) {
  const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  const clauth = [Deno.execPath(), "run", "--allow-all", "--quiet", MAIN, ...args];
  const size = options.columns ? `stty cols ${options.columns} rows 60 && ` : "";
  const child = new Deno.Command("script", {
    args: ["--quiet", "--return", "--command", size + clauth.map(quote).join(" "), "/dev/null"],
    env: { ...platformEnv(), ...options.env },
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const screen = new TextWatch();
  const reading = screen.read(child.stdout);
  const keyboard = child.stdin.getWriter();
  return {
    /** Everything the terminal has shown so far (stdout and stderr, as the pty merges them). */
    screen,
    /** Types `text` (a line ends with "\n", as Enter sends it). */
    type: (text: string) => keyboard.write(new TextEncoder().encode(text)),
    /** Waits for the end; resolves with the exit code. */
    async result(): Promise<number> {
      const status = await child.status;
      await reading;
      await keyboard.close().catch(() => {});
      await child.stderr.cancel();
      return status.code;
    },
  };
}
