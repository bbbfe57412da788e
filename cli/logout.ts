/**
 * `clauth logout [--all] [--no-revoke]`: revoke the profile's tokens at the server (RFC 7009)
 * when it can, then delete them locally. A failed revocation is reported, and the local
 * tokens are deleted all the same.
 *
 * @module
 */

import { abortable, ClauthError } from "../errors.ts";
import { oauthErrorCode } from "../flows/protocol/oauth_errors.ts";
import {
  canRevoke,
  isPublicClientRevocationRefusal,
  revokeToken,
} from "../flows/protocol/revocation.ts";
import type { StoredTokens } from "../storage/token_store.ts";
import { configPath, runConfig } from "./config.ts";
import { forget } from "./remembered.ts";
import { errorHints } from "./error_hints.ts";
import { epochSeconds } from "./runtime.ts";
import { describeExpiry } from "./time_text.ts";
import { CommandContext, type GlobalOptions, type Session, settingsWithPreset } from "./context.ts";
import { type CredentialSource, credentialSources } from "./credentials.ts";
import { profileName } from "./settings.ts";
import { openTokenStore } from "./token_storage.ts";
import { type LogoutProfileResult, printResult, type RevokedLogin } from "./command_results.ts";

/** Options of `clauth logout`. */
export interface LogoutOptions {
  all: boolean;
  revoke: boolean;
  /** With --all on a terminal: do not ask first. */
  yes?: boolean;
}

/** Runs `clauth logout`. Throws after all profiles are done if any revocation failed. */
export async function logoutCommand(
  globals: GlobalOptions,
  options: LogoutOptions,
  session: Session,
): Promise<void> {
  const { runtime, terminal } = session;
  if (options.all && globals.profile !== undefined) {
    // Which did they mean? Logging out of everything is not a guess to make.
    throw new ClauthError(
      "usage",
      `--all logs out of every profile and --profile of one: give one of them (clauth logout --profile ${globals.profile}, or clauth logout --all).`,
    );
  }
  const config = await runConfig(runtime);
  // The profile the command is about: the only one the secret or key it was given goes to.
  const current = profileName(globals, config, runtime.env);
  // Each profile's tokens are removed where they are: its token file or its keyring item.
  const store = await openTokenStore(runtime, globals, current, () => {});
  const stored = await store.list();
  const profiles = options.all ? stored : [current];
  const [only] = profiles;
  if (!options.all && only && !(only in config.profiles) && !stored.includes(only)) {
    // A typo must not look like a successful logout.
    throw new ClauthError(
      "usage",
      `Unknown profile "${only}": it is not in ${
        configPath(runtime)
      } and has no stored tokens (profiles with tokens: ${
        stored.map((name) => `"${name}"`).join(", ") || "none"
      }).`,
    );
  }
  if (profiles.length === 0) terminal.info("No stored tokens: nothing to log out.");
  if (options.all && profiles.length > 0 && terminal.interactive && !options.yes) {
    const question = `Log out of ${profiles.length} profile${profiles.length === 1 ? "" : "s"} (${
      profiles.join(", ")
    }) and revoke their tokens? [y/N] `;
    if (!await confirmed(session, question)) {
      terminal.info("Nothing was logged out.");
      if (globals.json) await printResult(terminal, { profiles: [] });
      return;
    }
  }
  const failures: string[] = [];
  const results: LogoutProfileResult[] = []; // for --json
  for (const profile of profiles) {
    const result: LogoutProfileResult = { profile, deleted: false, logins: [] };
    results.push(result);
    await store.withLock(profile, async () => {
      let slots: StoredTokens[] = [];
      try {
        slots = await store.slots(profile);
      } catch (error) {
        // A damaged file cannot be revoked; logging out still removes it.
        if (!(error instanceof ClauthError)) throw error;
      }
      const credentials = options.revoke && slots.length
        ? await profileCredentials(globals, profile, profile === current, session)
        : [];
      // Every slot: the logins made with other settings are the profile's too.
      for (const tokens of options.revoke ? slots : []) {
        const login: RevokedLogin = {
          issuer: tokens.issuer,
          client_id: tokens.client_id,
          revoked: [],
        };
        result.logins.push(login);
        const failure = await revokeAll(globals, profile, tokens, session, credentials, login);
        if (failure) failures.push(`${profile}: ${failure}`);
      }
      const deleted = await store.delete(profile);
      result.deleted = deleted;
      await forget(runtime.stateDir, profile);
      terminal.info(
        deleted
          ? `Logged out of profile "${profile}".`
          : `Profile "${profile}" had no stored tokens.`,
      );
    });
  }
  if (globals.json) await printResult(terminal, { profiles: results });
  if (failures.length > 0) {
    throw new ClauthError(
      "server",
      `The local tokens were deleted, but revoking them at the server failed: ${
        failures.join("; ")
      }`,
    );
  }
}

/**
 * The secrets and keys `profile`'s slots may be revoked with, each for the issuer and client
 * it was given for: the command's own (flags, environment) only when `profile` is the one the
 * command is about, and the profile's configured files.
 */
