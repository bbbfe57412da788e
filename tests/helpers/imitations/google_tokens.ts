/**
 * The token side of the Google imitation (tests/helpers/imitations/google.ts): its clients and
 * how they authenticate, the grants it holds, and the token endpoint's answers for codes and
 * refresh tokens, written from
 * https://developers.google.com/identity/protocols/oauth2/native-app (Step 5 "Exchange
 * authorization code for refresh and access tokens", "Refreshing an access token") and
 * https://developers.google.com/identity/openid-connect/openid-connect (the ID token).
 */

import { signJwt, type TestKey } from "../signing.ts";

/** A registered client: Google's "Desktop app" or "TVs and Limited Input devices" type. */
export interface GoogleClient {
  clientId: string;
  clientSecret: string;
  type: "desktop" | "tv";
}

/** One user's consent to one client: revoking any of its tokens ends all of them. */
export interface Grant {
  client: GoogleClient;
  /** The granted scopes, as Google names them in token responses. */
  scopes: string[];
  revoked: boolean;
}

/** What an authorization code or an approved device code stands for. */
export interface Approval {
  grant: Grant;
  /** Whether a refresh token comes with it (see the imitation's header). */
  offline: boolean;
  nonce?: string;
}

/** An authorization code: its approval and what the token request must repeat. */
export interface IssuedCode extends Approval {
  redirectUri: string;
  challenge?: string;
  challengeMethod: string;
  used: boolean;
}

/** The user every login logs in. */
export const USER = {
  sub: "110169484474386276334",
  email: "alice@example.com",
  email_verified: true,
  name: "Alice Example",
  given_name: "Alice",
  family_name: "Example",
  picture: "https://lh3.googleusercontent.com/a/alice",
};

/** Google's names for the short scopes, as its token responses list them. */
export const SCOPE_NAMES: Record<string, string> = {
  email: "https://www.googleapis.com/auth/userinfo.email",
  profile: "https://www.googleapis.com/auth/userinfo.profile",
};

/** An OAuth error answer as Google sends it: JSON, with Google's status for the code. */
export function oauthError(status: number, error: string, description?: string): Response {
  return Response.json(description ? { error, error_description: description } : { error }, {
    status,
  });
}

/** How the token state mints. */
export interface TokenSettings {
  /** The `iss` of its ID tokens. */
  idTokenIssuer: string;
  key: TestKey;
  /** Access token lifetime in seconds (Google: 3599). */
  accessTokenTtl: number;
}

/** The tokens the imitation has issued, by value, and the grant each belongs to. */
export class TokenState {
  readonly access = new Map<string, { grant: Grant; expiresAt: number }>();
  readonly refresh = new Map<string, Grant>();
  readonly codes = new Map<string, IssuedCode>();

  constructor(private readonly settings: TokenSettings) {}

  /** A token response for `approval`: Google's fields, and an ID token with `openid`. */
  async mint(approval: Approval, withRefresh: boolean): Promise<Record<string, unknown>> {
    const { grant } = approval;
    const accessToken = `ya29.${randomText(32)}`;
    const ttl = this.settings.accessTokenTtl;
    this.access.set(accessToken, { grant, expiresAt: Date.now() + ttl * 1000 });
    const body: Record<string, unknown> = {
      access_token: accessToken,
      expires_in: ttl,
      scope: grant.scopes.join(" "),
      token_type: "Bearer",
    };
    if (withRefresh) {
      const refreshToken = `1//${randomText(40)}`;
      this.refresh.set(refreshToken, grant);
      body.refresh_token = refreshToken;
    }
    if (grant.scopes.includes("openid")) body.id_token = await this.idToken(approval, accessToken);
    return body;
  }

  /** The grant of a live access token (not expired, not revoked), or undefined. */
  grantOfAccessToken(token: string): Grant | undefined {
    const entry = this.access.get(token);
    return entry && !entry.grant.revoked && entry.expiresAt > Date.now() ? entry.grant : undefined;
  }

  /** The grant of any token it issued that is not revoked, or undefined. */
  grantOf(token: string): Grant | undefined {
    const grant = this.access.get(token)?.grant ?? this.refresh.get(token);
    return grant && !grant.revoked ? grant : undefined;
  }

