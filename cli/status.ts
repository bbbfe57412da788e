/**
 * `clauth status`: every profile (configured or with stored tokens), its issuer, flow,
 * scopes, expiry and whether a refresh token exists, and every slot of tokens it holds (one
 * per set of settings that logged in). Never prints a token.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import { safeText } from "../flows/protocol/safe_text.ts";
import { openTokenStore } from "./token_storage.ts";
import type { StoredTokens } from "../storage/token_store.ts";
import { configPath, profileEntry, runConfig } from "./config.ts";
import type { Session } from "./context.ts";
import { readRemembered } from "./remembered.ts";
import { epochSeconds, type Runtime } from "./runtime.ts";
import { profileName } from "./settings.ts";
import { describeExpiry } from "./time_text.ts";

/** One slot of a profile: tokens obtained with one set of settings. */
export interface SlotStatus {
  issuer: string;
  client_id: string;
  /** "user" (a person logged in) or "client-credentials". */
  grant: string;
  /** The scope asked for ("" when none was). */
  scope: string;
  /** The scope the server granted, when it said. */
  granted_scope?: string;
  expires_at?: number;
  expired?: boolean;
  has_refresh_token: boolean;
  has_id_token: boolean;
}

/** One entry of `clauth status --json`. The top-level token fields describe the newest slot. */
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
  /** Every slot, oldest first (empty when not logged in). */
  slots: SlotStatus[];
  /** Why the stored tokens cannot be used, when they are damaged or cannot be read. */
  problem?: string;
  /** Who logged in, from the newest slot's ID token: email, preferred_username or sub. */
  account?: string;
  /** Whether a command could use the tokens now: fresh, or renewable with a refresh token. */
  usable: boolean;
  /** Where the tokens are kept: "file" or "keyring" (when logged in). */
  storage?: "file" | "keyring";
  /** The token file, or the keyring and its item. */
  stored_in?: string;
}

/**
 * Who an ID token says logged in (email, else preferred_username, else sub), read without
 * verifying it: for display only, as the token was verified when it arrived.
 */
export function accountOf(idToken: string | undefined): string | undefined {
  const payload = idToken?.split(".")[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(
      new TextDecoder().decode(Uint8Array.fromBase64(payload, { alphabet: "base64url" })),
    );
    const account = [claims.email, claims.preferred_username, claims.sub].find((value) =>
      typeof value === "string" && value !== ""
    );
    return account === undefined ? undefined : safeText(account, 200);
  } catch {
    return undefined;
  }
}

function slotStatus(tokens: StoredTokens, now: number): SlotStatus {
  const slot: SlotStatus = {
    issuer: tokens.issuer,
    client_id: tokens.client_id,
    grant: tokens.grant,
    scope: tokens.scope,
    has_refresh_token: tokens.refresh_token !== undefined,
    has_id_token: tokens.id_token !== undefined,
  };
  if (tokens.granted_scope !== undefined) slot.granted_scope = tokens.granted_scope;
  if (tokens.expires_at !== undefined) {
    slot.expires_at = tokens.expires_at;
    slot.expired = tokens.expires_at <= now;
  }
  return slot;
}

