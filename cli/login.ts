/**
 * `clauth login`: get new tokens for the profile and store them, whatever is cached.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import { toStoredTokens } from "../storage/token_store.ts";
import type { Acquisition } from "../storage/usable_token.ts";
import type { CommandContext } from "./context.ts";
import { bindingOf } from "./settings.ts";
import { describeExpiry } from "./time_text.ts";

/** Runs `clauth login`. */
export async function loginCommand(context: CommandContext): Promise<void> {
  const { settings, store, terminal } = context;
  const acquired = await acquire(context);
  const now = Math.floor(Date.now() / 1000);
  const tokens = toStoredTokens(acquired.response, bindingOf(settings), now);
  if (acquired.authMethod) tokens.auth_method = acquired.authMethod;
  await store.withLock(settings.profile, () => store.set(settings.profile, tokens));
  const scope = tokens.granted_scope ?? tokens.scope;
  terminal.info(
    `Logged in: profile "${settings.profile}" at ${settings.issuer}${
      scope ? `, scope "${scope}"` : ""
    }, ${describeExpiry(tokens.expires_at, now)}.`,
  );
}

async function acquire(context: CommandContext): Promise<Acquisition> {
  const { flow } = context.settings;
  if (flow === "client-credentials") {
    const previous = await context.store.get(context.settings.profile).catch(() => undefined);
    return await context.fetchClientCredentials(previous?.auth_method);
  }
  throw new ClauthError(
    "usage",
    `The ${flow} flow is not available in this version of clauth: use --flow client-credentials.`,
  );
}
