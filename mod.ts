/**
 * clauth as a library: the OAuth 2.0 / OpenID Connect flows a command-line program needs,
 * a token store, and the orchestrator that returns a usable token (cached, refreshed or
 * fetched anew) with one renewal at a time across processes.
 *
 * - **Client**: {@linkcode createClient} discovers the server once; every flow takes the
 *   {@linkcode Client} it returns, plus an options object.
 * - **Flows** return the token endpoint's response and the client authentication that worked:
 *   {@linkcode authorizationCodeFlow} (browser, PKCE, loopback redirect),
 *   {@linkcode deviceCodeFlow} (no browser on this machine), {@linkcode clientCredentialsFlow}
 *   (services, CI), {@linkcode refreshFlow} and {@linkcode tokenExchangeFlow}.
 * - **Storage** knows no HTTP: a {@linkcode TokenStore} ({@linkcode JsonFileStore},
 *   {@linkcode MemoryStore}, or your own) and {@linkcode getUsableToken}, which is handed the
 *   functions that renew tokens and decides when to call them.
 * - **Identity**: every flow that returns an ID token verifies it (signature against the
 *   issuer's keys, iss, aud, exp, nonce). {@linkcode verifyIdToken} and
 *   {@linkcode fetchUserInfo} answer "who is this user?"; {@linkcode introspectToken} asks the
 *   server whether a token is still active; {@linkcode revokeToken} ends it.
 * - **Errors**: expected failures are a {@linkcode ClauthError} with a stable `code` and a
 *   message meant for a person; {@linkcode exitCodeFor} maps codes to exit codes.
 *
 * Flows never touch the terminal or the environment: they take callbacks (`onUserCode`,
 * `openBrowser`) and a {@linkcode FlowDependencies} object (fetch, clock, abort signal), so
 * the CLI decides what to print and tests can fake the network.
 *
 * @example Add login to your CLI: reuse a token, refresh it, or log in on another device
 * ```ts ignore
 * import {
 *   createClient,
 *   deviceCodeFlow,
 *   getUsableToken,
 *   JsonFileStore,
 *   normalizeScope,
 *   refreshFlow,
 * } from "@clauth/clauth";
 *
 * const scope = normalizeScope("openid offline_access api:read");
 * const client = await createClient({ issuer: "https://login.example.com", clientId: "my-cli" });
 * const interactive = Deno.stdin.isTerminal() && Deno.stderr.isTerminal();
 *
 * const { tokens } = await getUsableToken({
 *   store: new JsonFileStore(`${Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE")}/.my-cli`),
 *   profile: "default",
 *   binding: { issuer: client.as.issuer, client_id: "my-cli", scope, grant: "user" },
 *   refresh: (stored) => refreshFlow(client, stored.refresh_token!),
 *   // Without a terminal, fail with "login_required" instead of waiting for nobody.
 *   ...(interactive
 *     ? {
 *       login: () =>
 *         deviceCodeFlow(client, {
 *           scope,
 *           onUserCode: ({ verificationUri, userCode }) =>
 *             console.error(`Open ${verificationUri} and enter the code ${userCode}`),
 *         }),
 *     }
 *     : {}),
 *   loginCommand: "my-cli login",
 * });
 * const me = await fetch("https://api.example.com/me", {
 *   headers: { authorization: `Bearer ${tokens.access_token}` },
 * });
 * console.log(await me.json());
 * ```
 *
 * @example Client credentials with caching in a JSON file store
 * ```ts ignore
 * import { clientCredentialsFlow, createClient, getUsableToken, JsonFileStore } from "@clauth/clauth";
 *
 * const clientSecret = Deno.env.get("MY_SERVICE_SECRET");
 * if (!clientSecret) throw new Error("Set MY_SERVICE_SECRET");
 * const client = await createClient({
 *   issuer: "https://login.example.com",
 *   clientId: "my-service",
 *   clientSecret,
 * });
 * const { tokens } = await getUsableToken({
 *   store: new JsonFileStore("./.state"),
 *   profile: "default",
 *   binding: { issuer: client.as.issuer, client_id: "my-service", scope: "api:read", grant: "client-credentials" },
 *   fetchNew: () => clientCredentialsFlow(client, { scope: "api:read" }),
 * });
 * console.log(tokens.access_token);
 * ```
 *
 * @module
 */