/** Collects the status of every known profile (or only of `only`). */
export async function collectStatus(runtime: Runtime, only?: string): Promise<ProfileStatus[]> {
  const now = epochSeconds(runtime);
  const config = await runConfig(runtime);
  const defaultProfile = profileName({}, config, runtime.env);
  // Reads go where each profile's tokens are, whatever the storage setting says.
  const store = await openTokenStore(runtime, {}, only ?? defaultProfile, () => {});
  const names = only
    ? [only]
    // An unreadable token folder: each profile's own read then says so, on that profile.
    : [...new Set([...Object.keys(config.profiles), ...await store.list().catch(() => [])])]
      .sort();
  const statuses: ProfileStatus[] = [];
  for (const profile of names) {
    const entry = profileEntry(config, profile);
    const last = await readRemembered(runtime.stateDir, profile);
    const status: ProfileStatus = {
      profile,
      default: profile === defaultProfile,
      configured: entry !== undefined,
      logged_in: false,
      usable: false,
      slots: [],
    };
    const issuer = entry?.issuer ?? last?.issuer;
    const clientId = entry?.client_id ?? last?.client_id;
    if (issuer) status.issuer = issuer;
    if (clientId) status.client_id = clientId;
    status.flow = entry?.flow ?? last?.flow ?? "auto";
    const scope = entry?.scope ?? last?.scope;
    if (scope) status.scope = scope;
    try {
      const slots = await store.slots(profile);
      status.slots = slots.map((tokens) => slotStatus(tokens, now));
      const newest = slots.toSorted((a, b) => b.obtained_at - a.obtained_at)[0];
      if (newest) {
        const slot = slotStatus(newest, now);
        Object.assign(status, {
          logged_in: true,
          issuer: slot.issuer,
          client_id: slot.client_id,
          scope: slot.granted_scope ?? slot.scope,
          has_refresh_token: slot.has_refresh_token,
          has_id_token: slot.has_id_token,
        });
        const where = await store.whereIs(profile);
        status.storage = where.kind;
        status.stored_in = where.place;
        if (newest.grant === "client-credentials") status.flow = "client-credentials";
        const account = accountOf(newest.id_token);
        if (account) status.account = account;
        status.usable = slots.some((tokens) =>
          tokens.refresh_token !== undefined || tokens.grant === "client-credentials" ||
          tokens.expires_at === undefined || tokens.expires_at > now
        );
        if (slot.expires_at !== undefined) {
          status.expires_at = slot.expires_at;
          status.expired = slot.expired!;
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

/**
 * Runs `clauth status`. Like `gh auth status`, the exit code answers "can I use it?": 0 when
 * the profile asked about (or, without --profile, any profile) has a usable login, 1 when not,
 * 2 for a profile nobody has heard of.
 */
export async function statusCommand(
  { runtime, terminal }: Session,
  options: { json?: boolean; profile?: string },
): Promise<number> {
  const now = epochSeconds(runtime);
  // --profile (the flag only: CLAUTH_PROFILE picks a default, it does not hide the others).
  const statuses = await collectStatus(runtime, options.profile);
  const asked = statuses[0];
  if (
    options.profile !== undefined && asked && !asked.configured && !asked.logged_in &&
    !asked.problem && asked.issuer === undefined
  ) {
    throw new ClauthError(
      "usage",
      `Unknown profile "${options.profile}": ${
        configPath(runtime)
      } does not have it and no login stored it. "clauth status" lists the profiles.`,
    );
  }
  const code = statuses.some((status) => status.usable) ? 0 : 1;
  if (options.json) {
    await terminal.out(JSON.stringify(statuses, null, 2) + "\n");
    return code;
  }
  if (statuses.length === 0) {
    terminal.info(
      `No profiles yet: add one to ${
        configPath(runtime)
      }, or run "clauth login --issuer URL --client-id ID".`,
    );
    return code;
  }
  const tokensText = (slot: { expires_at?: number | undefined; has_refresh_token: boolean }) =>
    `${describeExpiry(slot.expires_at, now)}${
      slot.has_refresh_token ? ", refresh token stored" : ""
    }`;
  const lines = statuses.map((s) => {
    const state = s.problem
      ? `unusable: ${s.problem}`
      : s.logged_in
      ? tokensText({ expires_at: s.expires_at, has_refresh_token: s.has_refresh_token === true })
      : "not logged in";
    const account = s.account ? [`  account: ${s.account}`] : [];
    const others = s.slots.length > 1
      ? s.slots.map((slot) =>
        `    ${
          slot.grant === "client-credentials" ? "client credentials" : "user login"
        } for client ${slot.client_id} at ${slot.issuer}, scope "${slot.scope}": ${
          tokensText(slot)
        }`
      )
      : [];
    return [
      `${s.profile}${s.default ? " (default)" : ""}${s.configured ? "" : " (not in config)"}`,
      `  issuer:  ${s.issuer ?? "-"}`,
      `  client:  ${s.client_id ?? "-"}  flow: ${s.flow}`,
      `  scope:   ${s.scope || "-"}`,
      ...account,
      `  tokens:  ${state}`,
      ...(s.stored_in ? [`  kept in: ${s.stored_in}`] : []),
      ...(others.length ? [`  slots (${others.length}, one per set of settings):`, ...others] : []),
    ].join("\n");
  });
  await terminal.out(lines.join("\n\n") + "\n");
  return code;
}
