/**
 * The command tree: global options, and each subcommand's options wired to its file in cli/.
 * cli/run.ts runs it.
 *
 * @module
 */

import { Argument, Command, InvalidArgumentError, Option } from "@commander-js/extra-typings";
export { CommanderError } from "@commander-js/extra-typings";
import { ClauthError } from "../errors.ts";
import { FLOWS, STORAGE_SETTINGS } from "./config.ts";
import type { GlobalOptions, Session } from "./context.ts";
import { parseSeconds, parseTimeout, type RequestFlags } from "./settings.ts";
import { GIT_ACTIONS, OUTPUT_FORMATS, parseOutputFormat, TOKEN_TYPES } from "./token_output.ts";
import { addApiCommands } from "./api_commands.ts";
import { finishHelp, helpConfiguration } from "./help_text.ts";
import { versionText } from "./version.ts";

export { SUBJECT_TOKEN_SOURCES, TOKEN_TYPE_NAMES } from "./api_commands.ts";
export { addCompletions } from "./completions.ts";

// Each action imports its command's module when it runs, so a command loads only what it
// needs (jose, oauth4webapi, the browser opener, QR codes...) and --help loads none of them.
// The imports are literal: `deno compile` and `deno bundle` see them; `deno run` reads the
// files ahead but evaluates a module only when its command runs.

const MIN_TTL_HELP =
  "renew when fewer seconds are left (default 30, capped at half a token's lifetime)";

