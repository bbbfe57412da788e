/**
 * The commands that send a token onward: `api` (one request to an API), `proof` (a DPoP
 * proof for another tool's request) and `exchange` (RFC 8693). Part of the command tree
 * (cli/program.ts); each action imports its command's module when it runs.
 *
 * @module
 */

import { type Command, Option } from "@commander-js/extra-typings";
import type { CommandContext, GlobalOptions, Session } from "./context.ts";
import { OUTPUT_FORMATS, parseOutputFormat } from "./token_output.ts";

/** Where `--subject-token-from` can take the subject token from (exchange.ts's list). */
export const SUBJECT_TOKEN_SOURCES = ["github-actions"] as const;

/**
 * Short token type names for the exchange options' help: TOKEN_TYPES' keys in
 * flows/grants/token_exchange.ts, written out so --help does not load oauth4webapi (a test
 * checks they match).
 */
export const TOKEN_TYPE_NAMES = [
  "access_token",
  "refresh_token",
  "id_token",
  "jwt",
  "saml1",
  "saml2",
];

/** What the command tree hands these commands. */
export interface ApiCommandTools {
  session: Session;
  /** The command's context from its options and the globals. */
  withContext: (command: { optsWithGlobals(): object }) => Promise<CommandContext>;
  /** Collects a repeated option. */
  collect: (value: string, previous: string[]) => string[];
  /** Sets the exit code of a command that decides its own (api). */
  setExitCode: (code: number) => void;
}

/** Adds `api`, `proof` and `exchange` to `program`. */
// deno-lint-ignore no-explicit-any
export function addApiCommands(program: Command<[], any, any>, tools: ApiCommandTools): void {
  const { session, withContext, collect, setExitCode } = tools;
  program.command("api")
    .description("make one authenticated request to an API and print the answer (like gh api)")
    .argument("<url>", "the API's URL: https://, or http:// on loopback")
    .option("--method <method>", "HTTP method (default GET, or POST with --data)")
    .option("-H, --header <header>", '"Name: value" header to add; repeatable', collect, [])
    .option("--data <body>", "request body: TEXT, @FILE, or - for stdin")
    .option("--include", "print the status line and headers to stderr", false)
    .action(async (url, options, command) => {
      const context = await withContext(command);
      const { apiCommand } = await import("./api.ts");
      setExitCode(
        await apiCommand(context, {
          url,
          headers: options.header,
          include: options.include,
          ...(options.method === undefined ? {} : { method: options.method }),
          ...(options.data === undefined ? {} : { data: options.data }),
        }),
      );
    });

  program.command("proof")
    .description("print a DPoP proof for one request with the profile's token (RFC 9449)")
    .requiredOption("--method <method>", "the request's HTTP method")
    .requiredOption("--url <url>", "the request's URL")
    .option("--nonce <nonce>", "the server's DPoP-Nonce, when it asked for one")
    .action(async (options, command) => {
      const context = await withContext(command);
      const { proofCommand } = await import("./proof.ts");
      await proofCommand(context, {
        method: options.method,
        url: options.url,
        ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
      });
    });

  const tokenTypes = `${TOKEN_TYPE_NAMES.join(", ")} or a full URN`;
  program.command("exchange")
    .description("trade a token for another (RFC 8693 token exchange); prints it, never caches it")
    .option(
      "--subject-token <token>",
      "the token to exchange; - reads it from stdin (default: the profile's access token)",
    )
    .option("--subject-token-file <path>", "read the subject token from a file")
    .addOption(
      new Option("--subject-token-from <source>", "use GitHub Actions' OIDC token as the subject")
        .choices(SUBJECT_TOKEN_SOURCES),
    )
    .option("--github-audience <aud>", "audience to ask GitHub's OIDC token for")
    .option(
      "--subject-token-type <type>",
      `${tokenTypes} (default access_token; jwt for github-actions)`,
    )
    .option("--actor-token <token>", "the acting party's token (delegation); - reads stdin")
    .option("--actor-token-file <path>", "read the actor token from a file")
    .option("--actor-token-type <type>", `${tokenTypes} (default access_token)`)
    .option("--audience <name>", "service the new token is for; repeatable", collect, [])
    .option("--resource <uri>", "absolute URI of a service (RFC 8707); repeatable", collect, [])
    .option("--requested-token-type <type>", `the type of token wanted back: ${tokenTypes}`)
    .addOption(
      new Option("--output <format>", "how to print the token").choices(OUTPUT_FORMATS).default(
        "raw" as const,
      ),
    )
    .addHelpText(
      "after",
      `
--scope names the scope asked for the new token; the profile's own scope (config file or
CLAUTH_SCOPE) still picks the profile's token used as the default subject. The issued token
type goes to stderr (and into --output json). Exchanged tokens are not cached: every run asks
the server.`,
    )
    .action(async (options, command) => {
      const globals = { ...command.optsWithGlobals() } as GlobalOptions;
      // On this command --scope is the new token's scope, not the profile's.
      const scope = command.parent?.getOptionValueSource("scope") === "cli"
        ? globals.scope
        : undefined;
      if (scope !== undefined) delete globals.scope;
      const { CommandContext } = await import("./context.ts");
      const context = await CommandContext.create(globals, session);
      const { exchangeCommand } = await import("./exchange.ts");
      await exchangeCommand(context, {
        ...options,
        scope,
        output: context.options.json ? "json" : parseOutputFormat(options.output),
      });
    });
}
