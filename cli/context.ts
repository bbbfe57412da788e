/**
 * What every command needs, built once per run: settings, the token store, a connected
 * client, and the ways to get tokens that the orchestrator is handed.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import { type Client, createClient } from "../flows/protocol/client.ts";
import { withDPoP } from "../flows/protocol/dpop_requests.ts";
import { chooseDPoPAlgorithm, type DPoPKey, generateDPoPKey } from "../flows/tokens/dpop.ts";
import { clientCredentialsFlow } from "../flows/grants/client_credentials.ts";
import type { AuthMethod } from "../flows/protocol/client_auth.ts";
import type { FlowDependencies } from "../flows/protocol/dependencies.ts";
import { JsonFileStore } from "../storage/json_file_store.ts";
import { MetadataFileCache } from "../storage/metadata_cache.ts";
import type { LockOptions, TokenStore } from "../storage/token_store.ts";
import type { Acquisition } from "../acquisition.ts";
import type { UsableTokenOptions } from "../storage/usable_token.ts";
import { epochSeconds, type Runtime } from "./runtime.ts";
import {
  type GlobalFlags,
  PresetsNeeded,
  resolveSettings,
  type Settings,
  sourcesOf,
} from "./settings.ts";
import type { Preset } from "../flows/presets/preset.ts";
import type { Terminal } from "./terminal.ts";
import {
  type CredentialSource,
  credentialSources,
  ownSettings,
  readClientSecret,
  readPrivateKey,
} from "./credentials.ts";
import { checkIssuer } from "../flows/protocol/endpoints.ts";
import { caFileFetch } from "./ca_file.ts";
import { openTokenStore } from "./token_storage.ts";
import type { StoredTokens } from "../storage/token_store.ts";

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
  /** The provider preset's reading of an error's description (Entra's AADSTS codes). */
  presetHint?: (description: string) => string | undefined;
}

/**
 * The settings of `flags` (see {@linkcode ownSettings}), and the provider preset they name.
 * The presets load only for a profile that names a provider.
 */
export async function settingsWithPreset(
  flags: GlobalFlags,
  runtime: Runtime,
): Promise<{ settings: Settings; preset?: Preset }> {
  const sources = sourcesOf(runtime);
  let resolved: Settings;
  try {
    resolved = await resolveSettings(flags, sources);
  } catch (error) {
    if (!(error instanceof PresetsNeeded)) throw error;
    const { PRESETS, presetNamed } = await import("../flows/presets/registry.ts");
    const presets = { named: presetNamed, names: PRESETS.map((preset) => preset.name) };
    resolved = await resolveSettings(flags, { ...sources, presets });
  }
  const settings = await ownSettings(resolved, runtime);
  if (settings.provider === undefined) return { settings };
  const { presetNamed } = await import("../flows/presets/registry.ts");
  const preset = presetNamed(settings.provider);
  return preset ? { settings, preset } : { settings };
}

/** The per-run context of a command that works on a profile's settings. */
export class CommandContext {
  /** Token files until create() opens the store the storage setting chooses. */
  store: TokenStore;
  #client?: Promise<Client>;
  #publicClient?: Promise<Client>;

  /**
   * `credentials`: where secrets and keys come from, each sent only when this context's
   * issuer and client are the ones it was given for (see {@linkcode credentialSources}).
   */
  constructor(
    readonly options: GlobalOptions,
    readonly settings: Settings,
    readonly session: Session,
    readonly credentials: readonly CredentialSource[],
    /** The provider preset the profile uses, if any. */
    readonly preset?: Preset,
  ) {
    this.store = new JsonFileStore(session.runtime.stateDir);
  }

