/**
 * What clauth's help says beyond commander's lists: examples for every command, the
 * environment variables, the global options shown once (`clauth --help` and `clauth help
 * options`, not again under every command), and option defaults only where they tell the
 * reader something. cli/program.ts hands {@linkcode helpConfiguration} to commander;
 * release/help_pages.ts writes the result ahead into cli/help_pages.ts.
 *
 * Text only (and commander's Help class, which program.ts loads anyway).
 *
 * @module
 */

import {
  type Command,
  type CommandUnknownOpts,
  Help,
  type Option,
} from "@commander-js/extra-typings";

/** A command's examples: what it does (a comment), then the command line. */
type Example = readonly [comment: string, command: string];

/** Two or three examples per command; the program's own under "". */
export const EXAMPLES: Readonly<Record<string, readonly Example[]>> = {
  "": [
    ["Log in (browser, or a code to enter on another device)", "clauth login"],
    [
      "Call an API with a token that is renewed when needed",
      'curl -H "Authorization: Bearer $(clauth token)" URL',
    ],
    [
      "A CI job: client credentials, the secret from the environment",
      "CLAUTH_CLIENT_SECRET=... clauth token --flow client-credentials",
    ],
  ],
  token: [
    ["Print the access token (cached, refreshed or fetched anew)", "clauth token"],
    [
      "An Authorization header, renewed when less than 5 minutes are left",
      "clauth token --output header --min-ttl 300",
    ],
    [
      "The ID token of profile work, as JSON with its expiry",
      "clauth token --profile work --token-type id_token --output json",
    ],
  ],
  login: [
    ["Log in as the profile says", "clauth login --profile work"],
    [
      "Over SSH: a code to enter on another device, with a refresh token",
      'clauth login --flow device --scope "openid offline_access"',
    ],
    [
      "A server with a private CA, and the result as JSON",
      "clauth login --ca-file corp-ca.pem --json",
    ],
  ],
  logout: [
    ["Revoke and delete the default profile's tokens", "clauth logout"],
    ["Every profile, without asking", "clauth logout --all --yes"],
    [
      "Delete the local tokens only, and say what was done as JSON",
      "clauth logout --no-revoke --json",
    ],
  ],
  profile: [
    ["The profiles in the config file", "clauth profile list"],
    [
      "Save the settings of these flags as profile work",
      "clauth profile save work --issuer https://id.example.com --client-id cli",
    ],
    ["Make work the default profile", "clauth profile use work"],
  ],
  exec: [
    [
      "Run a command with the token in $CLAUTH_ACCESS_TOKEN (never in argv)",
      "clauth exec -- ./deploy.sh",
    ],
    ["The token in another variable", "clauth exec --env-var GITHUB_TOKEN -- gh api user"],
  ],
  api: [
    [
      "GET a resource with the profile's token (Bearer or DPoP)",
      "clauth api https://api.example.com/me",
    ],
    [
      "POST a JSON file; the status line and headers go to stderr",
      "clauth api https://api.example.com/items --data @item.json --include",
    ],
  ],
  proof: [
    ["A DPoP proof for one request", "clauth proof --method GET --url https://api.example.com/me"],
    [
      "With the nonce the server asked for",
      "clauth proof --method POST --url https://api.example.com/items --nonce NONCE",
    ],
  ],
  exchange: [
    [
      "Trade the profile's token for one meant for another service",
      "clauth exchange --audience billing --scope invoices:read",
    ],
    [
      "A token read from stdin, for a resource (RFC 8707)",
      "clauth exchange --subject-token - --resource https://api.example < t",
    ],
  ],
  providers: [
    ["The provider presets", "clauth providers"],
    [
      "Log in to GitHub with its preset",
      "clauth login --provider github --client-id Iv1.0123456789abcdef",
    ],
  ],
  whoami: [
    ["Who is logged in: the ID token's claims and userinfo", "clauth whoami"],
    ["As JSON, for another profile", "clauth whoami --profile work --json"],
  ],
  inspect: [
    ["Ask the server whether the profile's access token is active", "clauth inspect"],
    ["Another token, from stdin", 'printf %s "$TOKEN" | clauth inspect -'],
  ],
  decode: [
    ["The stored ID token's header and claims", "clauth decode"],
    ["A JWT from stdin, checking its signature", "clauth token | clauth decode - --verify"],
  ],
  status: [
    ["Every profile: account, expiry, scopes", "clauth status"],
    [
      "As JSON (exit 1 when the profile has no usable login)",
      "clauth status --profile work --json",
    ],
  ],
  kubeconfig: [
    ["A kubeconfig user whose exec block runs clauth, printed", "clauth kubeconfig --profile work"],
    [
      "Merged into ~/.kube/config, with a context for a cluster",
      "clauth kubeconfig --cluster prod --context prod --write",
    ],
  ],
  "setup-git": [
    [
      "Make clauth git's credential helper for one host",
      "clauth setup-git --host git.example.com --profile work",
    ],
    [
      "Only for one organisation's repositories; then undo it",
      "clauth setup-git --host git.example.com --path org --remove",
    ],
  ],
  completions: [
    ["Bash completions for this session", "source <(clauth completions bash)"],
    ["Zsh, installed for good", 'clauth completions zsh > "${fpath[1]}/_clauth"'],
  ],
};

