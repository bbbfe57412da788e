/**
 * `clauth exec -- CMD ARGS...`: runs CMD with a usable access token in its environment
 * (CLAUTH_ACCESS_TOKEN, or the name given with --env-var), so the token never appears in a
 * command line. Exits with CMD's exit code; Ctrl-C and SIGTERM reach CMD.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import type { CommandContext } from "./context.ts";
import { currentTokens } from "./token.ts";

/** Options of `clauth exec`. */
export interface ExecOptions {
  envVar: string;
  minTtl: number;
}

/** Runs `clauth exec` and returns CMD's exit code. */
export async function execCommand(
  context: CommandContext,
  command: string[],
  options: ExecOptions,
): Promise<number> {
  const [program, ...args] = command;
  if (!program) {
    throw new ClauthError("usage", 'Name the command to run after "--": clauth exec -- curl ...');
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.envVar)) {
    throw new ClauthError("usage", `"${options.envVar}" is not a valid environment variable name.`);
  }
  const tokens = await currentTokens(context, { minTtl: options.minTtl });
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      env: { ...withoutSecrets(), [options.envVar]: tokens.access_token },
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
  } catch (error) {
    throw new ClauthError("usage", `Cannot run "${program}": ${(error as Error).message}.`);
  }
  const forwarded: Deno.Signal[] = Deno.build.os === "windows" ? [] : ["SIGINT", "SIGTERM"];
  const forward = forwarded.map((signal) => {
    const handler = () => child.kill(signal);
    Deno.addSignalListener(signal, handler);
    return () => Deno.removeSignalListener(signal, handler);
  });
  try {
    const status = await child.status;
    return status.signal ? 128 + signalNumber(status.signal) : status.code;
  } finally {
    for (const remove of forward) remove();
  }
}

/** Secrets clauth itself consumed, blanked for the child (removing one needs clearEnv). */
const CONSUMED_SECRETS = ["CLAUTH_CLIENT_SECRET", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"];

function withoutSecrets(): Record<string, string> {
  return Object.fromEntries(
    CONSUMED_SECRETS.filter((name) => Deno.env.get(name) !== undefined).map((name) => [name, ""]),
  );
}

function signalNumber(signal: Deno.Signal): number {
  return ({ SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 1;
}
