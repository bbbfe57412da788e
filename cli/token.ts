/**
 * `clauth token`: print a usable access token (cached, refreshed or fetched anew).
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import type { StoredTokens } from "../storage/token_store.ts";
import { getUsableToken } from "../storage/usable_token.ts";
import type { CommandContext } from "./context.ts";
import { bindingOf } from "./settings.ts";
import { rememberSettings } from "./remembered.ts";
import { accountOf } from "./status.ts";
import {
  formatToken,
  gitRequestMatches,
  kubernetesExecInfo,
  type OutputFormat,
  readGitRequest,
  type TokenType,
} from "./token_output.ts";
import { jwtLifetime } from "../storage/token_store.ts";

/** Options of `clauth token`. */
export interface TokenOptions {
  output: OutputFormat;
  /** Seconds the token must have left, as given; undefined: the capped default. */
  minTtl?: number | undefined;
  forceRefresh: boolean;
  /** --method and --url: the request a DPoP proof is for (--output header). */
  request?: { method: string; url: string };
  /** --token-type: the token to print (default the access token). */
  tokenType?: TokenType;
  /** --git-url: as git's credential helper, answer only requests for this URL. */
  gitUrl?: string;
}

/**
 * The profile's usable tokens through the orchestrator: cached, refreshed, fetched anew, or
 * (only with a person at a terminal) a new login. What every command that needs a token uses.
 */
export async function currentTokens(
  context: CommandContext,
  options: {
    minTtl?: number | undefined;
    forceRefresh?: boolean;
    /** The token that must be fresh (default the access token). */
    tokenType?: TokenType | undefined;
    /** False: never log in, even at a terminal (kubectl said `interactive: false`). */
    interactive?: boolean;
  } = {},
): Promise<StoredTokens> {
  const { settings, terminal } = context;
  const { tokens, source, shorterThanAsked } = await getUsableToken({
    store: context.store,
    profile: settings.profile,
    binding: bindingOf(settings),
    ...(options.minTtl === undefined ? {} : { minTtl: options.minTtl }),
    ...(options.forceRefresh ? { forceRefresh: true } : {}),
    ...(options.tokenType ? { tokenType: options.tokenType } : {}),
    knownStale: context.session.cachedTokenStale === true,
    ...context.tokenSources(),
    lock: context.lockOptions(),
    // Only a person at a terminal can log in; scripts get "login required" (exit 4).
    ...(context.terminal.interactive && options.interactive !== false &&
        context.settings.flow !== "client-credentials"
      ? {
        login: async () => {
          // Say why a command that prints a token is asking the person to log in.
          terminal.info(
            `Profile "${settings.profile}" has no usable token (none stored, or it can no longer be renewed): logging in first.`,
          );
          return (await import("./login.ts")).interactiveLogin(context);
        },
      }
      : {}),
  });
  if (source === "login") {
    const who = accountOf(tokens.id_token);
    terminal.info(
      `Logged in to ${settings.issuer}${who ? ` as ${who}` : ""} (profile ${settings.profile}).`,
    );
  }
  if (context.options.verbose) terminal.info(`Token source: ${source}.`);
  if (source !== "cache") await rememberSettings(context);
  const idToken = options.tokenType === "id_token";
  const expiry = idToken ? jwtLifetime(tokens.id_token ?? "")?.exp : tokens.expires_at;
  if (idToken && expiry !== undefined && expiry <= context.now()) {
    // Renewed, and still no ID token that is valid: the server gives none on refresh.
    throw new ClauthError(
      "login_required",
      `The server renewed the tokens of profile "${settings.profile}" without a new ID token, and the stored one has expired: run "clauth login --profile ${settings.profile}".`,
    );
  }
  if (shorterThanAsked && expiry !== undefined) {
    terminal.info(
      `Warning: the server's newest ${idToken ? "ID token" : "token"} has ${
        expiry - context.now()
      } s left, less than ${
        options.minTtl === undefined
          ? "clauth asks for"
          : `the ${options.minTtl} s asked for with --min-ttl`
      }: it issues no longer ones.`,
    );
  }
  return tokens;
}

/** Runs `clauth token`. */
export async function tokenCommand(context: CommandContext, options: TokenOptions): Promise<void> {
  const { runtime, terminal } = context;
  if (options.gitUrl !== undefined) {
    if (options.output !== "git") {
      throw new ClauthError("usage", "--git-url goes with --output git (git's credential helper).");
    }
    // A helper set up for one host (clauth setup-git) answers nothing for another.
    if (!gitRequestMatches(gitUrlOf(options.gitUrl), await readGitRequest(runtime.stdin))) return;
  }
  // kubectl's exec plugin protocol: the ExecCredential version it wants, and whether a person
  // can answer (interactiveMode, and whether kubectl itself has a terminal).
  const exec = options.output === "k8s"
    ? kubernetesExecInfo(runtime.env("KUBERNETES_EXEC_INFO"))
    : undefined;
  let tokens: StoredTokens;
  try {
    tokens = await currentTokens(context, {
      ...options,
      ...(exec?.interactive === false ? { interactive: false } : {}),
    });
  } catch (error) {
    if (
      exec?.interactive === false && error instanceof ClauthError &&
      error.code === "login_required"
    ) {
      // kubectl shows clauth's stderr: say why no login started, then what to run.
      terminal.info(
        "clauth: kubectl runs clauth without interaction (KUBERNETES_EXEC_INFO says interactive: false), so no login can start here.",
      );
    }
    throw error;
  }
  if (
    options.output === "header" && tokens.token_type === "dpop" && options.tokenType !== "id_token"
  ) {
    // A DPoP-bound token goes with a proof for one request (RFC 9449 §7.1).
    if (!options.request) {
      throw new ClauthError(
        "usage",
        "The profile's token is DPoP-bound: its header goes with a proof for one request. Add --method METHOD --url URL.",
      );
    }
    const { proofFor } = await import("./proof.ts");
    const proof = await proofFor(tokens, options.request);
    await context.terminal.out(`Authorization: DPoP ${tokens.access_token}\nDPoP: ${proof}\n`);
    return;
  }
  await terminal.out(formatToken(tokens, options.output, {
    ...(options.tokenType ? { tokenType: options.tokenType } : {}),
    ...(exec ? { execApiVersion: exec.apiVersion } : {}),
  }));
}

/** The URL of --git-url. */
function gitUrlOf(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new ClauthError("usage", `--git-url "${text}" is not a URL.`);
  }
}