/** Environment variables clauth reads, and what for (tests/cli check the list is whole). */
export const ENVIRONMENT: readonly (readonly [name: string, what: string])[] = [
  ["CLAUTH_PROFILE", "the profile to use (--profile)"],
  ["CLAUTH_PROVIDER", "a provider preset (--provider)"],
  ["CLAUTH_ISSUER", "the authorization server's issuer URL (--issuer)"],
  ["CLAUTH_CLIENT_ID", "the OAuth client id (--client-id)"],
  ["CLAUTH_CLIENT_SECRET", "the client secret (there is no flag: arguments are public)"],
  ["CLAUTH_PRIVATE_KEY_FILE", "private key for private_key_jwt (--private-key-file)"],
  ["CLAUTH_SCOPE", "the scopes to ask for (--scope)"],
  ["CLAUTH_FLOW", "how to get tokens (--flow)"],
  ["CLAUTH_TIMEOUT", "seconds each network request may take (--timeout)"],
  ["CLAUTH_CA_FILE", "PEM file of CA certificates to trust (--ca-file)"],
  ["CLAUTH_STORAGE", "where new tokens are kept: file, keyring or auto (--storage)"],
  ["CLAUTH_KEYRING_TIMEOUT", "seconds a keyring call may take (default 3)"],
  ["CLAUTH_CONFIG_DIR", "the folder of config.json (default $XDG_CONFIG_HOME/clauth)"],
  ["CLAUTH_STATE_DIR", "the folder of tokens (default $XDG_STATE_HOME/clauth)"],
  ["NO_COLOR", "no colour in messages (https://no-color.org)"],
  ["TERM", "dumb: no escape sequences at all"],
  ["BROWSER", "the program that opens the login page"],
  ["HTTPS_PROXY, NO_PROXY", "the proxy for requests, and the hosts that bypass it"],
];

/** What a command's help says instead of repeating the global options. */
const GLOBAL_OPTIONS_NOTE =
  "Every command also takes the global options (--profile, --scope, --json, ...),\nbefore or after its name: clauth help options lists them.";

/** The hidden command whose help lists the global options: `clauth help options`. */
export const OPTIONS_TOPIC = "options";

/**
 * commander's help, shaped as above: give it to `program.configureHelp()` before adding
 * commands (they inherit it).
 */
export function helpConfiguration(): Partial<Help> {
  return {
    showGlobalOptions: false,
    optionDescription,
    formatHelp(command, helper) {
      if (command.name() === OPTIONS_TOPIC && command.parent) {
        return globalOptionsPage(command.parent, helper);
      }
      const base = Help.prototype.formatHelp.call(helper, command, helper);
      const sections = [base.trimEnd()];
      const examples = EXAMPLES[command.parent ? command.name() : ""];
      if (examples) sections.push(examplesSection(examples));
      if (command.parent) sections.push(GLOBAL_OPTIONS_NOTE);
      else sections.push(environmentSection(helper));
      return sections.join("\n\n") + "\n";
    },
  };
}

/**
 * An option's description with commander's extras ("choices", "env"), but no default that
 * only says "nothing" ([] for a repeatable option, false for a switch).
 */
function optionDescription(option: Option): string {
  const extras: string[] = [];
  if (option.argChoices) {
    extras.push(`choices: ${option.argChoices.map((c) => JSON.stringify(c)).join(", ")}`);
  }
  const value = option.defaultValue as unknown;
  const empty = value === false || (Array.isArray(value) && value.length === 0);
  if (value !== undefined && !empty && (option.required || option.optional)) {
    extras.push(`default: ${option.defaultValueDescription || JSON.stringify(value)}`);
  }
  if (option.envVar !== undefined) extras.push(`env: ${option.envVar}`);
  if (!extras.length) return option.description;
  return `${option.description} (${extras.join(", ")})`.trim();
}

function examplesSection(examples: readonly Example[]): string {
  return ["Examples:", ...examples.map(([comment, line]) => `  # ${comment}\n  ${line}`)]
    .join("\n");
}

function environmentSection(helper: Help): string {
  const width = Math.max(...ENVIRONMENT.map(([name]) => name.length));
  const items = ENVIRONMENT.map(([name, what]) => helper.formatItem(name, width, what, helper));
  return ["Environment:", ...items].join("\n");
}

/** The program's own options, as `clauth help options` lists them. */
function globalOptionsPage(program: CommandUnknownOpts, helper: Help): string {
  const options = helper.visibleOptions(program);
  const terms = options.map((option) => helper.optionTerm(option));
  const width = Math.max(...terms.map((term) => term.length));
  const items = options.map((option, i) =>
    helper.formatItem(terms[i]!, width, helper.optionDescription(option), helper)
  );
  return [
    "Usage: clauth [global options] <command> [options]",
    "",
    helper.boxWrap(
      "Global options: every command takes them, before or after its name. Flags beat environment variables, which beat the profile's settings in config.json.",
      helper.helpWidth ?? 80,
    ),
    "",
    "Global options:",
    ...items,
    "",
  ].join("\n");
}

/**
 * Finishes the help of the command tree: the hidden `options` command, whose help is the list
 * of global options (`clauth help options`), and after a usage error, the help page of the
 * command that was used.
 */
// deno-lint-ignore no-explicit-any
export function finishHelp(program: Command<[], any, any>): void {
  program.command(OPTIONS_TOPIC, { hidden: true })
    .description("list the global options")
    .action((_options, command) => command.outputHelp());
  for (const command of program.commands) {
    command.showHelpAfterError(`(run "clauth ${command.name()} --help" for usage)`);
  }
}