  /** grant_type=authorization_code: the code, its redirect URI and its PKCE verifier. */
  async redeemCode(client: GoogleClient, form: URLSearchParams): Promise<Response> {
    const code = this.codes.get(form.get("code") ?? "");
    if (!code || code.used || code.grant.client !== client) {
      return oauthError(400, "invalid_grant", "Malformed auth code.");
    }
    code.used = true;
    if (form.get("redirect_uri") !== code.redirectUri) {
      return oauthError(400, "redirect_uri_mismatch", "Bad Request");
    }
    if (code.challenge !== undefined) {
      const verifier = form.get("code_verifier");
      if (!verifier) return oauthError(400, "invalid_grant", "Missing code verifier.");
      if (!await verifierMatches(verifier, code.challenge, code.challengeMethod)) {
        return oauthError(400, "invalid_grant", "Invalid code verifier.");
      }
    }
    return Response.json(await this.mint(code, code.offline));
  }

  /**
   * grant_type=refresh_token: a new access token (and ID token), never a new refresh token:
   * Google's refresh tokens do not rotate, they stay "valid until the user revokes access".
   */
  async refreshGrant(client: GoogleClient, form: URLSearchParams): Promise<Response> {
    const grant = this.refresh.get(form.get("refresh_token") ?? "");
    if (!grant || grant.revoked) {
      return oauthError(400, "invalid_grant", "Token has been expired or revoked.");
    }
    if (grant.client !== client) return oauthError(400, "unauthorized_client", "Unauthorized");
    return Response.json(await this.mint({ grant, offline: true }, false));
  }

  /**
   * Google's ID token: RS256, `aud` and `azp` the client, `at_hash`, the email and profile
   * claims as granted, `nonce` when one was sent.
   */
  private async idToken(approval: Approval, accessToken: string): Promise<string> {
    const { grant } = approval;
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: this.settings.idTokenIssuer,
      azp: grant.client.clientId,
      aud: grant.client.clientId,
      sub: USER.sub,
      at_hash: await halfHash(accessToken),
      iat: now,
      exp: now + 3600,
    };
    if (grant.scopes.includes(SCOPE_NAMES.email!)) {
      Object.assign(claims, { email: USER.email, email_verified: USER.email_verified });
    }
    if (grant.scopes.includes(SCOPE_NAMES.profile!)) {
      const { name, given_name, family_name, picture } = USER;
      Object.assign(claims, { name, given_name, family_name, picture });
    }
    if (approval.nonce) claims.nonce = approval.nonce;
    return await signJwt(this.settings.key, claims);
  }
}

/**
 * Authenticates a token request as Google's token endpoint does: HTTP Basic (credentials
 * form-urlencoded first, RFC 6749 §2.3.1) or `client_id`/`client_secret` in the body. With
 * `secretRequired`, a client without its secret is refused, PKCE or not, as Google refuses
 * Desktop and TV clients: "client_secret is missing." Returns the client or the refusal.
 */
export function authenticateClient(
  request: Request,
  form: URLSearchParams,
  clients: Map<string, GoogleClient>,
  options: { secretRequired: boolean },
): GoogleClient | Response {
  let id = form.get("client_id") ?? undefined;
  let secret = form.get("client_secret") ?? undefined;
  const header = request.headers.get("authorization");
  if (header?.toLowerCase().startsWith("basic ")) {
    const decoded = atob(header.slice(6).trim());
    const colon = decoded.indexOf(":");
    id = formDecode(decoded.slice(0, colon));
    secret = formDecode(decoded.slice(colon + 1));
  }
  if (!id) return oauthError(400, "invalid_request", "Could not determine client ID from request.");
  const client = clients.get(id);
  if (!client) return oauthError(401, "invalid_client", "The OAuth client was not found.");
  if (!secret && options.secretRequired) {
    return oauthError(400, "invalid_request", "client_secret is missing.");
  }
  if (secret && secret !== client.clientSecret) {
    return oauthError(401, "invalid_client", "Unauthorized");
  }
  return client;
}

function formDecode(text: string): string {
  return decodeURIComponent(text.replaceAll("+", " "));
}

/** RFC 7636 §4.6: the verifier against the challenge of the authorization request. */
async function verifierMatches(verifier: string, challenge: string, method: string) {
  return method === "plain" ? verifier === challenge : await sha256Text(verifier) === challenge;
}

async function sha256Text(text: string): Promise<string> {
  return (await sha256(text)).toBase64({ alphabet: "base64url", omitPadding: true });
}

/** OIDC Core §3.1.3.6 `at_hash`: the left half of the token's SHA-256, base64url. */
async function halfHash(text: string): Promise<string> {
  return (await sha256(text)).slice(0, 16).toBase64({ alphabet: "base64url", omitPadding: true });
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** Random URL-safe text from `bytes` random bytes. */
export function randomText(bytes: number): string {
  return crypto.getRandomValues(new Uint8Array(bytes)).toBase64({
    alphabet: "base64url",
    omitPadding: true,
  });
}
