/**
 * Runs the real clauth CLI as a subprocess with its own config and state folders.
 */

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

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

/** Runs `clauth ...args` with `env` added to a clean environment. */
export async function runClauth(
  args: string[],
  options: { env?: Record<string, string>; stdin?: string } = {},
): Promise<CliResult> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", MAIN, ...args],
    env: { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "/tmp", ...options.env },
    clearEnv: true,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = command.spawn();
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
