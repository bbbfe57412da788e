/**
 * The config file: named profiles in `<config dir>/config.json`.
 *
 * ```json
 * {
 *   "default_profile": "work",
 *   "profiles": {
 *     "work": { "issuer": "https://login.example.com", "client_id": "my-cli", "scope": "openid offline_access" },
 *     "ci": { "issuer": "https://login.example.com", "client_id": "ci-bot", "flow": "client-credentials",
 *             "client_secret_file": "/run/secrets/ci-bot" }
 *   }
 * }
 * ```
 *
 * clauth only reads this file: a mistake in it is reported with the file and the place, and
 * the file is never rewritten.
 *
 * @module
 */

import { ClauthError, jsonErrorPlace } from "../errors.ts";
import type { AuthMethod } from "../flows/protocol/client_auth.ts";
import {
  checkEndpointUrl,
  ENDPOINT_NAMES,
  type EndpointOverrides,
} from "../flows/protocol/endpoints.ts";
import { join, readTextIfExists, SIZE_LIMITS } from "../storage/private_files.ts";
import { assertProfileName } from "../storage/json_file_store.ts";
import type { Runtime } from "./runtime.ts";

/** The flows a profile can use. */
export type Flow = "auto" | "browser" | "device" | "client-credentials";
/** Valid `flow` values, for validation and help. */
export const FLOWS: readonly Flow[] = ["auto", "browser", "device", "client-credentials"];

/** Valid `token_endpoint_auth_method` values. (Listed here so the cached path need not load flows/.) */
export const AUTH_METHODS: readonly AuthMethod[] = [
  "client_secret_basic",
  "client_secret_post",
  "private_key_jwt",
  "none",
];

/** One profile as written in the config file. */
export interface ProfileConfig extends EndpointOverrides {
  issuer?: string;
  client_id?: string;
  /** A file holding the client secret (the secret itself never goes in config). */
  client_secret_file?: string;
  /** A PEM or JWK private key for private_key_jwt client authentication. */
  private_key_file?: string;
  scope?: string;
  flow?: Flow;
  token_endpoint_auth_method?: AuthMethod;
  redirect_uri?: string;
  /** Per-request timeout in seconds. */
  timeout?: number;
  /** How long a browser login may take, in seconds (default 300). */
  login_timeout?: number;
  /** DPoP-bound tokens (RFC 9449). */
  dpop?: boolean;
  /** Pushed authorization requests: true always, false never; absent: when offered. */
  par?: boolean;
  /** An `audience` to ask for (Auth0). */
  audience?: string;
  /** Resource indicators (RFC 8707): one URI or a list. */
  resource?: string | string[];
  login_hint?: string;
  prompt?: string;
  acr_values?: string;
  /** `max_age` in seconds. */
  max_age?: number;
  /** More authorization request parameters, by name. */
  auth_params?: Record<string, string>;
  /** A provider preset (`clauth providers`), and where the user's instance is. */
  provider?: string;
  host?: string;
  authority?: string;
  tenant?: string;
  /** A PEM file of CA certificates trusted for this profile's servers (a private CA). */
  ca_file?: string;
  /** Only for a provider whose desktop clients' secret is not confidential (Google). */
  client_secret?: string;
  /** Where new tokens are kept: token files (default), the OS keyring, or "auto". */
  storage?: StorageSetting;
}

/** Where tokens are kept (storage/chosen_store.ts; listed here to keep the cached path small). */
export type StorageSetting = "file" | "keyring" | "auto";
/** Valid `storage` values. */
export const STORAGE_SETTINGS: readonly StorageSetting[] = ["file", "keyring", "auto"];

/** The longest request timeout a timer can hold (2^31 - 1 ms), in seconds. */
export const MAX_TIMEOUT_SECONDS = 2_147_483;

