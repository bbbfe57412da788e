/**
 * The effective settings of a command: flags beat environment, environment beats the
 * profile's entry in the config file, and the config beats what the profile remembers from
 * its last login. No token file is read here.
 *
 * Light on purpose: the cached-token path runs this, so it loads no protocol code.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import { assertProfileName } from "../storage/json_file_store.ts";
import { normalizeScope, type TokenBinding } from "../storage/token_store.ts";
import {
  type ConfigFile,
  configPath,
  type Flow,
  FLOWS,
  loadConfig,
  MAX_TIMEOUT_SECONDS,
  type ProfileConfig,
  profileEntry,
  runConfig,
} from "./config.ts";
import type { Runtime } from "./runtime.ts";
import { isAbsolutePath, join, parentDir } from "../storage/private_files.ts";
import type { Preset, PresetLocation, PresetServer } from "../flows/presets/preset.ts";
import { readRemembered, type RememberedSettings, rememberedThisRun } from "./remembered.ts";
import type { GlobalFlags, RequestFlags, RequestSettings, Settings } from "./settings_types.ts";

export type { GlobalFlags, RequestFlags, RequestSettings, Settings } from "./settings_types.ts";

/** Reads an environment variable; an empty one counts as unset. */
export type Env = (name: string) => string | undefined;

/** Profile used when none is named. */
export const DEFAULT_PROFILE = "default";

/** Where {@linkcode resolveSettings} looks. */
export interface SettingsSources {
  env: Env;
  configPath: string;
  /** The state folder, where profiles remember their last login (cli/remembered.ts). */
  stateDir: string;
  /** Reads what a profile remembers (default: {@linkcode readRemembered} in `stateDir`). */
  remembered?: (profile: string, flow?: Flow) => Promise<RememberedSettings | undefined>;
  /** The config file's contents, when the caller has read it (see `runConfig`). */
  config?: Promise<ConfigFile>;
  /**
   * Finds a provider preset by name (flows/presets/registry.ts). Left out on the cached-token
   * path, which then leaves a profile that names a provider to the full command.
   */
  presets?: { named(name: string): Preset | undefined; names: string[] };
}

/** Thrown when a profile names a provider and no presets were handed over. */
export class PresetsNeeded extends Error {}

/** Where a run of the CLI on `runtime` finds its settings (the config read once per run). */
export function sourcesOf(runtime: Runtime): SettingsSources {
  return {
    env: runtime.env,
    configPath: configPath(runtime),
    stateDir: runtime.stateDir,
    config: runConfig(runtime),
    remembered: rememberedThisRun(runtime),
  };
}

