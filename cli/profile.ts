/**
 * `clauth profile list|show|use|save|remove`: the profiles in config.json, and the one
 * commands use when none is named. Also what a login saves of its flags.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import { moveProfile } from "../storage/chosen_store.ts";
import { openTokenStore } from "./token_storage.ts";
import { assertProfileName } from "../storage/token_file.ts";
import { isAbsolutePath, join } from "../storage/private_files.ts";
import { configPath, profileEntry, runConfig } from "./config.ts";
import { type RawConfig, updateConfig } from "./config_writer.ts";
import { type GlobalOptions, type Session, settingsWithPreset } from "./context.ts";
import { readRemembered } from "./remembered.ts";
import { profileName, type Settings } from "./settings.ts";

/** The profile settings a login's flags (or `profile save`'s flags and environment) give. */
export type SavedSettings = Record<string, unknown>;

/**
 * What the flags of a command give as profile settings: identity, where the provider is,
 * credentials by file (never a secret itself), and what binds the tokens (DPoP, audience,
 * resources). With `env`, the CLAUTH_ variables that stand for flags count too.
 */
export function givenSettings(
  flags: GlobalOptions,
  env?: (name: string) => string | undefined,
  cwd?: () => string,
): SavedSettings {
  const from = (flag: unknown, variable?: string) =>
    flag ?? (env && variable ? env(variable) : undefined);
  // A path given here is relative to the current folder; in the config, to the config's.
  const path = (value: unknown) =>
    typeof value !== "string" || isAbsolutePath(value) || !cwd ? value : join(cwd(), value);
  const request = flags.request ?? {};
  const settings: SavedSettings = {
    provider: from(flags.provider, "CLAUTH_PROVIDER"),
    host: flags.host,
    authority: flags.authority,
    tenant: flags.tenant,
    issuer: from(flags.issuer, "CLAUTH_ISSUER"),
    client_id: from(flags.clientId, "CLAUTH_CLIENT_ID"),
    scope: from(flags.scope, "CLAUTH_SCOPE"),
    flow: from(flags.flow, "CLAUTH_FLOW"),
    client_secret_file: path(flags.clientSecretFile),
    private_key_file: path(from(flags.privateKeyFile, "CLAUTH_PRIVATE_KEY_FILE")),
    ca_file: path(from(flags.caFile, "CLAUTH_CA_FILE")),
    timeout: flags.timeout,
    dpop: request.dpop,
    par: request.par,
    audience: request.audience,
    resource: request.resource?.length ? request.resource : undefined,
    storage: from(flags.storage, "CLAUTH_STORAGE"),
  };
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
}

/** Saves `settings` into profile `name` (over what it had); returns the config's path. */
export async function saveProfile(
  session: Session,
  name: string,
  settings: SavedSettings,
): Promise<string> {
  assertProfileName(name);
  return await updateConfig(session.runtime, (config: RawConfig) => {
    const entry = Object.hasOwn(config.profiles, name) ? config.profiles[name]! : {};
    // A provider names its own place: an issuer saved with another provider would not fit.
    if (settings.provider !== undefined && settings.issuer === undefined) delete entry.issuer;
    // Audience and resources say together what the tokens are for: one replaces both.
    if (settings.audience !== undefined || settings.resource !== undefined) {
      delete entry.audience;
      delete entry.resource;
    }
    config.profiles[name] = { ...entry, ...settings };
  });
}

/** Runs `clauth profile ACTION [NAME]`. */
export async function profileCommand(
  session: Session,
  globals: GlobalOptions,
  action: string,
  name: string | undefined,
  to?: string,
): Promise<void> {
  const { runtime, terminal } = session;
  const needName = () => {
    if (name === undefined) {
      throw new ClauthError("usage", `clauth profile ${action} takes a profile name.`);
    }
    assertProfileName(name);
    return name;
  };
  switch (action) {
    case "list":
      return await listProfiles(session, globals.json === true);
    case "show":
      return await showProfile(session, globals, name);
    case "use": {
      const profile = needName();
      const config = await runConfig(runtime);
      if (!profileEntry(config, profile)) {
        throw new ClauthError(
          "usage",
          `Profile "${profile}" is not in ${
            configPath(runtime)
          }: save it first ("clauth profile save ${profile}" with its flags, or log in with them).`,
        );
      }
      const path = await updateConfig(runtime, (raw) => void (raw.default_profile = profile));
      terminal.info(`Commands now use profile "${profile}" when none is named (${path}).`);
      return;
    }
    case "save": {
      const profile = needName();
      let settings = givenSettings(globals, runtime.env, runtime.cwd);
      if (Object.keys(settings).length === 0) {
        // Nothing given: what the profile's last login used (a login made with --no-save).
        const last = await readRemembered(runtime.stateDir, profile);
        if (last) {
          settings = {
            issuer: last.issuer,
            client_id: last.client_id,
            flow: last.flow,
            ...(last.scope ? { scope: last.scope } : {}),
          };
        }
      }
      if (Object.keys(settings).length === 0) {
        throw new ClauthError(
          "usage",
          `Nothing to save for profile "${profile}": give its settings as flags (--issuer URL --client-id ID ...) or in CLAUTH_ variables.`,
        );
      }
      const path = await saveProfile(session, profile, settings);
      terminal.info(`Saved profile "${profile}" in ${path}: ${Object.keys(settings).join(", ")}.`);
      return;
    }
    case "remove": {
      const profile = needName();
      let found = false;
      const path = await updateConfig(runtime, (raw) => {
        found = Object.hasOwn(raw.profiles, profile);
        delete raw.profiles[profile];
        if (raw.default_profile === profile) delete raw.default_profile;
      });
      if (!found) throw new ClauthError("usage", `Profile "${profile}" is not in ${path}.`);
      const store = await openTokenStore(runtime, {}, profile, () => {});
      const tokens = await store.slots(profile).catch(() => []);
      terminal.info(
        `Removed profile "${profile}" from ${path}.${
          tokens.length ? ` Its tokens stay until "clauth logout --profile ${profile}".` : ""
        }`,
      );
      return;
    }
    case "move":
      return await moveCommand(session, globals, needName(), to);
    default:
      throw new ClauthError(
        "usage",
        `Unknown action "${action}": use list, show, use, save, remove or move.`,
      );
  }
}

