/**
 * The oauth4webapi types that appear in clauth's API, under names this package documents.
 * They are aliases, not copies: a value passes straight to oauth4webapi when a CLI needs a
 * request clauth does not make itself.
 *
 * @module
 */

import type * as oauth from "oauth4webapi";

/**
 * An authorization server's metadata: its discovery document with any endpoints the profile
 * set laid over it (or only those, for a server without discovery).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
export type AuthorizationServer = oauth.AuthorizationServer;

/**
 * The client's registered metadata as oauth4webapi takes it. clauth sets only `client_id`;
 * the secret or private key lives in the client settings, not here.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export type ClientMetadata = oauth.Client;

/**
 * A token introspection response: `active` always, the other members only for an active
 * token and only when the server says them.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 */
export type IntrospectionResponse = oauth.IntrospectionResponse;

/**
 * The UserInfo endpoint's claims about the user: `sub` always, the rest (name, email, ...)
 * as the server and the granted scopes allow.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoResponse
 */
export type UserInfoResponse = oauth.UserInfoResponse;