/** Parses a number of seconds for commander, with the usage error it expects. */
function seconds(value: string): number {
  try {
    return parseSeconds(value, "The value")!;
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Parses --timeout for commander (positive, and small enough for a timer). */
function timeoutSeconds(value: string): number {
  try {
    return parseTimeout(value, "The value")!;
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/**
 * Builds the program. `session.signal` aborts network work on Ctrl-C; a command that sets
 * an exit code of its own (exec) hands it to `setExitCode`.
 */
export function buildProgram(session: Session, setExitCode: (code: number) => void) {
  const { terminal } = session;
  const program = new Command()
    .name("clauth")
    .description("Get OAuth 2.0 / OpenID Connect tokens for command-line programs, scripts and CI.")
    .version(versionText(), "-V, --version")
    .option("--profile <name>", "profile to use (env: CLAUTH_PROFILE)")
    .option(
      "--provider <name>",
      "a provider preset: clauth providers lists them (env: CLAUTH_PROVIDER)",
    )
    .option("--host <host>", "the provider's host (GitHub Enterprise Server, self-managed GitLab)")
    .option("--authority <url>", "the provider's authority (Entra national clouds)")
    .option(
      "--tenant <tenant>",
      "the Entra tenant: a GUID, a domain, organizations, common, consumers",
    )
    .option("--issuer <url>", "authorization server issuer URL (env: CLAUTH_ISSUER)")
    .option("--client-id <id>", "OAuth client id (env: CLAUTH_CLIENT_ID)")
    .option(
      "--client-secret-file <path>",
      "file holding the client secret (or set CLAUTH_CLIENT_SECRET; never pass it as an argument)",
    )
    .option(
      "--private-key-file <path>",
      "PEM or JWK private key: authenticate with a signed JWT, private_key_jwt (env: CLAUTH_PRIVATE_KEY_FILE)",
    )
    .option(
      "--scope <scopes>",
      'space-separated scopes, e.g. "openid offline_access" (env: CLAUTH_SCOPE)',
    )
    .addOption(
      new Option("--flow <flow>", "how to get tokens (env: CLAUTH_FLOW)").choices(FLOWS),
    )
    .option(
      "--timeout <seconds>",
      "timeout for each network request, default 30 (env: CLAUTH_TIMEOUT)",
      timeoutSeconds,
    )
    .option(
      "--ca-file <path>",
      "PEM file of CA certificates to trust for the server's TLS certificate, besides the system's (env: CLAUTH_CA_FILE)",
    )
    .addOption(
      new Option(
        "--storage <kind>",
        "where new tokens are kept: file (default), keyring (the OS keyring) or auto (env: CLAUTH_STORAGE)",
      ).choices(STORAGE_SETTINGS),
    )
    .option("--json", "machine-readable output where a command has it")
    .option("--verbose", "show details of failures")
    .showHelpAfterError('(run "clauth --help" for usage)')
    .configureHelp(helpConfiguration())
    .configureOutput({
      // One style for every error line: "clauth: ...", commander's usage errors too.
      outputError: (text, write) => write(text.replace(/^error: /, "clauth: ")),
      writeOut: (text) => void terminal.out(text),
      writeErr: (text) => terminal.info(text.trimEnd()),
      getOutHelpWidth: () => session.runtime.stdout.columns ?? 80,
      getErrHelpWidth: () => session.runtime.stderr.columns ?? 80,
    })
    .exitOverride();

  const withContext = async (command: { optsWithGlobals(): object }, request?: RequestFlags) => {
    const { CommandContext } = await import("./context.ts");
    const globals = command.optsWithGlobals() as GlobalOptions;
    return await CommandContext.create(request ? { ...globals, request } : globals, session);
  };
  const collect = (value: string, previous: string[]) => [...previous, value];

  program.command("token")
    .description("print a usable access token (cached, refreshed or fetched anew)")
    .addOption(
      new Option("--output <format>", "how to print the token").choices(OUTPUT_FORMATS).default(
        "raw" as const,
      ),
    )
    .option("--min-ttl <seconds>", MIN_TTL_HELP, seconds)
    .option("--force-refresh", "ignore the cached token", false)
    .option("--method <method>", "with --output header: the request's method (DPoP proof)")
    .option("--url <url>", "with --output header: the request's URL (DPoP proof)")
    .addOption(
      new Option(
        "--token-type <type>",
        "the token: access_token (default), or id_token (Kubernetes)",
      )
        .choices(TOKEN_TYPES),
    )
    .option("--git-url <url>", "with --output git: answer git for this URL only (setup-git)")
    .addArgument(
      new Argument("[git-action]", "set by git when clauth is its credential helper").choices(
        GIT_ACTIONS,
      ),
    )
    .action(async (gitAction, options, command) => {
      // git also asks helpers to "store" and "erase" what it got: clauth keeps its own tokens.
      if (gitAction && gitAction !== "get") return;
      const context = await withContext(command);
      // An explicit --output wins over the global --json.
      const explicit = command.getOptionValueSource("output") === "cli";
      const output = context.options.json && !explicit ? "json" : parseOutputFormat(options.output);
      const { tokenCommand } = await import("./token.ts");
      if ((options.method === undefined) !== (options.url === undefined)) {
        throw new ClauthError("usage", "--method and --url go together (a DPoP proof's request).");
      }
      await tokenCommand(context, {
        output,
        minTtl: options.minTtl,
        forceRefresh: options.forceRefresh,
        ...(options.method && options.url
          ? { request: { method: options.method, url: options.url } }
          : {}),
        ...(options.tokenType === undefined ? {} : { tokenType: options.tokenType }),
        ...(options.gitUrl === undefined ? {} : { gitUrl: options.gitUrl }),
      });
    });

  program.command("login")
    .description("log in (or, for client credentials, fetch a token) and store the tokens")
    .option("--no-browser", "do not open a browser (use the device flow under --flow auto)")
    .option(
      "--redirect-uri <uri>",
      "fixed loopback redirect URI for the browser flow; repeat to list fallback ports",
      collect,
      [] as string[],
    )
    .option("--no-save", "do not save the login's flags as the profile's settings")
    .option(
      "--login-timeout <seconds>",
      "how long the browser login may take (default 300)",
      timeoutSeconds,
    )
    .option("--dpop", "bind the tokens to a key of this login (DPoP, RFC 9449)")
    .option("--par", "push the authorization request first (RFC 9126) even when not advertised")
    .option("--no-par", "never push the authorization request")
    .option("--audience <audience>", "the audience to ask for (Auth0 APIs)")
    .option("--resource <uri>", "a resource indicator (RFC 8707); repeat for more", collect, [])
    .option("--login-hint <hint>", "who is logging in (login_hint)")
    .option("--prompt <prompt>", "prompt: login, consent, select_account or none")
    .option("--acr-values <values>", "authentication context classes asked for (acr_values)")
    .option("--max-age <seconds>", "how recent the sign-in must be (max_age, checked)", seconds)
    .option("--auth-param <name=value>", "another authorization parameter; repeatable", collect, [])
    .action(async (options, command) => {
      const { loginCommand, splitList } = await import("./login.ts");
      const redirectUris = splitList(options.redirectUri);
      const request: RequestFlags = {
        resource: options.resource,
        authParams: options.authParam,
        ...(options.dpop ? { dpop: true } : {}),
        ...(options.par === undefined ? {} : { par: options.par }),
        ...(options.audience === undefined ? {} : { audience: options.audience }),
        ...(options.loginHint === undefined ? {} : { loginHint: options.loginHint }),
        ...(options.prompt === undefined ? {} : { prompt: options.prompt }),
        ...(options.acrValues === undefined ? {} : { acrValues: options.acrValues }),
        ...(options.maxAge === undefined ? {} : { maxAge: options.maxAge }),
      };
      await loginCommand(await withContext(command, request), {
        noBrowser: !options.browser,
        ...(options.loginTimeout === undefined ? {} : { loginTimeout: options.loginTimeout }),
        save: options.save,
        ...(redirectUris.length ? { redirectUris } : {}),
      });
    });

  program.command("logout")
    .description("revoke the profile's tokens at the server (when it can) and delete them")
    .option("--all", "log out of every profile with stored tokens", false)
    .option("--yes", "with --all: do not ask for confirmation", false)
    .option("--no-revoke", "only delete the local tokens")
    .action(async (options, command) => {
      const globals = command.optsWithGlobals() as GlobalOptions;
      const { logoutCommand } = await import("./logout.ts");
      await logoutCommand(
        globals,
        { all: options.all, revoke: options.revoke, yes: options.yes },
        session,
      );
    });

  program.command("profile")
    .description("list, show, save, remove profiles, or choose the default one")
    .argument("<action>", "list, show [NAME], use NAME, save NAME, remove NAME, move NAME --to")
    .argument("[name]", "the profile")
    .addOption(
      new Option("--to <storage>", "with move: where the tokens go, file or keyring").choices([
        "file",
        "keyring",
      ]),
    )
    .action(async (action, name, options, command) => {
      const { profileCommand } = await import("./profile.ts");
      const globals = command.optsWithGlobals() as GlobalOptions;
      await profileCommand(session, globals, action, name, options.to);
    });

  program.command("exec")
    .description("run a command with a usable access token in its environment")
    .argument("<command...>", 'the command and its arguments, after "--"')
    .option(
      "--env-var <name>",
      "environment variable that carries the token",
      "CLAUTH_ACCESS_TOKEN",
    )
    .option("--min-ttl <seconds>", MIN_TTL_HELP, seconds)
    .action(async (commandLine, options, command) => {
      const context = await withContext(command);
      const { execCommand } = await import("./exec.ts");
      setExitCode(await execCommand(context, commandLine, options));
    });

  program.command("kubeconfig")
    .description("print (or --write) a kubeconfig user whose exec block runs clauth for kubectl")
    .option("--cluster <name>", "with a context: its cluster (the context is named after it)")
    .option("--user <name>", "the user entry's name (default clauth-PROFILE)")
    .option("--context <name>", "also add or update this context, using the user")
    .addOption(
      new Option("--token-type <type>", "the token kubectl sends (default id_token)")
        .choices(TOKEN_TYPES),
    )
    .option("--write", "merge into $KUBECONFIG or ~/.kube/config instead of printing", false)
    .action(async (options, command) => {
      const context = await withContext(command);
      const { kubeconfigCommand } = await import("./kubeconfig.ts");
      await kubeconfigCommand(context, command.optsWithGlobals() as GlobalOptions, options);
    });

  program.command("setup-git")
    .description("make clauth git's credential helper for the host given with --host only")
    .usage("--host HOST [--path PREFIX] [--remove] [options]")
    .option("--path <prefix>", "only for repositories under this path (org, or org/repo.git)")
    .option("--remove", "undo it", false)
    .action(async (options, command) => {
      // The global --host (commander parses it wherever it stands) is git's host here.
      const { host, ...globals } = command.optsWithGlobals() as GlobalOptions;
      if (!host) throw new ClauthError("usage", "Name git's host: clauth setup-git --host HOST");
      const { setupGitCommand } = await import("./setup_git.ts");
      await setupGitCommand(session, globals, { host, path: options.path, remove: options.remove });
    });

  addApiCommands(program, { session, withContext, collect, setExitCode });

  program.command("providers")
    .description("list the provider presets and what each takes to find your instance")
    .action(async () => {
      const { providersCommand } = await import("./providers.ts");
      await providersCommand(session, program.opts().json === true);
    });

  program.command("whoami")
    .description("show who is logged in: the verified ID token's claims merged with userinfo")
    .action(async (_options, command) => {
      const context = await withContext(command);
      const { whoamiCommand } = await import("./whoami.ts");
      await whoamiCommand(context);
    });

  program.command("inspect")
    .description("ask the server about a token (RFC 7662 introspection)")
    .argument("[token]", 'the token, or "-" to read it from stdin (default: the access token)')
    .allowUnknownOption() // opaque tokens may start with "-"
    .action(async (token, _options, command) => {
      const context = await withContext(command);
      const { inspectCommand } = await import("./inspect.ts");
      await inspectCommand(context, token);
    });

  program.command("decode")
    .description("show a JWT's header and claims, locally (nothing checked without --verify)")
    .argument("[token]", 'the JWT, or "-" to read it from stdin (default: the stored ID token)')
    .option("--verify", "check the signature and iss against the profile's issuer", false)
    .allowUnknownOption() // tokens may start with "-"
    .action(async (token, options, command) => {
      const globals = command.optsWithGlobals() as GlobalOptions;
      const { decodeCommand } = await import("./decode.ts");
      await decodeCommand(globals, token, { verify: options.verify }, session);
    });

  program.command("status")
    .description("show profiles, expiry and scopes; never prints tokens")
    .action(async (_options, command) => {
      const { statusCommand } = await import("./status.ts");
      setExitCode(await statusCommand(session, command.optsWithGlobals() as GlobalOptions));
    });

  finishHelp(program); // `clauth help options`, usage errors' pointers
  return program;
}
