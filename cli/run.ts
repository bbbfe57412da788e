/**
 * One run of the CLI: the Ctrl-C signal, the command tree, and the mapping of failures to a
 * message, hints and an exit code. Loaded only when the cached-token path cannot answer.
 *
 * @module
 */

import type { CommanderError } from "@commander-js/extra-typings";
import { ClauthError, exitCodeFor } from "../errors.ts";
import { describeUrl } from "../flows/protocol/http.ts";
import { safeText } from "../flows/protocol/safe_text.ts";
import type { GlobalOptions, Session } from "./context.ts";
import { closeCaClients } from "./ca_file.ts";
import { errorHints, unexpectedErrorText } from "./error_hints.ts";
import type { Runtime } from "./runtime.ts";
import { type Terminal, terminalOf } from "./terminal.ts";
import { versionText } from "./version.ts";

/** The modules run.ts loads on demand, by specifier. */
export interface OnDemandModules {
  "./program.ts": typeof import("./program.ts");
  "./status.ts": typeof import("./status.ts");
  "./context.ts": typeof import("./context.ts");
  "./whoami.ts": typeof import("./whoami.ts");
  "./token.ts": typeof import("./token.ts");
  "./help_pages.ts": typeof import("./help_pages.ts");
  "./completions.ts": typeof import("./completions.ts");
}

let provided: OnDemandModules | undefined;

/**
 * Hands run.ts its on-demand modules, for a build that cannot load them later: the single-file
 * bundle (release/bundle_entry.ts) imports them statically.
 */
export function provideModules(modules: OnDemandModules): void {
  provided = modules;
}

/**
 * Loads one of run.ts's on-demand modules. The specifier is computed: `deno run` reads the
 * graph of a literal dynamic import before the program starts (about 5 ms for status, which
 * needs none of commander, oauth4webapi or jose); release/compile.ts --include's them.
 */
function load<K extends keyof OnDemandModules>(specifier: K): Promise<OnDemandModules[K]> {
  return provided ? Promise.resolve(provided[specifier]) : import(specifier);
}

/**
 * Runs the whole CLI with `args` on `runtime` and returns the exit code. Expected failures
 * print one message. Ctrl-C (SIGINT) aborts network work and ends with 130.
 */
export async function runCli(
  args: string[],
  runtime: Runtime,
  options: { cachedTokenStale?: boolean } = {},
): Promise<number> {
  const controller = new AbortController();
  const stopListening = runtime.onSignal(
    "SIGINT",
    () => controller.abort(new DOMException("Interrupted", "AbortError")),
  );
  try {
    return await runProgram(args, {
      runtime,
      terminal: terminalOf(runtime),
      signal: controller.signal,
      cachedTokenStale: options.cachedTokenStale === true,
    });
  } finally {
    stopListening();
    await closeCaClients(controller.signal);
  }
}

async function runProgram(args: string[], session: Session): Promise<number> {
  const { terminal, signal } = session;
  // `clauth` alone asks what it can do: the help, as a success.
  if (args.length === 0) args = ["--help"];
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
    await terminal.out(`${versionText()}\n`);
    return 0;
  }
  const own = args.includes("--") ? args.slice(0, args.indexOf("--")) : args; // not exec's command
  if (own.some((arg) => arg === "--client-secret" || arg.startsWith("--client-secret="))) {
    // Other users can read a process's arguments: say how to pass the secret instead.
    terminal.info(
      "clauth: secrets are never taken from the command line (other users can read it): set CLAUTH_CLIENT_SECRET or use --client-secret-file PATH.",
    );
    return 2;
  }
  let exitCode = 0;
  let commanderError: typeof CommanderError | undefined;
  const verbose = args.includes("--verbose");
  try {
    if (args[0] === "complete" || args[0] === "completions") {
      // A TAB waits on this: answered from data written ahead, without commander.
      const { completionsCommand } = await load("./completions.ts");
      const code = await completionsCommand(args, session);
      if (code !== undefined) return code;
    }
    const help = await helpPage(args, session.runtime);
    if (help !== undefined) {
      await terminal.out(help);
      return 0;
    }
    if (args.length === 2 && args[0] === "help" && !await isCommand(args[1]!)) {
      // commander would print the whole help on stderr, and no word about why.
      terminal.info(`clauth: unknown command '${safeText(args[1]!, 100)}'`);
      terminal.info('(run "clauth --help" for the commands)');
      return 2;
    }
    const light = lightCommand(args);
    if (light) return await runLight(light, session);
    // Commander brings Node compatibility (node:process, node:fs): more startup time than the
    // rest of the command, hence the light forms above.
    const { addCompletions, buildProgram, CommanderError } = await load("./program.ts");
    commanderError = CommanderError;
    const program = buildProgram(session, (code) => exitCode = code);
    addCompletions(program);
    await program.parseAsync(args, { from: "user" });
    return exitCode; // 0 unless a command (exec) set its own
  } catch (error) {
    if (commanderError && error instanceof commanderError) {
      // help and version exit 0 through here; usage errors were already printed.
      if (error.exitCode === 0) return 0;
      if (args[0] === "exec" && !args.includes("--")) {
        terminal.info(
          'Put "--" before the command, so its options are not taken for clauth\'s: clauth exec -- CMD ARGS...',
        );
      }
      return 2;
    }
    if (signal.aborted) {
      terminal.info("clauth: interrupted.");
      return 130;
    }
    if (error instanceof ClauthError) {
      terminal.info(`clauth: ${error.message}`);
      for (const hint of errorHints(error)) terminal.info(hint);
      const providerHint = session.presetHint?.(error.message);
      if (providerHint) terminal.info(providerHint);
      if (verbose) printCauses(terminal, error.cause);
      return exitCodeFor(error.code);
    }
    terminal.info(`clauth: ${unexpectedErrorText(error)}`);
    if (verbose) terminal.info(String((error as Error)?.stack ?? ""));
    else terminal.info("Run again with --verbose for details.");
    return 1;
  }
}

