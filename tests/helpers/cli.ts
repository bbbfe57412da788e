/**
 * Runs the real clauth CLI with its own config and state folders: in process on a fake
 * runtime (most tests), or as a subprocess where the process boundary is the point.
 */

import { fileURLToPath } from "node:url";
import { runCli } from "../../cli/run.ts";
import type { RuntimeSignal } from "../../cli/runtime.ts";
import { fakeRuntime, type FakeRuntimeOptions } from "./fake_runtime.ts";
import { platformEnv } from "./platform_env.ts";
import { TextWatch } from "./text_watch.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Isolated folders for one test's config and tokens. */
export interface CliHome {
  configDir: string;
  stateDir: string;
  env: Record<string, string>;
  /** Writes config.json (an object, or raw text for malformed-config tests). */
  writeConfig(config: unknown): Promise<void>;
}

export async function makeCliHome(): Promise<CliHome> {
  const root = await Deno.makeTempDir({ prefix: "clauth-test-" });
  const configDir = `${root}/config`;
  const stateDir = `${root}/state`;
  await Deno.mkdir(configDir, { recursive: true });
  return {
    configDir,
    stateDir,
    env: { CLAUTH_CONFIG_DIR: configDir, CLAUTH_STATE_DIR: stateDir, NO_COLOR: "1" },
    async writeConfig(config) {
      const text = typeof config === "string" ? config : JSON.stringify(config, null, 2);
      await Deno.writeTextFile(`${configDir}/config.json`, text);
    },
  };
}

/** A home with one profile, selected through CLAUTH_PROFILE; `env` adds variables. */
export async function profileHome(
  name: string,
  profile: Record<string, unknown>,
  env: Record<string, string> = {},
): Promise<CliHome> {
  const home = await makeCliHome();
  await home.writeConfig({ profiles: { [name]: profile } });
  return { ...home, env: { ...home.env, CLAUTH_PROFILE: name, ...env } };
}

/** dev/browser.ts as a $BROWSER command: follows the redirects of an auto-approving provider. */
export const FAKE_BROWSER = `${Deno.execPath()} run --allow-net ${
  fileURLToPath(new URL("../../dev/browser.ts", import.meta.url))
}`;

function clauthCommand(args: string[], env: Record<string, string> = {}, stdin = false) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", MAIN, ...args],
    env: { ...platformEnv(), ...env },
    clearEnv: true,
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/** How an in-process run looks from inside: `env` is added to a clean environment. */
export type InProcessOptions = Omit<FakeRuntimeOptions, "stdin"> & { stdin?: string };

/**
 * Runs `clauth ...args` in this process, the whole CLI as main.ts runs it, on a fake runtime
 * whose environment is `env` added to a clean one; the clock is fixed unless `now` says.
 */
export async function runClauth(
  args: string[],
  options: InProcessOptions = {},
): Promise<CliResult> {
  return await startClauth(args, options).result();
}

/**
 * Starts `clauth ...args` in process and lets the test read stderr as it comes (to act on a
 * printed URL), send it signals, then collect the whole result.
 */
export function startClauth(args: string[], options: InProcessOptions = {}) {
  const runtime = fakeRuntime({ ...options, env: { ...platformEnv(), ...options.env } });
  const code = runCli(args, runtime);
  const stderr = runtime.stderrWatch;
  code.finally(() => stderr.end());
  return {
    runtime,
    /** Resolves with the first match of `pattern` in stderr; rejects if clauth ends first. */
    waitForStderr: (pattern: RegExp) => stderr.waitFor(pattern),
    async result(): Promise<CliResult> {
      return { code: await code, stdout: runtime.stdoutText, stderr: runtime.stderrText };
    },
    /** Sends a signal clauth listens for (Ctrl-C by default). */
    kill: (signal: RuntimeSignal = "SIGINT") => runtime.send(signal),
  };
}

/** Runs `clauth ...args` as a subprocess, with `env` added to a clean environment. */
export async function runClauthProcess(
  args: string[],
  options: { env?: Record<string, string>; stdin?: string } = {},
): Promise<CliResult> {
  const child = clauthCommand(args, options.env, options.stdin !== undefined).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/**
 * Starts `clauth ...args` as a subprocess and lets the test read stderr as it comes, then
 * collect the whole result.
 */
export function startClauthProcess(
  args: string[],
  options: { env?: Record<string, string> } = {},
) {
  const child = clauthCommand(args, options.env).spawn();
  const stderr = new TextWatch();
  const stderrDone = stderr.read(child.stderr);
  let done: Promise<CliResult> | undefined;
  return {
    /** Resolves with the first match of `pattern` in stderr; rejects if stderr closes first. */
    waitForStderr: (pattern: RegExp) => stderr.waitFor(pattern),
    /** The whole result, once clauth has ended (the same promise every call). */
    result: (): Promise<CliResult> =>
      done ??= (async () => {
        const [status, stdout] = await Promise.all([
          child.status,
          new Response(child.stdout).text(),
        ]);
        await stderrDone;
        return { code: status.code, stdout, stderr: stderr.text };
      })(),
    kill: (signal: Deno.Signal = "SIGTERM") => child.kill(signal),
  };
}

/** The first slot of a token file (`<state>/tokens/<profile>.json`), as stored (untyped JSON). */
// deno-lint-ignore no-explicit-any
export async function readSlot(tokenFile: string): Promise<any> {
  const { slots } = JSON.parse(await Deno.readTextFile(tokenFile));
  if (!Array.isArray(slots) || slots.length === 0) throw new Error(`no slot in ${tokenFile}`);
  return slots[0];
}

/** What the harness of {@linkcode startCachedPathOnly} prints each time clauth blocks on a lock. */
const LOCK_WAIT = "[harness: waiting for a lock]\n";

/**
 * `clauth token` as main.ts runs it, except that loading the full command fails loudly. The
 * harness marks on stderr each call that blocks on a lock, so that a test knows the moment
 * the process waits (`waitingForLock`); `result`'s stderr is clauth's own, without the marks.
 */
export function startCachedPathOnly(env: Record<string, string>) {
  const root = new URL("../../", import.meta.url);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { main } from "${new URL("cli/main.ts", root)}";
       import { processRuntime } from "${new URL("cli/process_runtime.ts", root)}";
       const lock = Deno.FsFile.prototype.lock;
       Deno.FsFile.prototype.lock = function (exclusive) {
         Deno.stderr.writeSync(new TextEncoder().encode(${JSON.stringify(LOCK_WAIT)}));
         return lock.call(this, exclusive);
       };
       Deno.exit(await main(Deno.args, processRuntime(), () => { throw new Error("the full command ran"); }));`,
      "--",
      "token",
    ],
    env: { ...platformEnv(), ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new TextWatch();
  const result = Promise.all([
    child.status,
    new Response(child.stdout).text(),
    stderr.read(child.stderr).then(() => stderr.text.replaceAll(LOCK_WAIT, "")),
  ]).then(([status, stdout, stderr]) => ({ status, stdout, stderr }));
  return {
    child,
    result,
    /** Resolves once the process has blocked on a lock `times` times; rejects if it ends first. */
    waitingForLock: async (times = 1) => {
      await stderr.waitFor(new RegExp(`(?:${escapeRegExp(LOCK_WAIT)}[\\s\\S]*){${times}}`));
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