  /** Resolves settings from flags, environment and config, then builds the context. */
  static async create(options: GlobalOptions, session: Session): Promise<CommandContext> {
    const { runtime } = session;
    const { settings, preset } = await settingsWithPreset(options, runtime);
    // Refused before anything else, even when no request would be made (a token without a
    // refresh token). The cached-token path skips this: an http issuer never got a token.
    checkIssuer(settings.issuer);
    if (preset?.behaviour.errorHint) session.presetHint = preset.behaviour.errorHint;
    const credentials = await credentialSources(settings, runtime, options, preset);
    const context = new CommandContext(options, settings, session, credentials, preset);
    context.store = await openTokenStore(
      runtime,
      options,
      settings.profile,
      (line) => session.terminal.info(line),
    );
    return context;
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
      // The profile's own CAs, for every request it makes (cli/ca_file.ts).
      ...(this.settings.caFile ? { fetch: caFileFetch(this.settings.caFile, this.signal) } : {}),
      now: runtime.now,
      metadataCache: new MetadataFileCache(runtime.stateDir, { now: () => runtime.now() / 1000 }),
    };
  }

  /** The discovered client (discovery runs at most once per run, and is cached on disk). */
  client(rememberedMethod?: string): Promise<Client> {
    this.#client ??= this.#createClient(rememberedMethod);
    return this.#client;
  }

  /**
   * The client that refreshes or revokes `tokens`. Tokens a public client got (auth_method
   * "none") are renewed and revoked as they were obtained, with no client authentication,
   * whatever secret or key is around.
   */
  async clientFor(tokens: Pick<StoredTokens, "auth_method" | "dpop_key">): Promise<Client> {
    let client: Promise<Client>;
    if (tokens.auth_method !== "none") client = this.client(tokens.auth_method);
    else client = this.#publicClient ??= this.#createClient("none", { public: true });
    // DPoP-bound tokens are renewed, revoked and used with proofs of their own key.
    return tokens.dpop_key ? await withDPoP(await client, tokens.dpop_key) : await client;
  }

  /**
   * The client that asks for new tokens (a login, client credentials): with DPoP when the
   * profile uses it, signing with `key` (the slot's own, for client credentials) or with a new
   * key pair: a new login's tokens get a new key.
   */
  async requestingClient(rememberedMethod?: string, key?: DPoPKey): Promise<Client> {
    const client = await this.client(rememberedMethod);
    if (!this.settings.request.dpop) return client;
    return await withDPoP(client, key ?? await generateDPoPKey(chooseDPoPAlgorithm(client.as)));
  }

  /** Whether a secret or key was given for this context's issuer and client. */
  hasCredentials(): boolean {
    return this.#ownCredentials().some((source) =>
      source.clientSecretFile !== undefined || source.clientSecret !== undefined ||
      source.privateKeyFile !== undefined
    );
  }

  /** The credential sources given for this context's issuer and client, strongest first. */
  #ownCredentials(): CredentialSource[] {
    const { issuer, clientId } = this.settings;
    return this.credentials.filter((source) =>
      source.issuer === issuer && source.clientId === clientId
    );
  }

  async #createClient(rememberedMethod?: string, options: { public?: boolean } = {}) {
    const { settings } = this;
    const own = options.public ? [] : this.#ownCredentials();
    const { signal } = this;
    const clientSecret = await readClientSecret(own, signal);
    const privateKey = await readPrivateKey(
      own.find((s) => s.privateKeyFile)?.privateKeyFile,
      signal,
    );
    const configuredMethod = options.public ? "none" : settings.authMethod;
    return await createClient({
      issuer: settings.issuer,
      clientId: settings.clientId,
      endpoints: settings.endpoints,
      ...(clientSecret === undefined ? {} : { clientSecret }),
      ...(privateKey === undefined ? {} : { privateKey }),
      ...(configuredMethod ? { configuredMethod } : {}),
      ...(rememberedMethod ? { rememberedMethod: rememberedMethod as AuthMethod } : {}),
      ...(settings.discovery === false ? { discovery: false } : {}),
      ...(this.preset ? { behaviour: this.preset.behaviour } : {}),
    }, this.deps);
  }

  /** The scope to ask the server for: the settings', as the provider's preset wants it. */
  requestScope(): string | undefined {
    const { scope } = this.settings;
    return this.preset?.behaviour.scope ? this.preset.behaviour.scope(scope) : scope;
  }

  /** Authorization request parameters: the preset's, then the profile's and the flags'. */
  authorizationParameters(): Record<string, string> {
    return {
      ...this.preset?.behaviour.authorizationParameters,
      ...this.settings.request.authParameters,
    };
  }

  /** Gets a client-credentials token (no person involved). */
  async fetchClientCredentials(
    previous?: StoredTokens,
    options: { newKey?: boolean } = {},
  ): Promise<Acquisition> {
    // A renewal keeps the slot's DPoP key; a login makes a new one.
    const key = options.newKey ? undefined : previous?.dpop_key;
    const client = await this.requestingClient(previous?.auth_method, key);
    const { clientSecret, privateKey, configuredMethod } = client.settings;
    if (!clientSecret && !privateKey && configuredMethod !== "none") {
      const { profile, issuer, clientId } = this.settings;
      const elsewhere = this.credentials.find((source) =>
        source.issuer !== issuer || source.clientId !== clientId
      );
      // A configured secret for another issuer or client is not sent here: say why it is unused.
      const unused = elsewhere
        ? ` (its configured secret or key is for client "${elsewhere.clientId}" at ${elsewhere.issuer} only)`
        : "";
      throw new ClauthError(
        "usage",
        `Client credentials need the client's secret or key, and profile "${profile}" has neither for client "${clientId}" at ${issuer}${unused}: set CLAUTH_CLIENT_SECRET, --client-secret-file or --private-key-file.`,
      );
    }
    const { request } = this.settings;
    const scope = this.requestScope();
    return await clientCredentialsFlow(client, {
      ...(scope ? { scope } : {}),
      resource: request.resource,
      audience: request.audience === undefined ? [] : [request.audience],
    });
  }

  /** The ways to renew tokens for this profile, for the orchestrator. */
  tokenSources(): Pick<UsableTokenOptions, "refresh" | "fetchNew" | "loginCommand" | "now"> {
    const loginCommand = this.loginCommand();
    const now = () => this.now();
    if (this.settings.flow === "client-credentials") {
      return {
        fetchNew: (previous) => this.fetchClientCredentials(previous),
        loginCommand,
        now,
      };
    }
    return {
      now,
      refresh: async (tokens) => {
        // Loaded when used: it brings the ID token checks and jose, which client credentials
        // never need.
        const { refreshFlow } = await import("../flows/grants/refresh.ts");
        return await refreshFlow(await this.clientFor(tokens), tokens.refresh_token!, {
          ...(tokens.id_token ? { previousIdToken: tokens.id_token } : {}),
          resource: this.settings.request.resource,
        });
      },
      loginCommand,
    };
  }

  /**
   * The login that gets the tokens this run asks for: the profile, and the flags that choose
   * the tokens' slot when they were given (a login without this run's --scope would get the
   * profile's scope again, not the one asked for here).
   */
  loginCommand(): string {
    const { settings, options } = this;
    const words = ["clauth", "login", "--profile", settings.profile];
    if (options.issuer !== undefined) words.push("--issuer", settings.issuer);
    if (options.clientId !== undefined) words.push("--client-id", settings.clientId);
    if (options.scope !== undefined && settings.scope) words.push("--scope", settings.scope);
    return words.map(shellWord).join(" ");
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

/** `word` as a POSIX shell reads it back: quoted when it holds more than safe characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