/** An everyday command line that needs no option parser: see {@link lightCommand}. */
export interface LightCommand {
  command: "status" | "whoami" | "token";
  globals: GlobalOptions;
  /** token's --force-refresh. */
  forceRefresh: boolean;
}

/**
 * Recognises the everyday forms `status`, `whoami` and `token [--force-refresh]`, with
 * `--profile NAME`, `--json` and `--verbose` before or after the command, and returns what
 * commander would hand their actions (tests/cli/lazy_commands_test.ts compares the two).
 * Anything else (other options, `--opt=value`, help, a usage error) is undefined: commander
 * parses it.
 */
export function lightCommand(args: string[]): LightCommand | undefined {
  let command: LightCommand["command"] | undefined;
  const globals: GlobalOptions = {};
  let forceRefresh = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--json" || arg === "--verbose") {
      globals[arg === "--json" ? "json" : "verbose"] = true;
    } else if (arg === "--profile") {
      const value = args[++i];
      if (value === undefined || value === "" || value.startsWith("-")) return undefined;
      globals.profile = value;
    } else if (arg === "--force-refresh" && command === "token") {
      forceRefresh = true;
    } else if (command === undefined && (arg === "status" || arg === "whoami" || arg === "token")) {
      command = arg;
    } else {
      return undefined;
    }
  }
  return command === undefined ? undefined : { command, globals, forceRefresh };
}

/**
 * The help page `args` ask for (`--help`, `-h`, `help`, `help COMMAND`, `COMMAND --help`),
 * written ahead by release/help_pages.ts at 80 columns: commander would print the same, but
 * loading it takes longer than the rest of the help. A terminal narrower than that gets
 * commander's, wrapped to fit; so does anything else.
 */
async function helpPage(args: string[], runtime: Runtime): Promise<string | undefined> {
  const asking = (arg: string | undefined) => arg === "--help" || arg === "-h";
  let name: string | undefined;
  if (args.length === 1 && (asking(args[0]) || args[0] === "help")) name = "";
  else if (args.length === 2 && args[0] === "help") name = args[1];
  else if (args.length === 2 && asking(args[1])) name = args[0];
  const { isTerminal, columns = 80 } = runtime.stdout;
  if (name === undefined || name.startsWith("-") || (isTerminal && columns < 80)) return undefined;
  const { HELP_PAGES } = await load("./help_pages.ts");
  return Object.hasOwn(HELP_PAGES, name) ? HELP_PAGES[name] : undefined;
}

/** Whether `name` is a command (or help topic) of the tree, as the pages written ahead say. */
async function isCommand(name: string): Promise<boolean> {
  const { HELP_PAGES } = await load("./help_pages.ts");
  // "help" and options ("help --help") are commander's to answer.
  if (name === "help" || name.startsWith("-")) return true;
  return name !== "" && Object.hasOwn(HELP_PAGES, name);
}

/** Runs a {@link LightCommand} as the command tree's action would. */
async function runLight(light: LightCommand, session: Session): Promise<number> {
  if (light.command === "status") {
    const { statusCommand } = await load("./status.ts");
    return await statusCommand(session, light.globals);
  }
  const { CommandContext } = await load("./context.ts");
  const context = await CommandContext.create(light.globals, session);
  if (light.command === "whoami") {
    const { whoamiCommand } = await load("./whoami.ts");
    await whoamiCommand(context);
    return 0;
  }
  const { tokenCommand } = await load("./token.ts");
  await tokenCommand(context, {
    output: context.options.json ? "json" : "raw",
    minTtl: undefined,
    forceRefresh: light.forceRefresh,
  });
  return 0;
}

/**
 * The chain of underlying errors, for --verbose. Only errors and responses are shown: other
 * causes are response bodies, which may hold tokens.
 */
function printCauses(terminal: Terminal, cause: unknown): void {
  for (let depth = 0; depth < 5; depth++) {
    if (cause instanceof Response) {
      terminal.info(`  caused by: HTTP ${cause.status} from ${describeUrl(cause.url)}`);
      return;
    }
    if (!(cause instanceof Error)) return;
    terminal.info(`  caused by: ${cause.name}: ${safeText(cause.message)}`);
    cause = cause.cause;
  }
}