/** Merges flags, environment and config into the command's settings. */
export async function resolveSettings(
  flags: GlobalFlags,
  options: SettingsSources,
): Promise<Settings> {
  const { env } = options;
  const config = await (options.config ?? loadConfig(options.configPath));
  const profile = profileName(flags, config, env);
  const entry: ProfileConfig = profileEntry(config, profile) ?? {};

  let issuer = flags.issuer ?? env("CLAUTH_ISSUER") ?? entry.issuer;
  let clientId = flags.clientId ?? env("CLAUTH_CLIENT_ID") ?? entry.client_id;
  const where = {
    host: flags.host ?? entry.host,
    authority: flags.authority ?? entry.authority,
    tenant: flags.tenant ?? entry.tenant,
  };
  let provider = flags.provider ?? env("CLAUTH_PROVIDER") ?? entry.provider;
  let located = provider === undefined ? undefined : locate(provider, where, issuer, options);
  if (located) issuer = located.server.issuer;
  // The profile's scope and request settings belong to its client at its issuer: a run for
  // another client (same profile, other settings: another slot) does not take them.
  const own = (issuer === undefined || entry.issuer === undefined || issuer === entry.issuer) &&
    (clientId === undefined || entry.client_id === undefined || clientId === entry.client_id);
  const mine = own ? entry : {};
  let flowSetting = flags.flow ?? env("CLAUTH_FLOW") ?? entry.flow;
  let scopeSetting = flags.scope ?? env("CLAUTH_SCOPE") ?? mine.scope;
  // What the profile's last login used fills what is still missing (a profile logged in with
  // flags alone; a flow not given; DPoP, audience and resources the config does not set),
  // unless it was for another issuer or client.
  let remembered: RememberedSettings | undefined;
  const givenFlow = FLOWS.includes(flowSetting as Flow) ? flowSetting as Flow : undefined;
  const last = await (options.remembered ?? ((p, f) => readRemembered(options.stateDir, p, f)))(
    profile,
    givenFlow,
  );
  if (
    last && (issuer ?? last.issuer) === last.issuer &&
    (clientId ?? last.client_id) === last.client_id
  ) {
    if (!issuer && last.provider) {
      // A login made with --provider alone: its preset again, where it was.
      provider = last.provider;
      located = locate(last.provider, { ...last.location }, last.issuer, options);
    }
    issuer ??= last.issuer;
    clientId ??= last.client_id;
    scopeSetting ??= last.scope;
    flowSetting ??= last.flow;
    remembered = last;
  }
  if (located) {
    // A preset's scopes are for a person's login; client credentials ask for their own.
    if (flowSetting !== "client-credentials") scopeSetting ??= located.preset.defaults.scope;
    flowSetting ??= located.preset.defaults.flow;
  }
  const named = flags.profile ?? env("CLAUTH_PROFILE") ?? config.default_profile;
  if (named !== undefined && !profileEntry(config, profile) && (!issuer || !clientId)) {
    throw unknownProfile(profile, flags, config, env, options.configPath);
  }
  if (!issuer) throw missing("issuer", "--issuer", "CLAUTH_ISSUER", profile, options.configPath);
  if (!clientId) {
    throw missing("client id", "--client-id", "CLAUTH_CLIENT_ID", profile, options.configPath);
  }

  const flow = flowSetting ?? "auto";
  if (!FLOWS.includes(flow as Flow)) {
    const from = flags.flow === undefined ? " (from CLAUTH_FLOW)" : "";
    throw new ClauthError(
      "usage",
      `Unknown flow "${flow}"${from}: use one of ${FLOWS.join(", ")}.`,
    );
  }
  const timeout = flags.timeout ?? parseTimeout(env("CLAUTH_TIMEOUT"), "CLAUTH_TIMEOUT") ??
    entry.timeout ?? 30;

  const {
    issuer: _i,
    client_id: _c,
    client_secret_file,
    private_key_file,
    ca_file,
    scope: _s,
    flow: _f,
    timeout: _t,
    login_timeout,
    token_endpoint_auth_method,
    redirect_uri,
    dpop: _d,
    par: _p,
    provider: _pv,
    host: _h,
    authority: _au,
    tenant: _tn,
    audience: _a,
    resource: _r,
    login_hint: _l,
    prompt: _pr,
    acr_values: _av,
    max_age: _m,
    auth_params: _ap,
    storage: _st, // where tokens are kept: cli/token_storage.ts
    ...endpoints
  } = entry;
  const settings: Settings = {
    profile,
    issuer,
    clientId,
    flow: flow as Flow,
    timeout,
    // The preset's fixed endpoints, under what the profile sets itself.
    endpoints: { ...located?.server.endpoints, ...endpoints },
    configPath: options.configPath,
    request: requestSettings(flags.request ?? {}, mine, remembered),
  };
  if (located) {
    settings.provider = located.preset.name;
    settings.location = located.where;
    if (!located.server.discovery) settings.discovery = false;
  }
  if (scopeSetting !== undefined) settings.scope = scopeSetting;
  if (login_timeout !== undefined) settings.loginTimeout = login_timeout;
  if (token_endpoint_auth_method) settings.authMethod = token_endpoint_auth_method;
  if (redirect_uri) settings.redirectUri = redirect_uri;
  // Paths in the config file are relative to it; flags and variables, to the current folder.
  const fromConfig = (path: string | undefined) =>
    path && !isAbsolutePath(path) ? join(parentDir(options.configPath), path) : path;
  const secretFile = flags.clientSecretFile ?? fromConfig(client_secret_file);
  if (secretFile) settings.clientSecretFile = secretFile;
  const keyFile = flags.privateKeyFile ?? env("CLAUTH_PRIVATE_KEY_FILE") ??
    fromConfig(private_key_file);
  if (keyFile) settings.privateKeyFile = keyFile;
  // A login's CA is remembered with its issuer (it is the issuer's certificate it trusts).
  const caFile = flags.caFile ?? env("CLAUTH_CA_FILE") ?? fromConfig(ca_file) ??
    remembered?.ca_file;
  if (caFile) settings.caFile = caFile;
  return settings;
}

/** The preset named `name` and the server it finds `where` (with the issuer given). */
function locate(
  name: string,
  where: { [K in keyof PresetLocation]?: string | undefined },
  issuer: string | undefined,
  options: SettingsSources,
): { preset: Preset; server: PresetServer; where: PresetLocation } {
  if (!options.presets) throw new PresetsNeeded();
  const preset = options.presets.named(name);
  if (!preset) {
    throw new ClauthError(
      "usage",
      `Unknown provider "${name}": use one of ${
        options.presets.names.join(", ")
      } (clauth providers lists them).`,
    );
  }
  const given: PresetLocation = Object.fromEntries(
    Object.entries(where).filter(([, v]) => v !== undefined),
  );
  const server = preset.locate({ ...given, ...(issuer ? { issuer } : {}) });
  return { preset, server, where: given };
}

