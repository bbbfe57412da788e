/**
 * What sets one OpenID provider imitation apart from another: its paths, its clients, its
 * token lifetimes and rotation, and the exact refusals it answers with. The per-provider
 * files (gitlab.ts, auth0.ts, okta.ts, keycloak.ts) fill a {@linkcode Dialect} from their
 * provider's documentation; _oidc_server.ts runs any dialect.
 *
 * @module
 */

/** The grants a client may be allowed. */
export type Grant = "authorization_code" | "refresh_token" | "device_code" | "client_credentials";

/** The device grant's `grant_type` (RFC 8628 §3.4). */
export const DEVICE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";

/** A registered client (an "application"). */
export interface ImitationClient {
  id: string;
  /** Set for a confidential client; a public client has none. */
  secret?: string;
  /** As registered; the dialect's `redirectUriMatches` compares. */
  redirectUris: string[];
  grants: Grant[];
  /** Keycloak's "Pushed authorization request required". */
  requirePar?: boolean;
  /** Keycloak's "Require DPoP bound tokens". */
  requireDpop?: boolean;
}

/** An OAuth error answer: HTTP status, `error`, `error_description`. */
export interface ErrorAnswer {
  status: number;
  error: string;
  description: string;
}

/** The situations a provider refuses, each answered in its own words. */
export type Refusal =
  | "unknown_client"
  | "bad_secret"
  | "bad_code"
  | "bad_verifier"
  | "bad_refresh"
  | "grant_not_allowed"
  | "device_not_allowed"
  | "pending"
  | "expired_device"
  | "denied_device"
  | "dpop_missing"
  | "dpop_invalid"
  | "par_required"
  | "pkce_missing"
  | "invalid_scope"
  | "unsupported_grant_type";

/** What a refusal may depend on. */
export interface RefusalContext {
  client?: ImitationClient;
  /** The grant_type asked for. */
  grantType?: string;
  /** A detail to put in the description (a scope, a proof's fault). */
  detail?: string;
}

/** One login (or one client-credentials request): what its tokens stand for. */
export interface GrantRecord {
  client: ImitationClient;
  scope: string[];
  /** The user's `sub`, or the client's for client credentials. */
  subject: string;
  /** `audience` as asked (Auth0). */
  audience?: string;
  nonce?: string;
  /** The DPoP key's thumbprint the tokens are bound to (RFC 9449 §6). */
  jkt?: string;
  /** When the person logged in, in seconds. */
  authTime: number;
}

/** What a dialect's hooks get to mint an access token. */
export interface AccessTokenContext {
  grant: GrantRecord;
  issuer: string;
  iat: number;
  exp: number;
  jti: string;
  /** Signs claims as a JWT with the imitation's published key (or `unpublished`: Okta's org server). */
  sign(
    claims: Record<string, unknown>,
    options?: { unpublished?: boolean; typ?: string },
  ): Promise<string>;
}