export {
  type ClauthEndpoint,
  ClauthError,
  type ClauthErrorCode,
  type ClauthErrorOptions,
  type ClauthSetting,
  exitCodeFor,
} from "./errors.ts";
export type { FlowDependencies, MetadataCache } from "./flows/dependencies.ts";
export type {
  AuthorizationServer,
  ClientMetadata,
  IntrospectionResponse,
  TokenEndpointResponse,
  UserInfoResponse,
} from "./flows/oauth_types.ts";
export {
  type Client,
  type ClientSettings,
  createClient,
  type TokenResult,
} from "./flows/client.ts";
export { type AuthMethod, chooseAuthMethod, type ClientCredentials } from "./flows/client_auth.ts";
export { type ClientPrivateKey, parsePrivateKey } from "./flows/private_key.ts";
export { discover, type DiscoverOptions } from "./flows/discovery.ts";
export { ENDPOINT_NAMES, type EndpointOverrides } from "./flows/endpoints.ts";
export {
  authorizationCodeFlow,
  type AuthorizationCodeOptions,
  type AuthorizationCodeResult,
} from "./flows/authorization_code.ts";
export {
  deviceCodeFlow,
  type DeviceCodeOptions,
  type DeviceCodePrompt,
  type DevicePollProgress,
} from "./flows/device_code.ts";
export {
  DEFAULT_REDIRECT_URI,
  type LoopbackListener,
  type LoopbackListenerOptions,
  startLoopbackListener,
} from "./flows/loopback_listener.ts";
export {
  clientCredentialsFlow,
  type ClientCredentialsOptions,
} from "./flows/client_credentials.ts";
export { refreshFlow, type RefreshFlowOptions } from "./flows/refresh.ts";
export {
  TOKEN_EXCHANGE_GRANT,
  TOKEN_TYPES,
  tokenExchangeFlow,
  type TokenExchangeOptions,
  type TokenExchangeResult,
  type TokenTypeName,
  tokenTypeUri,
} from "./flows/token_exchange.ts";
export {
  gitHubActionsIdToken,
  type GitHubActionsIdTokenOptions,
  type GitHubActionsIdTokenRequest,
} from "./flows/github_actions.ts";
export {
  CLOCK_TOLERANCE_SECONDS,
  type IdTokenClaims,
  verifyIdToken,
  type VerifyIdTokenOptions,
} from "./flows/id_token.ts";
export { fetchUserInfo, type UserInfoOptions } from "./flows/userinfo.ts";
export {
  type IntrospectionResult,
  introspectToken,
  type IntrospectTokenOptions,
} from "./flows/introspection.ts";
export { canRevoke, revokeToken, type RevokeTokenOptions } from "./flows/revocation.ts";
export {
  type DecodedJwt,
  decodeJwt,
  type JwtErrorOptions,
  verifyJwtSignature,
} from "./flows/jwt.ts";
export {
  type GrantKind,
  isFresh,
  type LockOptions,
  matchesBinding,
  normalizeScope,
  type StoredTokens,
  type TokenBinding,
  type TokenResponse,
  type TokenStore,
} from "./storage/token_store.ts";
export { JsonFileStore, type JsonFileStoreOptions } from "./storage/json_file_store.ts";
export { MemoryStore } from "./storage/memory_store.ts";
export { MetadataFileCache } from "./storage/metadata_cache.ts";
export {
  type Acquisition,
  getUsableToken,
  type TokenSource,
  type UsableToken,
  type UsableTokenOptions,
} from "./storage/usable_token.ts";
