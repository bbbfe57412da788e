/**
 * What `clauth login --json` and `clauth logout --json` print on stdout: one JSON object
 * saying what the command did, for scripts. The messages on stderr stay as they are. Never a
 * token: only what the tokens are for and until when.
 *
 * @module
 */

import type { StoredTokens } from "../storage/token_store.ts";
import type { Settings } from "./settings_types.ts";
import { accountOf } from "./status.ts";
import type { Terminal } from "./terminal.ts";
import { isoInstant } from "./time_text.ts";

/** `clauth login --json`. */
export interface LoginResult {
  profile: string;
  issuer: string;
  client_id: string;
  /** Who logged in (the ID token's email, preferred_username or sub); null without one. */
  account: string | null;
  /** When the access token expires (ISO 8601, UTC); null when the server did not say. */
  expires_at: string | null;
  /** The scope granted (or, when the server did not say, asked for); null for none. */
  scope: string | null;
  /** Whether a refresh token was stored with it. */
  refresh_token: boolean;
}

/** The result of a login that stored `tokens` for `settings`' profile. */
export function loginResult(settings: Settings, tokens: StoredTokens): LoginResult {
  const expires = tokens.expires_at === undefined ? undefined : isoInstant(tokens.expires_at);
  return {
    profile: settings.profile,
    issuer: settings.issuer,
    client_id: settings.clientId,
    account: accountOf(tokens.id_token) ?? null,
    expires_at: expires ?? null,
    scope: tokens.granted_scope ?? tokens.scope ?? null,
    refresh_token: tokens.refresh_token !== undefined,
  };
}

/** One login (token slot) of a profile, as logout dealt with it. */
export interface RevokedLogin {
  issuer: string;
  client_id: string;
  /** The tokens the server revoked: "refresh_token", "access_token". */
  revoked: string[];
  /** Why the server did not revoke them (they stay valid there until they expire). */
  not_revoked?: string;
}

/** One profile of `clauth logout --json`. */
export interface LogoutProfileResult {
  profile: string;
  /** Whether its local tokens were deleted (false: it had none). */
  deleted: boolean;
  /** Each of its logins; empty with --no-revoke. */
  logins: RevokedLogin[];
}

/** `clauth logout --json`. */
export interface LogoutResult {
  profiles: LogoutProfileResult[];
}

/** Prints `result` as JSON on stdout. */
export async function printResult(terminal: Terminal, result: object): Promise<void> {
  await terminal.out(JSON.stringify(result, null, 2) + "\n");
}