async function listProfiles(session: Session, json: boolean): Promise<void> {
  const { runtime, terminal } = session;
  const config = await runConfig(runtime);
  const store = await openTokenStore(runtime, {}, profileName({}, config, runtime.env), () => {});
  const withTokens: string[] = await store.list().catch(() => []);
  const names = [...new Set([...Object.keys(config.profiles), ...withTokens])].sort();
  const current = profileName({}, config, runtime.env);
  const rows = names.map((name) => {
    const entry = profileEntry(config, name);
    return {
      profile: name,
      default: name === current,
      configured: entry !== undefined,
      logged_in: withTokens.includes(name),
      provider: entry?.provider,
      issuer: entry?.issuer,
      client_id: entry?.client_id,
    };
  });
  if (json) {
    await terminal.out(JSON.stringify(rows, null, 2) + "\n");
    return;
  }
  if (rows.length === 0) {
    terminal.info(
      `No profiles yet: log in with flags, or "clauth profile save NAME --issuer URL --client-id ID".`,
    );
    return;
  }
  await terminal.out(
    rows.map((row) =>
      `${row.default ? "*" : " "} ${row.profile}${row.configured ? "" : " (not in config)"}${
        row.logged_in ? " (logged in)" : ""
      }  ${row.provider ?? row.issuer ?? ""}${row.client_id ? `  client ${row.client_id}` : ""}\n`
    ).join(""),
  );
}

async function showProfile(
  session: Session,
  globals: GlobalOptions,
  name: string | undefined,
): Promise<void> {
  const { runtime, terminal } = session;
  const { settings } = await settingsWithPreset(
    name === undefined ? globals : { ...globals, profile: name },
    runtime,
  );
  const store = await openTokenStore(runtime, globals, settings.profile, () => {});
  const where = await store.whereIs(settings.profile);
  const shown = describe(settings, where.kind, where.place);
  if (globals.json) {
    await terminal.out(JSON.stringify(shown, null, 2) + "\n");
    return;
  }
  await terminal.out(
    Object.entries(shown).map(([key, value]) =>
      `${key.padEnd(12)} ${Array.isArray(value) ? value.join(" ") : String(value)}\n`
    ).join(""),
  );
}

/** A profile's effective settings, as `profile show` prints them (no secret). */
function describe(
  settings: Settings,
  storage: string,
  tokensPlace: string,
): Record<string, unknown> {
  const shown: Record<string, unknown> = {
    profile: settings.profile,
    provider: settings.provider,
    issuer: settings.issuer,
    client_id: settings.clientId,
    flow: settings.flow,
    scope: settings.scope,
    dpop: settings.request.dpop || undefined,
    audience: settings.request.audience,
    resource: settings.request.resource.length ? settings.request.resource : undefined,
    client_secret_file: settings.clientSecretFile,
    private_key_file: settings.privateKeyFile,
    storage,
    tokens: tokensPlace,
  };
  return Object.fromEntries(Object.entries(shown).filter(([, value]) => value !== undefined));
}

/** `clauth profile move NAME --to file|keyring`: the tokens move, none lost (moveProfile). */
async function moveCommand(
  session: Session,
  globals: GlobalOptions,
  profile: string,
  to: string | undefined,
): Promise<void> {
  if (to !== "file" && to !== "keyring") {
    throw new ClauthError(
      "usage",
      `clauth profile move ${profile} needs --to file or --to keyring.`,
    );
  }
  const { runtime, terminal, signal } = session;
  const store = await openTokenStore(runtime, globals, profile, () => {});
  const moved = await store.withLock(profile, () => moveProfile(store, profile, to), { signal });
  const where = await store.whereIs(profile);
  terminal.info(
    moved
      ? `Moved ${moved} token slot${
        moved === 1 ? "" : "s"
      } of profile "${profile}" to ${where.place}.`
      : `Nothing to move: the tokens of profile "${profile}", if any, are kept in ${where.place}.`,
  );
}
