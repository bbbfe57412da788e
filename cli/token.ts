/**
 * `clauth token`: print a usable access token (cached, refreshed or fetched anew).
 *
 * @module
 */

import type { StoredTokens } from "../storage/token_store.ts";
import { getUsableToken } from "../storage/usable_token.ts";
import type { CommandContext } from "./context.ts";
import { interactiveLogin } from "./login.ts";
import { bindingOf } from "./settings.ts";
import { formatToken, type OutputFormat } from "./token_output.ts";

/** Options of `clauth token`. */
export interface TokenOptions {
  output: OutputFormat;
  minTtl: number;
  forceRefresh: boolean;
}

/**
 * The profile's usable tokens through the orchestrator: cached, refreshed, fetched anew, or
 * (only with a person at a terminal) a new login. What every command that needs a token uses.
 */
export async function currentTokens(
  context: CommandContext,
  options: { minTtl?: number; forceRefresh?: boolean } = {},
): Promise<StoredTokens> {
  const { tokens, source } = await getUsableToken({
    store: context.store,
    profile: context.settings.profile,
    binding: bindingOf(context.settings),
    ...options,
    ...context.tokenSources(),
    lock: context.lockOptions(),
    // Only a person at a terminal can log in; scripts get "login required" (exit 4).
    ...(context.terminal.interactive && context.settings.flow !== "client-credentials"
      ? { login: () => interactiveLogin(context) }
      : {}),
  });
  if (context.options.verbose) context.terminal.info(`Token source: ${source}.`);
  return tokens;
}

/** Runs `clauth token`. */
export async function tokenCommand(context: CommandContext, options: TokenOptions): Promise<void> {
  const tokens = await currentTokens(context, options);
  await context.terminal.out(formatToken(tokens, options.output));
}
