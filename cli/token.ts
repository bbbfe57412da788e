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
import { formatToken, type OutputFormat } from "./token_output.ts";

/** Options of `clauth token`. */
export interface TokenOptions {
  output: OutputFormat;
  /** Seconds the token must have left, as given; undefined: the capped default. */
  minTtl?: number | undefined;
  forceRefresh: boolean;
  /** --method and --url: the request a DPoP proof is for (--output header). */
  request?: { method: string; url: string };
}

/**
 * The profile's usable tokens through the orchestrator: cached, refreshed, fetched anew, or
 * (only with a person at a terminal) a new login. What every command that needs a token uses.
 */
export async function currentTokens(
  context: CommandContext,
  options: { minTtl?: number | undefined; forceRefresh?: boolean } = {},
): Promise<StoredTokens> {
  const { settings, terminal } = context;
  const { tokens, source, shorterThanAsked } = await getUsableToken({
    store: context.store,
    profile: settings.profile,
    binding: bindingOf(settings),
    ...(options.minTtl === undefined ? {} : { minTtl: options.minTtl }),
    ...(options.forceRefresh ? { forceRefresh: true } : {}),
    knownStale: context.session.cachedTokenStale === true,
    ...context.tokenSources(),
    lock: context.lockOptions(),
    // Only a person at a terminal can log in; scripts get "login required" (exit 4).
    ...(context.terminal.interactive && context.settings.flow !== "client-credentials"
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
  if (shorterThanAsked && tokens.expires_at !== undefined) {
    terminal.info(
      `Warning: the server's newest token has ${
        tokens.expires_at - context.now()
      } s left, less than the ${options.minTtl} s asked for with --min-ttl: it issues no longer ones.`,
    );
  }
  return tokens;
}

/** Runs `clauth token`. */
export async function tokenCommand(context: CommandContext, options: TokenOptions): Promise<void> {
  const tokens = await currentTokens(context, options);
  if (options.output === "header" && tokens.token_type === "dpop") {
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
  await context.terminal.out(formatToken(tokens, options.output));
}
