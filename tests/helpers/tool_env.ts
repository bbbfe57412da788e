/**
 * For tests where a real tool (kubectl, git) runs clauth: where that tool is, and an
 * environment that keeps it away from the user's own home, configs and credentials while the
 * clauth it starts still finds Deno's module cache and the test's CLAUTH_ folders.
 */

import type { CliHome } from "./cli.ts";
import { platformEnv } from "./platform_env.ts";

let denoDir: Promise<string> | undefined;

/** Deno's cache folder, which a clauth started with another HOME must still use. */
function cacheDir(): Promise<string> {
  denoDir ??= (async () => {
    const fromEnv = Deno.env.get("DENO_DIR");
    if (fromEnv) return fromEnv;
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return JSON.parse(new TextDecoder().decode(output.stdout)).denoDir as string;
  })();
  return denoDir;
}

/**
 * A clean environment for a tool: PATH and the platform's needs, a new empty HOME (no
 * ~/.gitconfig, no ~/.kube), no system git config, no prompts, and the CLI home's CLAUTH_
 * variables. `extra` is added last.
 */
export async function toolEnv(
  home: CliHome,
  extra: Record<string, string> = {},
): Promise<Record<string, string>> {
  const toolHome = await Deno.makeTempDir({ prefix: "clauth-tool-home-" });
  return {
    ...platformEnv(),
    HOME: toolHome,
    USERPROFILE: toolHome,
    DENO_DIR: await cacheDir(),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    ...home.env,
    ...extra,
  };
}

/** Runs a program to the end with `env` (and nothing else), stdin closed. */
export async function runTool(
  program: string,
  args: string[],
  env: Record<string, string>,
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string; timedOut: boolean }> {
  const signal = AbortSignal.timeout(options.timeoutMs ?? 60_000);
  const output = await new Deno.Command(program, {
    args,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal,
    ...(options.cwd ? { cwd: options.cwd } : {}),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
    timedOut: signal.aborted,
  };
}

/**
 * Why a tool's tests cannot run here, or undefined when they can: `program` must be on PATH
 * and `check` (given its `--version`-like output) must accept it.
 */
export async function missingTool(
  program: string,
  versionArgs: string[],
  check: (output: string) => string | undefined = () => undefined,
): Promise<string | undefined> {
  try {
    const output = await new Deno.Command(program, {
      args: versionArgs,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) return `${program} ${versionArgs.join(" ")} failed`;
    return check(new TextDecoder().decode(output.stdout));
  } catch {
    return `${program} is not installed`;
  }
}
