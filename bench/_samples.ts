/**
 * What the benchmarks share: alternating samples of commands, medians and spreads, and the
 * line that says which machine they ran on.
 *
 * @module
 */

import { parseArgs } from "node:util";

/** The `--runs N` a benchmark was given (a positive integer), or `fallback`. */
export function runsOption(fallback: number): number {
  const { values } = parseArgs({
    args: Deno.args,
    options: { runs: { type: "string", default: String(fallback) } },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs takes a positive integer");
  return runs;
}

/**
 * Runs every command `runs` times, alternating so that machine noise hits all alike, after
 * two warm-up rounds (module cache, file cache, cached tokens); returns the times per command.
 */
export async function alternatingSamples<T>(
  commands: readonly T[],
  runs: number,
  time: (command: T) => Promise<number>,
): Promise<number[][]> {
  for (let i = 0; i < 2; i++) for (const command of commands) await time(command);
  const samples = commands.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    for (const [index, command] of commands.entries()) samples[index]!.push(await time(command));
  }
  return samples;
}

function sorted(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

/** The median of `xs`. */
export function median(xs: readonly number[]): number {
  const s = sorted(xs);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** The interquartile range of `xs` in whole milliseconds: "21-26". */
export function spread(xs: readonly number[]): string {
  const s = sorted(xs);
  return `${s[Math.floor(s.length / 4)]!.toFixed(0)}-${
    s[Math.floor((3 * s.length) / 4)]!.toFixed(0)
  }`;
}

/** "x86_64-unknown-linux-gnu, deno 2.9.6, 2 cores, 21 runs each, alternating". */
export function machineLine(runs: number): string {
  return `${Deno.build.target}, deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores, ${runs} runs each, alternating`;
}

/** The wall time of one run of `program` with `args`, in ms; a failed run throws its stderr. */
export async function timeRun(
  program: string,
  args: string[],
  options: { env: Record<string, string>; cwd: string },
): Promise<number> {
  const start = performance.now();
  const output = await new Deno.Command(program, {
    args,
    env: options.env,
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const elapsed = performance.now() - start;
  if (!output.success) {
    throw new Error(`${args.join(" ")} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return elapsed;
}
