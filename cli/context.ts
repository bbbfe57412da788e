/**
 * What every command needs, built once per run: settings, the token store, a connected
 * client, and the ways to get tokens that the orchestrator is handed.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import { type Client, createClient } from "../flows/protocol/client.ts";
import { clientCredentialsFlow } from "../flows/grants/client_credentials.ts";
import type { AuthMethod } from "../flows/protocol/client_auth.ts";
import type { FlowDependencies } from "../flows/protocol/dependencies.ts";
import { type ClientPrivateKey, parsePrivateKey } from "../flows/tokens/private_key.ts";
import { refreshFlow } from "../flows/grants/refresh.ts";
import { JsonFileStore } from "../storage/json_file_store.ts";
import { MetadataFileCache } from "../storage/metadata_cache.ts";
import type { LockOptions, TokenStore } from "../storage/token_store.ts";
import type { Acquisition } from "../acquisition.ts";
import type { UsableTokenOptions } from "../storage/usable_token.ts";
import { epochSeconds, type Runtime } from "./runtime.ts";
import { type GlobalFlags, resolveSettings, type Settings, sourcesOf } from "./settings.ts";
import type { Terminal } from "./terminal.ts";
import { readUserFile } from "./user_files.ts";
import { checkIssuer } from "../flows/protocol/endpoints.ts";

/** Global options as commander hands them to an action. */
export interface GlobalOptions extends GlobalFlags {
  json?: boolean;
  verbose?: boolean;
}

/** One run of the CLI: its runtime, the terminal on it, and the signal Ctrl-C aborts. */
export interface Session {
  readonly runtime: Runtime;
  readonly terminal: Terminal;
  readonly signal: AbortSignal;
  /** The cached-token path has just found the token stale (no need to read it again first). */
  readonly cachedTokenStale?: boolean;
}

/** The per-run context of a command that works on a profile's settings. */
export class CommandContext {
  readonly store: TokenStore;
  #client?: Promise<Client>;

  constructor(
    readonly options: GlobalOptions,
    readonly settings: Settings,
    readonly session: Session,
  ) {
    this.store = new JsonFileStore(session.runtime.stateDir);
  }

  /** Resolves settings from flags, environment and config, then builds the context. */
  static async create(options: GlobalOptions, session: Session): Promise<CommandContext> {
    const { runtime } = session;
    const settings = await resolveSettings(options, sourcesOf(runtime));
    // Refused before anything else, even when no request would be made (a token without a
    // refresh token). The cached-token path skips this: an http issuer never got a token.
    checkIssuer(settings.issuer);
    return new CommandContext(options, settings, session);
  }

  get terminal(): Terminal {
    return this.session.terminal;
  }

  get signal(): AbortSignal {
    return this.session.signal;
  }

  get runtime(): Runtime {
    return this.session.runtime;
  }

  /** The runtime's clock in whole seconds, as tokens count time. */
  now(): number {
    return epochSeconds(this.runtime);
  }

  /** Dependencies for flows: real network with the timeout, Ctrl-C, the clock, discovery cache. */
  get deps(): FlowDependencies {
    const { runtime } = this;
    return {
      timeoutMs: this.settings.timeout * 1000,
      signal: this.signal,
      now: runtime.now,
      metadataCache: new MetadataFileCache(runtime.stateDir, { now: () => runtime.now() / 1000 }),
    };
  }

  /** The discovered client (discovery runs at most once per run, and is cached on disk). */
  client(rememberedMethod?: string): Promise<Client> {
    this.#client ??= (async () => {
      const clientSecret = await readClientSecret(this.settings, this.options, this.runtime.env);
      const privateKey = await readPrivateKey(this.settings.privateKeyFile);
      const { settings } = this;
      return await createClient({
        issuer: settings.issuer,
        clientId: settings.clientId,
        endpoints: settings.endpoints,
        ...(clientSecret === undefined ? {} : { clientSecret }),
        ...(privateKey === undefined ? {} : { privateKey }),
        ...(settings.authMethod ? { configuredMethod: settings.authMethod } : {}),
        ...(rememberedMethod ? { rememberedMethod: rememberedMethod as AuthMethod } : {}),
      }, this.deps);
    })();
    return this.#client;
  }

  /** Gets a client-credentials token (no person involved). */
  async fetchClientCredentials(rememberedMethod?: string): Promise<Acquisition> {
    const client = await this.client(rememberedMethod);
    const { clientSecret, privateKey, configuredMethod } = client.settings;
    if (!clientSecret && !privateKey && configuredMethod !== "none") {
      throw new ClauthError(
        "usage",
        `Client credentials need the client's secret or key, and profile "${this.settings.profile}" has neither: set CLAUTH_CLIENT_SECRET, --client-secret-file or --private-key-file.`,
      );
    }
    const options = this.settings.scope ? { scope: this.settings.scope } : {};
    return await clientCredentialsFlow(client, options);
  }

  /** The ways to renew tokens for this profile, for the orchestrator. */
  tokenSources(): Pick<UsableTokenOptions, "refresh" | "fetchNew" | "loginCommand" | "now"> {
    const loginCommand = `clauth login --profile ${this.settings.profile}`;
    const now = () => this.now();
    if (this.settings.flow === "client-credentials") {
      return {
        fetchNew: (previous) => this.fetchClientCredentials(previous?.auth_method),
        loginCommand,
        now,
      };
    }
    return {
      now,
      refresh: async (tokens) =>
        await refreshFlow(await this.client(tokens.auth_method), tokens.refresh_token!, {
          ...(tokens.id_token ? { previousIdToken: tokens.id_token } : {}),
        }),
      loginCommand,
    };
  }

  /** How to wait for the profile's lock: tell the person, and stop on Ctrl-C. */
  lockOptions(): LockOptions {
    return {
      signal: this.signal,
      onWait: () =>
        this.terminal.info(
          `Waiting for another clauth process using profile "${this.settings.profile}" (a login or refresh in progress)...`,
        ),
    };
  }
}

/**
 * The client secret: --client-secret-file beats CLAUTH_CLIENT_SECRET beats the profile's
 * client_secret_file. Never taken from a plain argument, so it stays out of `ps` output.
 */
async function readClientSecret(
  settings: Settings,
  flags: GlobalFlags,
  env: Runtime["env"],
): Promise<string | undefined> {
  const file = flags.clientSecretFile ??
    (env("CLAUTH_CLIENT_SECRET") === undefined ? settings.clientSecretFile : undefined);
  if (file === undefined) return env("CLAUTH_CLIENT_SECRET");
  const secret = (await readUserFile(file, "client secret")).replace(/\r?\n$/, "");
  if (!secret) throw new ClauthError("usage", `The client secret file ${file} is empty.`);
  return secret;
}

/** The private_key_jwt signing key from the settings' key file, if there is one. */
async function readPrivateKey(file: string | undefined): Promise<ClientPrivateKey | undefined> {
  if (file === undefined) return undefined;
  return await parsePrivateKey(await readUserFile(file, "private key"), file);
}
