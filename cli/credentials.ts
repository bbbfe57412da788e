/**
 * Where a command's client secret or private key comes from, and to which issuer and client
 * each may go: a credential is sent only to the server it was given for.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import type { ClientPrivateKey } from "../flows/tokens/private_key.ts";
import { isAbsolutePath, join, parentDir } from "../storage/private_files.ts";
import { runConfig } from "./config.ts";
import type { Runtime } from "./runtime.ts";
import type { GlobalFlags, Settings } from "./settings.ts";
import type { Preset } from "../flows/presets/preset.ts";
import { readUserFile } from "./user_files.ts";

/**
 * A client secret or private key, and the one issuer and client it was given for: it is sent
 * to no other (a credential sent to the wrong server is what mix-up attacks live on, RFC 9700
 * §4.4).
 */
export interface CredentialSource {
  issuer: string;
  clientId: string;
  /** A file holding the client secret. */
  clientSecretFile?: string;
  /** The client secret itself (CLAUTH_CLIENT_SECRET). */
  clientSecret?: string;
  /** The private key for private_key_jwt. */
  privateKeyFile?: string;
}

/**
 * The credentials a profile may use, strongest first. Those given to the command
 * (--client-secret-file, CLAUTH_CLIENT_SECRET, --private-key-file, CLAUTH_PRIVATE_KEY_FILE)
 * belong to the settings it resolved for the profile it is about: pass `given` only for that
 * profile. The profile's client_secret_file and private_key_file belong to the issuer and
 * client its config names (where it names none, to the resolved ones).
 */
export async function credentialSources(
  home: Settings,
  runtime: Runtime,
  given?: GlobalFlags,
  preset?: Preset,
): Promise<CredentialSource[]> {
  const sources: CredentialSource[] = [];
  if (given) {
    const source: CredentialSource = { issuer: home.issuer, clientId: home.clientId };
    if (given.clientSecretFile !== undefined) source.clientSecretFile = given.clientSecretFile;
    const secret = runtime.env("CLAUTH_CLIENT_SECRET");
    if (secret !== undefined) source.clientSecret = secret;
    const keyFile = given.privateKeyFile ?? runtime.env("CLAUTH_PRIVATE_KEY_FILE");
    if (keyFile !== undefined) source.privateKeyFile = keyFile;
    sources.push(source);
  }
  const entry = (await runConfig(runtime)).profiles[home.profile];
  if (entry?.client_secret_file || entry?.private_key_file) {
    // Paths in the config file are relative to it (as in settings.ts).
    const fromConfig = (path: string) =>
      isAbsolutePath(path) ? path : join(parentDir(home.configPath), path);
    const source: CredentialSource = {
      issuer: entry.issuer ?? home.issuer,
      clientId: entry.client_id ?? home.clientId,
    };
    if (entry.client_secret_file) source.clientSecretFile = fromConfig(entry.client_secret_file);
    if (entry.private_key_file) source.privateKeyFile = fromConfig(entry.private_key_file);
    sources.push(source);
  }
  if (entry?.client_secret !== undefined) {
    // Only a provider whose "secret" is not one (Google's Desktop clients) may keep it here.
    if (!preset?.behaviour.publicClientSecret) {
      throw new ClauthError(
        "usage",
        `The config file ${home.configPath} keeps a client_secret for profile "${home.profile}": only providers whose desktop client secrets are not confidential allow that${
          preset ? `, and ${preset.title} is not one` : ""
        }. Keep the secret in a file and name it in "client_secret_file", or set CLAUTH_CLIENT_SECRET.`,
        { setting: "client_secret" },
      );
    }
    sources.push({
      issuer: home.issuer,
      clientId: home.clientId,
      clientSecret: entry.client_secret,
    });
  }
  return sources;
}

/**
 * `settings` less what the profile's config says about another issuer or client than the
 * one they name: its endpoints belong to its issuer, its token_endpoint_auth_method to its
 * issuer and client. A token or secret must not go to one server's endpoint for another.
 */
export async function ownSettings(settings: Settings, runtime: Runtime): Promise<Settings> {
  const entry = (await runConfig(runtime)).profiles[settings.profile] ?? {};
  const otherIssuer = (entry.issuer ?? settings.issuer) !== settings.issuer;
  const own = { ...settings };
  if (otherIssuer) own.endpoints = {};
  if (otherIssuer || (entry.client_id ?? settings.clientId) !== settings.clientId) {
    delete own.authMethod;
  }
  return own;
}

/**
 * The client secret from the first source that has one: --client-secret-file beats
 * CLAUTH_CLIENT_SECRET beats the profile's client_secret_file. Never taken from a plain
 * argument, so it stays out of `ps` output.
 */
export async function readClientSecret(
  sources: CredentialSource[],
  signal: AbortSignal,
): Promise<string | undefined> {
  for (const { clientSecretFile: file, clientSecret } of sources) {
    if (file === undefined) {
      if (clientSecret === undefined) continue;
      return clientSecret;
    }
    const secret = (await readUserFile(file, "client secret", { signal })).replace(/\r?\n$/, "");
    if (!secret) throw new ClauthError("usage", `The client secret file ${file} is empty.`);
    return secret;
  }
  return undefined;
}

/** The private_key_jwt signing key from the settings' key file, if there is one. */
export async function readPrivateKey(
  file: string | undefined,
  signal: AbortSignal,
): Promise<ClientPrivateKey | undefined> {
  if (file === undefined) return undefined;
  // Loaded only for a key file: it brings jose and node:crypto.
  const { parsePrivateKey } = await import("../flows/tokens/private_key.ts");
  return await parsePrivateKey(await readUserFile(file, "private key", { signal }), file);
}
