/**
 * The shapes of a command's settings: the flags it was given and what they resolve to
 * (cli/settings.ts resolves them). Types only: the cached-token path imports this file.
 *
 * @module
 */

import type { AuthMethod } from "../flows/protocol/client_auth.ts";
import type { EndpointOverrides } from "../flows/protocol/endpoints.ts";
import type { PresetLocation } from "../flows/presets/preset.ts";
import type { Flow } from "./config.ts";

/** Options common to every command, as given on the command line. */
export interface GlobalFlags {
  profile?: string;
  issuer?: string;
  clientId?: string;
  clientSecretFile?: string;
  privateKeyFile?: string;
  scope?: string;
  flow?: string;
  timeout?: number;
  /** A provider preset (flows/presets/), and where the user's instance of it is. */
  provider?: string;
  host?: string;
  authority?: string;
  tenant?: string;
  /** A PEM file of CA certificates to trust besides the system's (--ca-file). */
  caFile?: string;
  /** Where new tokens are kept: file, keyring or auto (--storage). */
  storage?: string;
  /** What `clauth login` was told about the tokens to ask for (its own options). */
  request?: RequestFlags;
}

/** `clauth login`'s options that shape the request and, some of them, the tokens. */
export interface RequestFlags {
  dpop?: boolean;
  /** --par (true) or --no-par (false); absent: PAR whenever the server offers it. */
  par?: boolean;
  audience?: string;
  resource?: string[];
  loginHint?: string;
  prompt?: string;
  acrValues?: string;
  maxAge?: number;
  /** `--auth-param name=value`, as given. */
  authParams?: string[];
}

/** How a login asks for tokens beyond scope: what changes the tokens, and what does not. */
export interface RequestSettings {
  /** DPoP-bound tokens (RFC 9449). */
  dpop: boolean;
  /** Pushed authorization requests: when offered ("auto"), "always" or "never". */
  par: "auto" | "always" | "never";
  /** An `audience` (Auth0). */
  audience?: string;
  /** Resource indicators (RFC 8707). */
  resource: string[];
  /** More authorization request parameters: login_hint, prompt, acr_values, auth_params. */
  authParameters: Record<string, string>;
  /** `max_age` in seconds; the ID token's auth_time is then checked. */
  maxAge?: number;
}

/** What a command works with once flags, environment and config are merged. */
export interface Settings {
  profile: string;
  issuer: string;
  clientId: string;
  /** Scopes to request, as given (undefined: let the server decide). */
  scope?: string;
  flow: Flow;
  /** Per-request timeout in seconds. */
  timeout: number;
  /** How long a browser login may take, in seconds (profile key `login_timeout`). */
  loginTimeout?: number;
  authMethod?: AuthMethod;
  endpoints: EndpointOverrides;
  redirectUri?: string;
  /** Where the client secret comes from, when it comes from a file. */
  clientSecretFile?: string;
  /** The private key for private_key_jwt client authentication. */
  privateKeyFile?: string;
  /** A PEM file of CA certificates trusted for every request, besides the system's. */
  caFile?: string;
  /** The config file that was read. */
  configPath: string;
  /** DPoP, PAR, audience, resources and the other login parameters. */
  request: RequestSettings;
  /** The provider preset the profile uses, by name. */
  provider?: string;
  /** False when the server publishes no discovery document (the preset says so). */
  discovery?: boolean;
  /** Where the preset's server is, as given (host, authority, tenant). */
  location?: PresetLocation;
}
