/**
 * What a profile remembers from its last logins: the issuer, client, scope and flow that got
 * its newest tokens, for a person and for the client itself. A profile logged in with flags or environment variables alone needs none
 * of them next time, and a flow not given is the one it last used. Kept beside the tokens, in
 * `<state>/profiles/<profile>.json`, apart from them: settings never come from token files.
 *
 * @module
 */

import {
  ensurePrivateDir,
  isAbsolutePath,
  join,
  readTextIfExists,
  writeFileAtomic,
} from "../storage/private_files.ts";
import type { GrantKind } from "../storage/token_store.ts";
import { type Flow, FLOWS } from "./config.ts";
import type { CommandContext } from "./context.ts";
import type { Runtime } from "./runtime.ts";

/** The settings a login used (wire-style names, like config.json). */
export interface RememberedSettings {
  issuer: string;
  client_id: string;
  /** The scope asked for, as given; absent when none was. */
  scope?: string;
  /** DPoP, an audience and resources: what else the tokens were bound to, when they were. */
  dpop?: true;
  audience?: string;
  resource?: string[];
  /** The provider preset of a login made with --provider, and where it was. */
  provider?: string;
  location?: { host?: string; authority?: string; tenant?: string };
  /** The CA file the login trusted (an absolute path). */
  ca_file?: string;
  flow: Flow;
}

/**
 * What a profile remembers: the last settings of each kind of grant (a person's login, the
 * client's own credentials), and which came last. A command that names no flow follows the
 * last; one that names a flow takes that kind's settings.
 */
interface RememberedFile {
  last: GrantKind;
  user?: RememberedSettings;
  "client-credentials"?: RememberedSettings;
}

const grantOf = (flow: Flow): GrantKind =>
  flow === "client-credentials" ? "client-credentials" : "user";

function pathOf(stateDir: string, profile: string): string {
  return join(stateDir, "profiles", `${profile}.json`);
}

function isSettings(value: unknown): value is RememberedSettings {
  const v = value as Partial<RememberedSettings> | null;
  return typeof v?.issuer === "string" && typeof v.client_id === "string" &&
    FLOWS.includes(v.flow as Flow) && (v.scope === undefined || typeof v.scope === "string") &&
    (v.dpop === undefined || v.dpop === true) &&
    (v.audience === undefined || typeof v.audience === "string") &&
    (v.provider === undefined || typeof v.provider === "string") &&
    (v.location === undefined || typeof v.location === "object") &&
    (v.ca_file === undefined || typeof v.ca_file === "string") &&
    (v.resource === undefined ||
      (Array.isArray(v.resource) && v.resource.every((r) => typeof r === "string")));
}

/** The whole file, or undefined (nothing yet, or not usable). */
async function readFile(stateDir: string, profile: string): Promise<RememberedFile | undefined> {
  const text = await readTextIfExists(pathOf(stateDir, profile)).catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as RememberedFile;
    // A damaged memory costs only the convenience: the command asks for the settings again.
    const usable = (value.last === "user" || value.last === "client-credentials") &&
      [value.user, value["client-credentials"]].every((s) => s === undefined || isSettings(s));
    return usable ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What `profile` remembers for `flow` (the kind of grant it stands for), or for its last login
 * when no flow is given; undefined when nothing is remembered.
 */
export async function readRemembered(
  stateDir: string,
  profile: string,
  flow?: Flow,
): Promise<RememberedSettings | undefined> {
  return pick(await readFile(stateDir, profile), flow);
}

function pick(file: RememberedFile | undefined, flow: Flow | undefined) {
  return file?.[flow === undefined ? file.last : grantOf(flow)];
}

const readThisRun = new WeakMap<object, Map<string, Promise<RememberedFile | undefined>>>();

/**
 * {@linkcode readRemembered} for the run `runtime` belongs to: each profile's file is read
 * once however many steps ask (the cached-token path, then the full command).
 */
export function rememberedThisRun(runtime: Pick<Runtime, "stateDir">) {
  return (profile: string, flow?: Flow): Promise<RememberedSettings | undefined> => {
    const files = readThisRun.get(runtime) ??
      new Map<string, Promise<RememberedFile | undefined>>();
    readThisRun.set(runtime, files);
    if (!files.has(profile)) files.set(profile, readFile(runtime.stateDir, profile));
    return files.get(profile)!.then((file) => pick(file, flow));
  };
}

/** Remembers the settings that just got `profile` new tokens. */
async function remember(
  stateDir: string,
  profile: string,
  settings: RememberedSettings,
): Promise<void> {
  const grant = grantOf(settings.flow);
  const before = await readFile(stateDir, profile);
  const file: RememberedFile = { ...before, last: grant };
  file[grant] = settings;
  const text = JSON.stringify(file, null, 2) + "\n";
  // Most renewals change nothing here: skip the write (and its fsync).
  if (before && JSON.stringify(before, null, 2) + "\n" === text) return;
  await ensurePrivateDir(join(stateDir, "profiles"));
  await writeFileAtomic(pathOf(stateDir, profile), text);
}

/** Forgets what `profile` remembers (logout). */
export async function forget(stateDir: string, profile: string): Promise<void> {
  await Deno.remove(pathOf(stateDir, profile)).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}

/** Remembers the settings that just got the profile new tokens. */
export async function rememberSettings(context: CommandContext): Promise<void> {
  const { settings } = context;
  await remember(context.runtime.stateDir, settings.profile, {
    issuer: settings.issuer,
    client_id: settings.clientId,
    flow: settings.flow,
    ...(settings.scope === undefined ? {} : { scope: settings.scope }),
    ...(settings.request.dpop ? { dpop: true } : {}),
    ...(settings.request.audience === undefined ? {} : { audience: settings.request.audience }),
    ...(settings.request.resource.length ? { resource: settings.request.resource } : {}),
    ...(settings.provider
      ? { provider: settings.provider, location: settings.location ?? {} }
      : {}),
    ...(settings.caFile ? { ca_file: absolutePath(settings.caFile) } : {}),
  });
}

/** `path` from the current folder, so that a later run from elsewhere finds the same file. */
function absolutePath(path: string): string {
  return isAbsolutePath(path) ? path : join(Deno.cwd(), path);
}