/** A provider's documented behaviour, as the imitation follows it. */
export interface Dialect {
  /** Its name, for messages. */
  name: string;
  /** The issuer's path on the origin: "" (GitLab), "/" (Auth0), "/oauth2/default", "/realms/R". */
  issuerPath: string;
  /** Endpoint paths on the origin. */
  paths: {
    authorization: string;
    token: string;
    userinfo: string;
    jwks: string;
    revocation?: string;
    device?: string;
    /** Where the person enters the user code (RFC 8628 verification_uri). */
    verification?: string;
    par?: string;
  };
  /** Endpoints the provider has but its discovery document leaves out (GitLab's device). */
  unadvertised?: ("device_authorization_endpoint")[];
  /** More discovery fields (Keycloak's DPoP algorithms, `iss` in the authorization response). */
  metadata?: Record<string, unknown>;
  clients: ImitationClient[];
  /** The person who logs in: `sub` and the claims by scope. */
  user: { sub: string; profile: Record<string, unknown>; email: Record<string, unknown> };
  /** Scopes the provider knows; others are refused (GitLab). Undefined: any. */
  scopes?: string[];
  /** Its words for each refusal it answers differently from RFC 6749's examples. */
  refusals: Partial<Record<Refusal, ErrorAnswer | ((context: RefusalContext) => ErrorAnswer)>>;
  /** The error page's text for a client id or redirect URI it does not know (no redirect). */
  redirectRefusal: string;
  /** Whether `given` is allowed by the registered `registered` redirect URI. */
  redirectUriMatches(registered: string, given: string): boolean;
  /** "required": every client; "public": clients without a secret; "optional". */
  pkce: "required" | "public" | "optional";
  /** Sends `iss` in the authorization response (RFC 9207). */
  issInAuthorizationResponse: boolean;
  accessTokenLifetime: number;
  /** "always", or only when `offline_access` was granted. */
  refreshTokens: "always" | "offline_access";
  /**
   * On refresh: "replace" (new tokens; the old refresh and access token stop working),
   * "new-keep-old" (a new refresh token; the old one still works), "none" (no new one).
   */
  rotation: "replace" | "new-keep-old" | "none";
  /** What revocation revokes: the token's pair (access + refresh), the token, or refresh tokens only. */
  revocation: "pair" | "token" | "refresh-only";
  /** `token_type` as the provider spells it. */
  tokenType: string;
  /** The device flow's user code. */
  userCode(): string;
  /** Seconds between polls the device response asks for. */
  deviceInterval: number;
  /** The access token: opaque by default. */
  accessToken?(context: AccessTokenContext): Promise<string>;
  /** Extra token response fields (GitLab's created_at, Keycloak's refresh_expires_in). */
  tokenResponseExtras?(grant: GrantRecord, now: number): Record<string, unknown>;
  /** A provider's own checks of an authorization request (Auth0's unknown audience). */
  checkAuthorization?(params: URLSearchParams, client: ImitationClient): ErrorAnswer | undefined;
  /** A provider's own checks of a token request (Auth0's client credentials audience). */
  checkTokenRequest?(grantType: string, form: URLSearchParams, client: ImitationClient):
    | ErrorAnswer
    | undefined;
}

/** RFC 6749 §5.2 and RFC 8628 §3.5 answers, for what a dialect does not word itself. */
const STANDARD: Record<Refusal, ErrorAnswer> = {
  unknown_client: { status: 401, error: "invalid_client", description: "Unknown client" },
  bad_secret: { status: 401, error: "invalid_client", description: "Invalid client credentials" },
  bad_code: { status: 400, error: "invalid_grant", description: "Invalid authorization code" },
  bad_verifier: { status: 400, error: "invalid_grant", description: "PKCE verification failed" },
  bad_refresh: { status: 400, error: "invalid_grant", description: "Invalid refresh token" },
  grant_not_allowed: {
    status: 400,
    error: "unauthorized_client",
    description: "Grant not allowed",
  },
  device_not_allowed: {
    status: 400,
    error: "unauthorized_client",
    description: "Device grant not allowed",
  },
  pending: { status: 400, error: "authorization_pending", description: "Pending" },
  expired_device: { status: 400, error: "expired_token", description: "Device code expired" },
  denied_device: { status: 400, error: "access_denied", description: "Denied" },
  dpop_missing: { status: 400, error: "invalid_dpop_proof", description: "DPoP proof is missing" },
  dpop_invalid: { status: 400, error: "invalid_dpop_proof", description: "Invalid DPoP proof" },
  par_required: { status: 400, error: "invalid_request", description: "PAR required" },
  pkce_missing: { status: 400, error: "invalid_request", description: "code_challenge required" },
  invalid_scope: { status: 400, error: "invalid_scope", description: "Invalid scope" },
  unsupported_grant_type: {
    status: 400,
    error: "unsupported_grant_type",
    description: "Unsupported grant type",
  },
};

/** The dialect's answer to `refusal`. */
export function refusalOf(
  dialect: Dialect,
  refusal: Refusal,
  context: RefusalContext = {},
): ErrorAnswer {
  const own = dialect.refusals[refusal];
  if (own === undefined) return STANDARD[refusal];
  return typeof own === "function" ? own(context) : own;
}

/** RFC 8252 §7.3: loopback IP redirect URIs match whatever their port (Doorkeeper, Keycloak). */
export function sameExceptLoopbackPort(registered: string, given: string): boolean {
  if (registered === given) return true;
  let a: URL, b: URL;
  try {
    [a, b] = [new URL(registered), new URL(given)];
  } catch {
    return false;
  }
  const loopback = (url: URL) => url.hostname === "127.0.0.1" || url.hostname === "[::1]";
  if (!loopback(a) || !loopback(b)) return false;
  a.port = "";
  b.port = "";
  return a.href === b.href;
}
