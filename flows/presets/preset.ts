/**
 * Provider presets: what a generic OAuth client must know to work with a well-known provider
 * out of the box. A preset is data (where the server is, its defaults) plus a few named
 * behaviours that flows and the CLI call at fixed points; no flow asks which provider it is
 * talking to.
 *
 * @module
 */

import type { EndpointOverrides } from "../protocol/endpoints.ts";

/** Where the user's organisation has its instance of the provider, as they gave it. */
export interface PresetLocation {
  /** A host name (GitHub Enterprise Server, self-managed GitLab). */
  host?: string;
  /** An authority (Entra national clouds: https://login.microsoftonline.us). */
  authority?: string;
  /** A tenant (Entra: a GUID, a domain, organizations, common, consumers). */
  tenant?: string;
  /** The issuer itself (Auth0 and Okta tenants, Keycloak realms). */
  issuer?: string;
}

/** The server a preset found from a {@linkcode PresetLocation}. */
export interface PresetServer {
  /** The issuer identifier tokens are bound to. */
  issuer: string;
  /** Endpoints that need no discovery (GitHub has none). */
  endpoints?: EndpointOverrides;
  /** False when the provider publishes no discovery document: use `endpoints` only. */
  discovery: boolean;
}

/** How a preset would have the settings default, before flags and config say otherwise. */
export interface PresetDefaults {
  /** The flow to use under `auto`, when the provider favours one. */
  flow?: "browser" | "device";
  /** Scopes to ask for when none are given. */
  scope?: string;
}

/** The claims an ID token's issuer check looks at. */
export interface IssuerClaims {
  /** The issuer the token names. */
  iss?: unknown;
  /** Entra's tenant id. */
  tid?: unknown;
  /** Any other claim. */
  [claim: string]: unknown;
}

/**
 * The named behaviours of a preset: each optional, each called at one place. Quirks that
 * change the wire format live in `transport`, so that flows only ever see the standard shapes.
 */
export interface PresetBehaviour {
  /**
   * Wraps fetch so that requests and answers take their standard shapes (RFC 6749, 8628):
   * e.g. GitHub answers form-encoded unless asked for JSON, and device-flow errors in HTTP 200.
   */
  transport?: (inner: typeof globalThis.fetch) => typeof globalThis.fetch;
  /**
   * Whether the discovery document of `issuer` may name `named` as its issuer instead of
   * `issuer` itself: an Entra multi-tenant authority's names
   * `https://login.microsoftonline.com/{tenantid}/v2.0`, a tenant given by its domain names
   * the tenant's GUID. The named issuer is then the server's (`as.issuer`), which
   * `expectedIssuer` receives.
   */
  discoveryIssuer?: (issuer: string, named: string) => boolean;
  /**
   * The `iss` an ID token must carry, given its claims and the issuer the discovery document
   * named: for Entra's multi-tenant authorities that issuer with the token's own `tid`;
   * undefined: the issuer. Never skips the check.
   */
  expectedIssuer?: (claims: IssuerClaims, issuer: string) => string | undefined;
  /** Authorization request parameters the provider needs (Google: access_type=offline). */
  authorizationParameters?: Record<string, string>;
  /**
   * The scope to ask for, from the one given (Google refuses `offline_access`; its refresh
   * tokens come from `access_type=offline`).
   */
  scope?: (scope: string | undefined) => string | undefined;
  /**
   * When the provider has no RFC 7009 revocation: what the user must do instead to end the
   * login (logout still deletes the local tokens).
   */
  revocationAdvice?: string;
  /**
   * The server revokes refresh tokens only (RFC 7009 §2.1 lets it decline access tokens; Auth0
   * answers 200 and revokes nothing): logout revokes the refresh token alone and says the
   * access token stays valid until it expires.
   */
  revokesRefreshTokensOnly?: boolean;
  /**
   * Where to ask who the user is when the provider has no OpenID Connect userinfo (GitHub:
   * the REST API's /user), and the claim that identifies them. `urlFor`, when given, finds the
   * URL for the issuer the preset located (GitHub Enterprise Server: https://HOST/api/v3/user).
   */
  identity?: { url: string; subject: string; urlFor?: (issuer: string) => string };
  /** A readable hint for an error description (Entra's AADSTS codes), or undefined. */
  errorHint?: (description: string) => string | undefined;
  /**
   * Why a client secret may be kept in the config for this provider (Google's Desktop
   * clients have one that is not confidential); undefined: never.
   */
  publicClientSecret?: string;
}

/** One setting that says where the provider is: `host` `HOST`: what it is, its default. */
export interface LocationOption {
  /** The setting (and flag) that takes it. */
  setting: keyof PresetLocation;
  /** A placeholder or example value: "HOST", "https://TENANT.auth0.com/". */
  value: string;
  /** What it is for: "GitHub Enterprise Server". */
  what: string;
  /** Its value when not given. */
  default?: string;
}

/** A provider preset. */
export interface Preset {
  /** Its name on the command line and in the config: "github". */
  name: string;
  /** Its name for people: "GitHub". */
  title: string;
  /** What the user may give to say where their instance is (empty: nothing to give). */
  location: LocationOption[];
  /** The provider's documentation this preset follows. */
  docs: string[];
  /** Finds the server from the user's location options; throws a usage error on bad ones. */
  locate(where: PresetLocation): PresetServer;
  /** Defaults for the settings. */
  defaults: PresetDefaults;
  /** Behaviours at fixed points in flows and commands. */
  behaviour: PresetBehaviour;
}
