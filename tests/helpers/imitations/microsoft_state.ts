/** The Entra ID imitation's options and state (see microsoft.ts). */

/** The tenant the app is registered in (a GUID in the docs' example style), and its domain. */
export const HOME_TENANT_ID = "aaaabbbb-0000-cccc-1111-dddd2222eeee";
export const HOME_DOMAIN = "contoso.onmicrosoft.com";
/** "consumers being a nickname for the tenant 9188040d-6c67-4c5b-b112-36a304b66dad". */
export const CONSUMERS_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad";
/** The app's Application (client) ID. */
export const CLIENT_ID = "00001111-aaaa-2222-bbbb-3333cccc4444";

/** An app registration, as the Entra admin center shows it. */
export interface EntraApp {
  /** The Application (client) ID. */
  clientId: string;
  /**
   * Redirect URIs and their platform: "InstalledClient" (Mobile and desktop applications: a
   * public client) or "Web" (a confidential client: redeeming its codes takes the secret).
   */
  redirectUris: Array<{ uri: string; type: "InstalledClient" | "Web" }>;
  /** "Allow public client flows": the device flow without a secret. */
  allowPublicClientFlows: boolean;
  /** A client secret's Value, when the app has one. */
  secret?: string;
  /** Who may sign in: AzureADMyOrg (single tenant), AzureADMultipleOrgs, or also personal accounts. */
  signInAudience: "AzureADMyOrg" | "AzureADMultipleOrgs" | "AzureADandPersonalMicrosoftAccount";
  /** Whether users may consent (false: only an admin, who did; prompt=consent then fails). */
  userConsentAllowed: boolean;
}

/** The account that signs in. */
export interface EntraUser {
  /** Its home tenant (at organizations and common, the token's tid). */
  tid: string;
  oid: string;
  name: string;
  preferred_username: string;
}

/** Options of the imitation. */
export interface EntraOptions {
  app?: Partial<EntraApp>;
  user?: Partial<EntraUser>;
  /** The device flow's `interval` (Entra says 5). */
  deviceInterval?: number;
  /** Access token lifetime in seconds (Entra: 60 to 90 minutes). */
  accessTokenLifetime?: number;
  /** Changes the claims of every ID token before it is signed (tokens Entra never issues). */
  idTokenClaims?: (claims: Record<string, unknown>) => Record<string, unknown>;
  /**
   * A policy that refuses refreshing: 50076 (MFA now required), 65001 (consent withdrawn),
   * 700082 (the refresh token expired from inactivity).
   */
  refreshRefusal?: 50076 | 65001 | 700082;
}

/** An authorization code and what it was issued for. */
export interface IssuedCode {
  clientId: string;
  segment: string;
  redirectUri: string;
  scope: string;
  nonce?: string | undefined;
  challenge?: string | undefined;
  method: string;
  tid: string;
}

/** A device login. */
export interface DeviceLogin {
  userCode: string;
  clientId: string;
  segment: string;
  scope: string;
  status: "pending" | "approved" | "declined" | "redeemed";
  expiresAt: number;
  tid: string;
}

/** A grant behind refresh tokens: the user's consent for a client, in a tenant. */
export interface Grant {
  clientId: string;
  segment: string;
  scope: string;
  tid: string;
  /** Whether it was obtained without client authentication (a public client). */
  public: boolean;
}

/** An access token's record. */
export interface AccessTokenRecord {
  resource: string;
  scope: string;
  sub: string;
  expiresAt: number;
}

/** What the imitation knows and saw. */
export interface EntraState {
  origin: string;
  options: EntraOptions;
  app: EntraApp;
  user: EntraUser;
  codes: Map<string, IssuedCode>;
  devices: Map<string, DeviceLogin>;
  /** Refresh tokens (every one issued stays valid: "Refresh tokens aren't revoked when used"). */
  refreshTokens: Map<string, Grant>;
  accessTokens: Map<string, AccessTokenRecord>;
  /** Requests by kind: discovery, authorize, token, token:<grant_type>, userinfo, ... */
  counts: Record<string, number>;
  /** Authorization, device and token requests' parameters (secrets and codes left out). */
  requests: Array<{ endpoint: string; params: Record<string, string> }>;
}
