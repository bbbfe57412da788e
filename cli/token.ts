/**
 * `clauth token`: print a usable access token (cached, refreshed or fetched anew).
 *
 * @module
 */

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

/** Runs `clauth token`. */
export async function tokenCommand(context: CommandContext, options: TokenOptions): Promise<void> {
  const { tokens, source } = await getUsableToken({
    store: context.store,
    profile: context.settings.profile,
    binding: bindingOf(context.settings),
    minTtl: options.minTtl,
    forceRefresh: options.forceRefresh,
    ...context.tokenSources(),
    // Only a person at a terminal can log in; scripts get "login required" (exit 4).
    ...(context.terminal.interactive && context.settings.flow !== "client-credentials"
      ? { login: () => interactiveLogin(context) }
      : {}),
  });
  if (context.options.verbose) context.terminal.info(`Token source: ${source}.`);
  await context.terminal.out(formatToken(tokens, options.output));
}
