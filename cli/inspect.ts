/**
 * `clauth inspect [TOKEN|-]`: ask the authorization server about a token (RFC 7662), with
 * the profile's client authentication. Without an argument it asks about the profile's
 * current access token. An inactive token is an answer, not a failure: "inactive", exit 0.
 *
 * @module
 */

import { introspectToken } from "../flows/protocol/introspection.ts";
import { safeJson } from "../flows/protocol/safe_text.ts";
import { claimRows, table } from "./claims_table.ts";
import type { StoredTokens } from "../storage/token_store.ts";
import type { CommandContext } from "./context.ts";
import { currentTokens } from "./token.ts";
import { tokenArgument } from "./token_argument.ts";
import { bindingOf } from "./settings.ts";

/** The fields people look for first, in this order; the rest follow as the server sent them. */
const FIRST = [
  "active",
  "scope",
  "client_id",
  "sub",
  "username",
  "aud",
  "exp",
  "iat",
  "nbf",
  "token_type",
  "iss",
];

/** Runs `clauth inspect`. `token` is the argument: a token, "-" for stdin, or undefined. */
export async function inspectCommand(
  context: CommandContext,
  token: string | undefined,
): Promise<void> {
  const { settings, terminal } = context;
  let value: string;
  let slot: StoredTokens | undefined;
  if (token === undefined) {
    slot = await currentTokens(context);
    terminal.info(`Introspecting the access token of profile "${settings.profile}".`);
    value = slot.access_token;
  } else {
    value = await tokenArgument(token, context.session);
    slot = await context.store.get(settings.profile, bindingOf(settings)).catch(() => undefined);
  }
  // As the profile's tokens were obtained: its client authentication, its DPoP key.
  const client = slot ? await context.clientFor(slot) : await context.client();
  const { response } = await introspectToken(
    client,
    value,
    token === undefined ? { tokenTypeHint: "access_token" } : {},
  );

  if (context.options.json) {
    await terminal.out(safeJson(response, 2) + "\n");
    return;
  }
  if (!response.active) {
    terminal.info(
      "The server says the token is not active: expired, revoked, unknown to it, or not this client's to ask about.",
    );
    await terminal.out("inactive\n");
    return;
  }
  const now = context.now();
  const names = [
    ...FIRST.filter((name) => response[name] !== undefined),
    ...Object.keys(response).filter((name) => !FIRST.includes(name)),
  ];
  await terminal.out(table(claimRows(response, now, names)));
}
