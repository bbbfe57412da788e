/**
 * clauth as a library: the OAuth 2.0 / OpenID Connect flows a command-line program needs,
 * a token store, and the orchestrator that returns a usable token (cached, refreshed or
 * fetched anew) with one renewal at a time across processes.
 *
 * - **Client**: {@linkcode createClient} discovers the server once; every flow takes the
 *   {@linkcode Client} it returns, plus an options object.
 * - **Flows**: {@linkcode authorizationCodeFlow} (browser, PKCE, loopback redirect),
 *   {@linkcode deviceCodeFlow} (no browser on this machine), {@linkcode clientCredentialsFlow}
 *   (services, CI), {@linkcode refreshFlow} and {@linkcode tokenExchangeFlow} each return an
 *   {@linkcode Acquisition}: the token endpoint's response and the client authentication
 *   that worked.
 * - **Storage** knows no HTTP: a {@linkcode TokenStore} ({@linkcode JsonFileStore},
 *   {@linkcode MemoryStore}, or your own), {@linkcode saveTokens} for a login you ran
 *   yourself, and {@linkcode getUsableToken}, which is handed the functions that renew tokens
 *   and decides when to call them (and saves what they return).
 * - **Identity**: every flow that returns an ID token verifies it (signature against the
 *   issuer's keys, iss, aud, exp, nonce). {@linkcode verifyIdToken} and
 *   {@linkcode fetchUserInfo} answer "who is this user?"; {@linkcode introspectToken} asks the
 *   server whether a token is still active; {@linkcode revokeToken} ends it.
 * - **DPoP** (RFC 9449): {@linkcode withDPoP} gives a client whose every request proves
 *   possession of a key from {@linkcode generateDPoPKey}; the tokens it gets are bound to it
 *   (the `dpopKey` of the {@linkcode Acquisition}, stored with them by {@linkcode saveTokens}).
 * - **Errors**: expected failures are a {@linkcode ClauthError} with a stable `code` and a
 *   message meant for a person; {@linkcode exitCodeFor} maps codes to exit codes.
 *
 * Flows never touch the terminal or the environment: they take callbacks (`onUserCode`,
 * `openBrowser`) and a {@linkcode FlowDependencies} object (fetch, clock, abort signal), so
 * the CLI decides what to print and tests can fake the network.
 *
 * Every example runs as a test. Where one needs an authorization server, a comment says so
 * and it starts the development provider of clauth's repository (`dev/`, not part of this
 * package), whose client ids and secret it then uses; a stand-in also plays the user where a
 * login needs one. The rest is what your code would do.
 *
 * @example Add login to your CLI: reuse a token, refresh it, or log in on another device
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   createClient,
 *   deviceCodeFlow,
 *   getUsableToken,
 *   JsonFileStore,
 *   normalizeScope,
 *   refreshFlow,
 * } from "@clauth/clauth";
 * // The dev provider stands in for your server, and approves as its user would:
 * import { startDevProvider } from "./dev/provider.ts";
 * import { approveDeviceCode } from "./dev/device_approval.ts";
 *
 * const idp = await startDevProvider({ autoApprove: true, deviceInterval: 0.2 });
 * const stateDir = await Deno.makeTempDir(); // your CLI's state folder
 * const scope = normalizeScope("openid offline_access api:read");
 * const client = await createClient({ issuer: idp.issuer, clientId: "demo-cli" });
 *
 * const { tokens, source } = await getUsableToken({
 *   store: new JsonFileStore(stateDir),
 *   profile: "default",
 *   binding: { issuer: client.as.issuer, client_id: "demo-cli", scope, grant: "user" },
 *   refresh: (stored) => refreshFlow(client, stored.refresh_token!),
 *   // Leave `login` out when no person is at a terminal: then the call fails with
 *   // "login_required", naming `loginCommand`, instead of waiting for nobody.
 *   login: () =>
 *     deviceCodeFlow(client, {
 *       scope,
 *       onUserCode: async ({ verificationUri, userCode, verificationUriComplete }) => {
 *         console.error(`Open ${verificationUri} and enter the code ${userCode}`);
 *         await approveDeviceCode(verificationUriComplete!); // the user, on their phone
 *       },
 *     }),
 *   loginCommand: "my-cli login",
 * });
 * assert.equal(source, "login"); // later runs: "cache", or "refresh" when it runs out
 *
 * const me = await fetch(client.as.userinfo_endpoint!, {
 *   headers: { authorization: `Bearer ${tokens.access_token}` },
 * });
 * assert.equal((await me.json()).sub, "alice");
 * await idp.close();
 * await Deno.remove(stateDir, { recursive: true });
 * ```
 *
 * @example Client credentials, cached between runs of a CI job
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientCredentialsFlow, createClient, getUsableToken, JsonFileStore } from "@clauth/clauth";
 * // The dev provider stands in for your server:
 * import { startDevProvider } from "./dev/provider.ts";
 *
 * const idp = await startDevProvider();
 * const stateDir = await Deno.makeTempDir(); // the job's cache folder
 * const clientSecret = idp.clients.confidential.client_secret; // yours: from the CI's secrets
 * const client = await createClient({ issuer: idp.issuer, clientId: "demo-service", clientSecret });
 * const token = () =>
 *   getUsableToken({
 *     store: new JsonFileStore(stateDir),
 *     profile: "deploy",
 *     binding: {
 *       issuer: client.as.issuer,
 *       client_id: "demo-service",
 *       scope: "api:read",
 *       grant: "client-credentials",
 *     },
 *     fetchNew: () => clientCredentialsFlow(client, { scope: "api:read" }),
 *   });
 *
 * const first = await token();
 * const second = await token(); // the next step of the job
 * assert.equal(second.source, "cache");
 * assert.equal(second.tokens.access_token, first.tokens.access_token);
 * await idp.close();
 * await Deno.remove(stateDir, { recursive: true });
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
export type { Acquisition, AuthMethod, TokenResponse } from "./acquisition.ts";
export type { FlowDependencies, MetadataCache } from "./flows/protocol/dependencies.ts";
export type {
  AuthorizationServer,
  ClientMetadata,
  IntrospectionResponse,
  UserInfoResponse,
} from "./flows/protocol/oauth_types.ts";
export { type Client, type ClientSettings, createClient } from "./flows/protocol/client.ts";
export { withDPoP } from "./flows/protocol/dpop_requests.ts";
export type {
  IssuerClaims,
  LocationOption,
  Preset,
  PresetBehaviour,
  PresetDefaults,
  PresetLocation,
  PresetServer,
} from "./flows/presets/preset.ts";
export {
  chooseDPoPAlgorithm,
  DPOP_ALGORITHMS,
  type DPoPAlgorithm,
  type DPoPKey,
  type DPoPProofs,
  dpopProofs,
  generateDPoPKey,
} from "./flows/tokens/dpop.ts";
export { chooseAuthMethod, type ClientCredentials } from "./flows/protocol/client_auth.ts";
export { type ClientPrivateKey, parsePrivateKey } from "./flows/tokens/private_key.ts";
export { discover, type DiscoverOptions } from "./flows/protocol/discovery.ts";
export { ENDPOINT_NAMES, type EndpointOverrides } from "./flows/protocol/endpoints.ts";
export {
  authorizationCodeFlow,
  type AuthorizationCodeOptions,
  type AuthorizationCodeResult,
} from "./flows/grants/authorization_code.ts";
export type { ParPolicy } from "./flows/grants/pushed_authorization.ts";
export type { PastedRedirectReader } from "./flows/grants/authorization_response.ts";
export {
  deviceCodeFlow,
  type DeviceCodeOptions,
  type DeviceCodePrompt,
  type DevicePollProgress,
} from "./flows/grants/device_code.ts";
export {
  DEFAULT_REDIRECT_URI,
  type LoopbackListener,
  type LoopbackListenerOptions,
  startLoopbackListener,
} from "./flows/grants/loopback_listener.ts";
export {
  clientCredentialsFlow,
  type ClientCredentialsOptions,
} from "./flows/grants/client_credentials.ts";
export { refreshFlow, type RefreshFlowOptions } from "./flows/grants/refresh.ts";
export {
  TOKEN_EXCHANGE_GRANT,
  TOKEN_TYPES,
  tokenExchangeFlow,
  type TokenExchangeOptions,
  type TokenExchangeResult,
  type TokenTypeName,
  tokenTypeUri,
} from "./flows/grants/token_exchange.ts";
export {
  gitHubActionsIdToken,
  type GitHubActionsIdTokenOptions,
  type GitHubActionsIdTokenRequest,
} from "./flows/grants/github_actions.ts";
export {
  CLOCK_TOLERANCE_SECONDS,
  type IdTokenClaims,
  verifyIdToken,
  type VerifyIdTokenOptions,
} from "./flows/tokens/id_token.ts";
export { fetchUserInfo, type UserInfoOptions } from "./flows/protocol/userinfo.ts";
export {
  type IntrospectionResult,
  introspectToken,
  type IntrospectTokenOptions,
} from "./flows/protocol/introspection.ts";
export {
  canRevoke,
  isPublicClientRevocationRefusal,
  revokeToken,
  type RevokeTokenOptions,
} from "./flows/protocol/revocation.ts";
export {
  type DecodedJwt,
  decodeJwt,
  type JwtErrorOptions,
  verifyJwtSignature,
} from "./flows/tokens/jwt.ts";
export {
  type GrantKind,
  isFresh,
  isIdTokenFresh,
  type LockOptions,
  matchesBinding,
  normalizeScope,
  type StoredTokens,
  type TokenBinding,
  type TokenStore,
} from "./storage/token_store.ts";
export { JsonFileStore } from "./storage/json_file_store.ts";
export { MemoryStore } from "./storage/memory_store.ts";
export { MetadataFileCache } from "./storage/metadata_cache.ts";
export { saveTokens, type SaveTokensOptions } from "./storage/save_tokens.ts";
export {
  getUsableToken,
  type TokenSource,
  type UsableToken,
  type UsableTokenOptions,
} from "./storage/usable_token.ts";