/** The whole config file. */
export interface ConfigFile {
  default_profile?: string;
  /** Where every profile keeps new tokens unless it says otherwise. */
  storage?: StorageSetting;
  /**
   * The profiles by name, in an object without a prototype: "constructor" or "__proto__" is
   * a profile only when the file defines it. Look names up with {@linkcode profileEntry}.
   */
  profiles: Record<string, ProfileConfig>;
}

/** The profile named `name` in the config, or undefined (never one of Object's own members). */
export function profileEntry(config: ConfigFile, name: string): ProfileConfig | undefined {
  return Object.hasOwn(config.profiles, name) ? config.profiles[name] : undefined;
}

/** Own properties only, no prototype: safe to index with any name. */
function ownRecord<T>(record: Record<string, T>): Record<string, T> {
  const copy = Object.create(null) as Record<string, T>;
  for (const [key, value] of Object.entries(record)) {
    Object.defineProperty(copy, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

const STRING_KEYS = [
  "issuer",
  "client_id",
  "client_secret_file",
  "private_key_file",
  "ca_file",
  "scope",
  "redirect_uri",
  "audience",
  "login_hint",
  "prompt",
  "acr_values",
  "provider",
  "host",
  "authority",
  "tenant",
  ...ENDPOINT_NAMES,
] as const satisfies readonly (keyof ProfileConfig)[];

/** The config file's path. */
export function configPath(runtime: Pick<Runtime, "configDir">): string {
  return join(runtime.configDir, "config.json");
}

const readThisRun = new WeakMap<object, Promise<ConfigFile>>();

/**
 * The config file of the run `runtime` belongs to, read once however many steps ask (the
 * cached-token path, then the full command).
 */
export function runConfig(runtime: Pick<Runtime, "configDir">): Promise<ConfigFile> {
  let config = readThisRun.get(runtime);
  if (!config) {
    config = loadConfig(configPath(runtime));
    readThisRun.set(runtime, config);
  }
  return config;
}

/**
 * Reads and validates the config file; a missing file is an empty config. What is not a
 * regular file (a FIFO would block) or is larger than `SIZE_LIMITS.configFile` (1 MiB) is
 * refused with a usage error naming it.
 */
export async function loadConfig(path: string): Promise<ConfigFile> {
  let text: string | undefined;
  try {
    text = await readTextIfExists(path, {
      limit: SIZE_LIMITS.configFile,
      what: "the config file",
    });
  } catch (error) {
    throw new ClauthError("usage", (error as Error).message, { cause: error });
  }
  if (text === undefined) return { profiles: Object.create(null) };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ClauthError(
      "usage",
      `The config file ${path} is not valid JSON${
        jsonErrorPlace(error)
      }. Fix it by hand; clauth never rewrites it.`,
    );
  }
  return validateConfig(value, path);
}

export function validateConfig(value: unknown, path: string): ConfigFile {
  const fail = (where: string, problem: string) =>
    new ClauthError("usage", `The config file ${path} is invalid: ${where} ${problem}.`);
  if (!isObject(value)) throw fail("the top level", "must be a JSON object");
  for (const key of Object.keys(value)) {
    // "$schema", "$comment": annotations for editors and people, kept and ignored.
    if (
      key !== "default_profile" && key !== "profiles" && key !== "storage" && !key.startsWith("$")
    ) {
      throw fail(
        `"${key}"`,
        'is not a known setting (expected "default_profile", "storage" and "profiles")',
      );
    }
  }
  const badStorage = (setting: unknown) =>
    !STORAGE_SETTINGS.includes(setting as StorageSetting) &&
    `must be one of ${STORAGE_SETTINGS.join(", ")}`;
  if (value.storage !== undefined && badStorage(value.storage)) {
    throw fail('"storage"', badStorage(value.storage) as string);
  }
  if (value.default_profile !== undefined && typeof value.default_profile !== "string") {
    throw fail('"default_profile"', "must be a string");
  }
  const profiles = value.profiles ?? {};
  if (!isObject(profiles)) throw fail('"profiles"', "must be an object of named profiles");
  for (const [name, profile] of Object.entries(profiles)) {
    const at = `profiles.${name}`;
    try {
      assertProfileName(name);
    } catch (error) {
      throw fail(`the profile name "${name}"`, `is not usable: ${(error as Error).message}`);
    }
    if (!isObject(profile)) throw fail(at, "must be an object");
    for (const [key, setting] of Object.entries(profile)) {
      const where = `${at}.${key}`;
      if (key.startsWith("$")) continue; // an annotation, as at the top level
      if ((STRING_KEYS as readonly string[]).includes(key)) {
        if (typeof setting !== "string" || setting === "") {
          throw fail(where, "must be a non-empty string");
        }
        if ((ENDPOINT_NAMES as readonly string[]).includes(key)) {
          try {
            checkEndpointUrl(key, setting);
          } catch {
            throw fail(where, "must be an https:// URL (plain http only on loopback addresses)");
          }
        }
      } else if (key === "flow") {
        if (!FLOWS.includes(setting as Flow)) {
          throw fail(where, `must be one of ${FLOWS.join(", ")}`);
        }
      } else if (key === "token_endpoint_auth_method") {
        if (!AUTH_METHODS.includes(setting as AuthMethod)) {
          throw fail(where, `must be one of ${AUTH_METHODS.join(", ")}`);
        }
      } else if (key === "timeout" || key === "login_timeout") {
        if (typeof setting !== "number" || !(setting > 0 && setting <= MAX_TIMEOUT_SECONDS)) {
          throw fail(where, `must be more than 0 and at most ${MAX_TIMEOUT_SECONDS} seconds`);
        }
      } else if (key === "storage") {
        if (badStorage(setting)) throw fail(where, badStorage(setting) as string);
      } else if (key === "dpop" || key === "par") {
        if (typeof setting !== "boolean") throw fail(where, "must be true or false");
      } else if (key === "max_age") {
        if (!Number.isSafeInteger(setting) || (setting as number) < 0) {
          throw fail(where, "must be a whole number of seconds");
        }
      } else if (key === "resource") {
        const list = Array.isArray(setting) ? setting : [setting];
        if (
          list.length === 0 || list.some((uri) => typeof uri !== "string" || !isAbsoluteUri(uri))
        ) {
          throw fail(where, "must be an absolute URI or a list of them (RFC 8707)");
        }
      } else if (key === "auth_params") {
        if (!isObject(setting) || Object.values(setting).some((v) => typeof v !== "string")) {
          throw fail(where, "must be an object of parameter names and string values");
        }
      } else if (key === "client_secret" && profile.provider !== undefined) {
        // Allowed for the providers that say so; the preset decides when it is used.
        if (typeof setting !== "string" || setting === "") throw fail(where, "must be a string");
      } else if (key === "client_secret") {
        throw fail(
          where,
          'is not allowed: keep the secret in a file and name it in "client_secret_file", or set CLAUTH_CLIENT_SECRET',
        );
      } else {
        throw fail(where, "is not a known setting");
      }
    }
  }
  if (
    typeof value.default_profile === "string" && !Object.hasOwn(profiles, value.default_profile)
  ) {
    const known = Object.keys(profiles).map((name) => `"${name}"`).join(", ") || "none";
    throw fail(
      `"default_profile" ("${value.default_profile}")`,
      `is not one of its profiles (${known})`,
    );
  }
  const config: ConfigFile = { profiles: ownRecord(profiles as Record<string, ProfileConfig>) };
  if (typeof value.default_profile === "string") config.default_profile = value.default_profile;
  if (value.storage !== undefined) config.storage = value.storage as StorageSetting;
  return config;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** RFC 8707 §2: a resource is an absolute URI without a fragment. */
export function isAbsoluteUri(value: string): boolean {
  return URL.canParse(value) && !value.includes("#");
}
