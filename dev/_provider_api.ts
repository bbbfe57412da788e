/** The parts of oidc-provider's (untyped) API the dev provider and its tests use. */

import type { IncomingMessage, ServerResponse } from "node:http";

/** An access token, client-credentials token or refresh token as oidc-provider models it. */
export interface ProviderToken {
  readonly kind: string;
  jti: string;
  clientId: string;
  accountId?: string;
  grantId?: string;
  scope?: string;
  aud?: string | string[];
  extra?: Record<string, unknown>;
  exp: number;
  iat: number;
  expiresIn?: number;
  readonly expiration: number;
  readonly isExpired: boolean;
  readonly isValid: boolean;
  readonly scopes: Set<string>;
  save(): Promise<string>;
  destroy(): Promise<void>;
}

export interface TokenModel<T = ProviderToken> {
  new (fields: Record<string, unknown>): T;
  find(value: string, options?: { ignoreExpiration?: boolean }): Promise<T | undefined>;
}

export interface ProviderGrant {
  jti: string;
  accountId: string;
  clientId: string;
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: readonly string[]): void;
  addResourceScope(resource: string, scope: string): void;
  getOIDCScope(): string;
  save(): Promise<string>;
  destroy(): Promise<void>;
}

export interface ProviderClient {
  clientId: string;
  scope?: string;
  clientAuthMethod: string;
  grantTypeAllowed(grantType: string): boolean;
}

export interface InteractionDetails {
  uid: string;
  prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
  params: Record<string, unknown>;
  session?: { accountId?: string };
  grantId?: string;
}

export interface InteractionResult {
  login?: { accountId: string };
  consent?: { grantId: string };
  error?: string;
  error_description?: string;
}

/** oidc-provider's Provider (a Koa application), as far as the dev provider uses it. */
export interface Provider {
  readonly issuer: string;
  AccessToken: TokenModel;
  ClientCredentials: TokenModel;
  RefreshToken: TokenModel;
  Grant: {
    new (fields: { accountId: string; clientId: string }): ProviderGrant;
    find(id: string): Promise<ProviderGrant | undefined>;
  };
  Client: { find(id: string): Promise<ProviderClient | undefined> };
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionResult(
    req: IncomingMessage,
    res: ServerResponse,
    result: InteractionResult,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<string>;
  registerGrantType(
    name: string,
    handler: (ctx: OidcKoaContext) => Promise<void>,
    params?: Iterable<string>,
    dupes?: Iterable<string>,
  ): void;
  use(middleware: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  on(event: string, listener: (...args: unknown[]) => void): void;
}

export interface KoaContext {
  method: string;
  path: string;
  status: number;
  body: unknown;
  type: string;
  host: string;
  req: IncomingMessage;
  res: ServerResponse;
  redirect(url: string): void;
  readonly oidc?: OidcContext;
}

export interface OidcContext {
  route?: string;
  params?: Record<string, unknown>;
  client?: ProviderClient;
}

export interface OidcKoaContext extends KoaContext {
  readonly oidc: OidcContext & { params: Record<string, unknown>; client: ProviderClient };
}

export interface Account {
  accountId: string;
  claims(): Promise<Record<string, unknown>>;
}