/**
 * The request settings: the login's flags beat the profile's config, which beats what the
 * profile's last login used (for what binds the tokens: DPoP, audience, resources).
 */
function requestSettings(
  flags: RequestFlags,
  entry: ProfileConfig,
  last: RememberedSettings | undefined,
): RequestSettings {
  // Audience and resources say together what the token is for: a login that names either
  // takes nothing of the other from the last login.
  const targetNamed = flags.audience !== undefined || flags.resource?.length;
  const target = targetNamed ? undefined : { ...last, ...entry };
  const resource = flags.resource?.length ? flags.resource : target?.resource;
  const par = flags.par ?? entry.par;
  const settings: RequestSettings = {
    dpop: flags.dpop ?? entry.dpop ?? last?.dpop ?? false,
    par: par === undefined ? "auto" : par ? "always" : "never",
    resource: typeof resource === "string" ? [resource] : [...resource ?? []],
    authParameters: {},
  };
  const audience = flags.audience ?? target?.audience;
  if (audience !== undefined) settings.audience = audience;
  const maxAge = flags.maxAge ?? entry.max_age;
  if (maxAge !== undefined) settings.maxAge = maxAge;
  const extra = settings.authParameters;
  Object.assign(extra, entry.auth_params);
  for (const pair of flags.authParams ?? []) {
    const at = pair.indexOf("=");
    if (at < 1) {
      throw new ClauthError(
        "usage",
        `--auth-param takes name=value, not "${pair.slice(0, 80)}".`,
      );
    }
    extra[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const named = {
    login_hint: flags.loginHint ?? entry.login_hint,
    prompt: flags.prompt ?? entry.prompt,
    acr_values: flags.acrValues ?? entry.acr_values,
  };
  for (const [name, value] of Object.entries(named)) if (value !== undefined) extra[name] = value;
  return settings;
}

/** Says why a profile is unknown, naming where its name came from. */
function unknownProfile(
  profile: string,
  flags: GlobalFlags,
  config: ConfigFile,
  env: Env,
  configPath: string,
): ClauthError {
  const known = Object.keys(config.profiles);
  const has = known.length
    ? `has ${known.map((name) => `"${name}"`).join(", ")}`
    : "defines no profiles";
  const from = flags.profile !== undefined
    ? ""
    : env("CLAUTH_PROFILE") !== undefined
    ? " (from CLAUTH_PROFILE)"
    : config.default_profile !== undefined
    ? ` (the default_profile of ${configPath})`
    : "";
  return new ClauthError(
    "usage",
    `Unknown profile "${profile}"${from}: ${configPath} ${has}, and no login stored it. Add it there, or give --issuer and --client-id.`,
  );
}

/** The profile a command works on: --profile, CLAUTH_PROFILE, the config's default, "default". */
export function profileName(
  flags: Pick<GlobalFlags, "profile">,
  config: ConfigFile,
  env: Env,
): string {
  const profile = flags.profile ?? env("CLAUTH_PROFILE") ?? config.default_profile ??
    DEFAULT_PROFILE;
  assertProfileName(profile);
  return profile;
}

/** What stored tokens must have been obtained for to serve these settings. */
export function bindingOf(settings: Settings): TokenBinding {
  return {
    issuer: settings.issuer,
    client_id: settings.clientId,
    scope: normalizeScope(settings.scope),
    grant: settings.flow === "client-credentials" ? "client-credentials" : "user",
    ...bindingExtras(settings.request),
  };
}

/** What else binds tokens to their slot: audience, resources, a DPoP key. */
function bindingExtras(request: RequestSettings): Partial<TokenBinding> {
  const extras: Partial<TokenBinding> = {};
  if (request.audience) extras.audience = request.audience;
  if (request.resource.length) extras.resource = [...new Set(request.resource)].sort().join(" ");
  if (request.dpop) extras.dpop = true;
  return extras;
}

/** Parses a request timeout: more than 0 and at most {@linkcode MAX_TIMEOUT_SECONDS}. */
export function parseTimeout(text: string | undefined, what: string): number | undefined {
  const value = parseSeconds(text, what);
  if (value !== undefined && !(value > 0 && value <= MAX_TIMEOUT_SECONDS)) {
    throw new ClauthError(
      "usage",
      `${what} must be more than 0 and at most ${MAX_TIMEOUT_SECONDS} seconds, not "${text}".`,
    );
  }
  return value;
}

/** Parses a positive number of seconds from text, naming `what` in the error. */
export function parseSeconds(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) {
    throw new ClauthError("usage", `${what} must be a number of seconds, not "${text}".`);
  }
  return value;
}

function missing(what: string, flag: string, envName: string, profile: string, path: string) {
  return new ClauthError(
    "usage",
    `No ${what} for profile "${profile}": pass ${flag}, set ${envName}, or add it to the profile in ${path}.`,
  );
}
