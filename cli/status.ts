/**
 * `clauth status`: every profile (configured or with stored tokens), its issuer, flow,
 * scopes, expiry and whether a refresh token exists. Never prints a token.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import { JsonFileStore } from "../storage/json_file_store.ts";
import { configPath, loadConfig } from "./config.ts";
import type { Session } from "./context.ts";
import { epochSeconds, type Runtime } from "./runtime.ts";
import { describeExpiry } from "./time_text.ts";
import { profileName } from "./settings.ts";

/** One line of `clauth status --json`. */
export interface ProfileStatus {
  profile: string;
  /** Whether commands use this profile when none is named. */
  default: boolean;
  configured: boolean;
  issuer?: string;
  client_id?: string;
  flow?: string;
  scope?: string;
  logged_in: boolean;
  expires_at?: number;
  expired?: boolean;
  has_refresh_token?: boolean;
  has_id_token?: boolean;
  /** Why the stored tokens cannot be read, when they are damaged. */
  problem?: string;
}

/** Collects the status of every known profile (or only of `only`). */
export async function collectStatus(
  runtime: Runtime,
  only?: string,
): Promise<ProfileStatus[]> {
  const now = epochSeconds(runtime);
  const config = await loadConfig(configPath(runtime));
  const store = new JsonFileStore(runtime.stateDir);
  const defaultProfile = profileName({}, config, runtime.env);
  const names = only
    ? [only]
    : [...new Set([...Object.keys(config.profiles), ...await store.list()])].sort();
  const statuses: ProfileStatus[] = [];
  for (const profile of names) {
    const entry = config.profiles[profile];
    const status: ProfileStatus = {
      profile,
      default: profile === defaultProfile,
      configured: entry !== undefined,
      logged_in: false,
    };
    if (entry?.issuer) status.issuer = entry.issuer;
    if (entry?.client_id) status.client_id = entry.client_id;
    status.flow = entry?.flow ?? "auto";
    if (entry?.scope) status.scope = entry.scope;
    try {
      const tokens = await store.get(profile);
      if (tokens) {
        Object.assign(status, {
          logged_in: true,
          issuer: tokens.issuer,
          client_id: tokens.client_id,
          scope: tokens.granted_scope ?? tokens.scope,
          has_refresh_token: tokens.refresh_token !== undefined,
          has_id_token: tokens.id_token !== undefined,
        });
        if (tokens.grant === "client-credentials") status.flow = "client-credentials";
        if (tokens.expires_at !== undefined) {
          status.expires_at = tokens.expires_at;
          status.expired = tokens.expires_at <= now;
        }
      }
    } catch (error) {
      if (!(error instanceof ClauthError)) throw error;
      status.problem = error.message;
    }
    statuses.push(status);
  }
  return statuses;
}

/** Runs `clauth status`. */
export async function statusCommand(
  { runtime, terminal }: Session,
  options: { json?: boolean; profile?: string },
): Promise<void> {
  const now = epochSeconds(runtime);
  // --profile (the flag only: CLAUTH_PROFILE picks a default, it does not hide the others).
  const statuses = await collectStatus(runtime, options.profile);
  if (options.json) {
    await terminal.out(JSON.stringify(statuses, null, 2) + "\n");
    return;
  }
  if (statuses.length === 0) {
    terminal.info(
      `No profiles yet: add one to ${
        configPath(runtime)
      }, or run "clauth login --issuer URL --client-id ID".`,
    );
    return;
  }
  const lines = statuses.map((s) => {
    const state = s.problem
      ? `damaged token file: ${s.problem}`
      : s.logged_in
      ? `${describeExpiry(s.expires_at, now)}${s.has_refresh_token ? ", refresh token stored" : ""}`
      : "not logged in";
    return [
      `${s.profile}${s.default ? " (default)" : ""}${s.configured ? "" : " (not in config)"}`,
      `  issuer:  ${s.issuer ?? "-"}`,
      `  client:  ${s.client_id ?? "-"}  flow: ${s.flow}`,
      `  scope:   ${s.scope || "-"}`,
      `  tokens:  ${state}`,
    ].join("\n");
  });
  await terminal.out(lines.join("\n\n") + "\n");
}