async function profileCredentials(
  globals: GlobalOptions,
  profile: string,
  current: boolean,
  session: Session,
): Promise<CredentialSource[]> {
  const { runtime } = session;
  // Another profile (--all) is resolved without the command's issuer and client flags.
  const { issuer: _i, clientId: _c, clientSecretFile: _s, privateKeyFile: _k, ...rest } = globals;
  const flags = current ? { ...globals, profile } : { ...rest, profile };
  const home = await settingsWithPreset(flags, runtime).catch((error) => {
    // A profile known only from its tokens: no settings to give credentials to.
    if (error instanceof ClauthError) return undefined;
    throw error;
  });
  return home
    ? await credentialSources(home.settings, runtime, current ? globals : undefined, home.preset)
    : [];
}

/**
 * Revokes refresh then access token; returns why it failed, or undefined. `login` records
 * what was revoked, or why not (for --json).
 */
async function revokeAll(
  globals: GlobalOptions,
  profile: string,
  tokens: StoredTokens,
  session: Session,
  credentials: CredentialSource[],
  login: RevokedLogin,
): Promise<string | undefined> {
  const { runtime, terminal } = session;
  try {
    // Revoke what was issued: the stored issuer and client win over the current settings.
    const { settings, preset } = await settingsWithPreset(
      { ...globals, profile, issuer: tokens.issuer, clientId: tokens.client_id },
      runtime,
    );
    const context = new CommandContext(globals, settings, session, credentials, preset);
    const client = await context.clientFor(tokens);
    if (!canRevoke(client)) {
      terminal.info(
        `The server of profile "${profile}" has no revocation endpoint: deleting locally only.`,
      );
      // What ends the login there instead (GitHub: revoke the app's authorization).
      if (preset?.behaviour.revocationAdvice) terminal.info(preset.behaviour.revocationAdvice);
      login.not_revoked = "the server has no revocation endpoint";
      return undefined;
    }
    if (
      tokens.auth_method !== undefined && tokens.auth_method !== "none" && !context.hasCredentials()
    ) {
      // A confidential client's tokens, and no secret or key given for that client.
      const message =
        `no secret or key was given for client "${tokens.client_id}" at ${tokens.issuer}, so its tokens stay valid until they expire`;
      terminal.info(`Could not revoke the tokens of profile "${profile}": ${message}.`);
      terminal.info(
        `A secret or key given to clauth goes only to the issuer and client of the profile the command is about. To revoke another client's tokens, run "clauth logout --profile ${profile} --issuer ${tokens.issuer} --client-id ${tokens.client_id}" with that client's secret or key.`,
      );
      login.not_revoked = message;
      return message;
    }
    if (tokens.refresh_token) {
      await revokeToken(client, tokens.refresh_token, { tokenTypeHint: "refresh_token" });
      login.revoked.push("refresh_token");
    }
    if (preset?.behaviour.revokesRefreshTokensOnly) {
      // The server (Auth0) would answer 200 for the access token and revoke nothing: say so.
      const revoked = tokens.refresh_token
        ? `Revoked the refresh token of profile "${profile}" at ${tokens.issuer}. `
        : "";
      terminal.info(
        `${revoked}${preset.title} does not revoke access tokens: the access token stays valid until it expires (${
          describeExpiry(tokens.expires_at, epochSeconds(runtime))
        }); the local copies are deleted.`,
      );
      return undefined;
    }
    await revokeToken(client, tokens.access_token, { tokenTypeHint: "access_token" }).then(
      () => void login.revoked.push("access_token"),
      (error) => {
        // RFC 7009 §2.2.1: a server may decline to revoke access tokens; they expire anyway.
        if (
          !(error instanceof ClauthError &&
            oauthErrorCode(error.cause) === "unsupported_token_type")
        ) {
          throw error;
        }
      },
    );
    terminal.info(`Revoked the tokens of profile "${profile}" at ${tokens.issuer}.`);
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    login.not_revoked = message;
    terminal.info(`Could not revoke the tokens of profile "${profile}": ${message}`);
    if (error instanceof ClauthError && isPublicClientRevocationRefusal(error)) {
      // Nothing the user can change (DESIGN.md): say what stays valid, and it is no failure.
      terminal.info(
        `Its access token stays valid at the server (${
          describeExpiry(tokens.expires_at, epochSeconds(runtime))
        }); the local copies are deleted.`,
      );
      return undefined;
    }
    if (error instanceof ClauthError) { for (const hint of errorHints(error)) terminal.info(hint); }
    return message;
  }
}

/** Asks a yes/no question on the terminal; anything but y or yes is no. */
async function confirmed(session: Session, question: string): Promise<boolean> {
  session.terminal.raw(question);
  const reader = session.runtime.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
  let line = "";
  try {
    while (!line.includes("\n")) {
      const { value, done } = await abortable(reader.read(), session.signal);
      if (done) break;
      line += value;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return /^\s*y(es)?\s*$/i.test(line.split("\n")[0] ?? "");
}
