/**
 * clauth as a library: the OAuth 2.0 / OpenID Connect flows a command-line program needs,
 * a token store, and the orchestrator that returns a usable token (cached, refreshed or
 * fetched anew) with one renewal at a time across processes.
 *
 * Flows take a {@linkcode Client} made by {@linkcode createClient} (discovery included) and
 * return the token endpoint's response. Storage is separate: hand the orchestrator a
 * {@linkcode TokenStore} and the functions that renew tokens.
 *
 * Every flow that returns an ID token verifies it (signature against the issuer's keys, iss,
 * aud, exp, nonce) before handing it back. {@linkcode verifyIdToken} and
 * {@linkcode fetchUserInfo} answer "who is this user?"; {@linkcode introspectToken} asks the
 * server whether a token is still active.
 *
 * @example Client credentials with caching in a JSON file store
 * ```ts ignore
 * import { clientCredentialsFlow, createClient, getUsableToken, JsonFileStore } from "./mod.ts";
 *
 * const client = await createClient({
 *   issuer: "https://login.example.com",
 *   clientId: "my-service",
 *   clientSecret: Deno.env.get("MY_SERVICE_SECRET"),
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

export { ClauthError, type ClauthErrorCode, exitCodeFor } from "./errors.ts";
export type { FlowDependencies, MetadataCache } from "./flows/dependencies.ts";
export {
  type Client,
  type ClientSettings,
  createClient,
  type TokenResult,
} from "./flows/client.ts";
export { type AuthMethod, chooseAuthMethod } from "./flows/client_auth.ts";
export { type ClientPrivateKey, parsePrivateKey } from "./flows/private_key.ts";
export { discover, type DiscoverOptions } from "./flows/discovery.ts";
export { ENDPOINT_NAMES, type EndpointOverrides } from "./flows/endpoints.ts";
export {
  clientCredentialsFlow,
  type ClientCredentialsOptions,
} from "./flows/client_credentials.ts";
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
export { refreshFlow } from "./flows/refresh.ts";
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
export { type DecodedJwt, decodeJwt, verifyJwtSignature } from "./flows/jwt.ts";
export {
  isFresh,
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
  type UsableToken,
  type UsableTokenOptions,
} from "./storage/usable_token.ts";
