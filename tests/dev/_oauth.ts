/**
 * What the DPoP, PAR and resource tests share: oauth4webapi against the dev provider (as clauth
 * talks to it), hand-made DPoP proofs for what a correct client never sends, and the claims of
 * JWT access tokens checked against the provider's published keys.
 */

import * as oauth from "oauth4webapi";
import { calculateJwkThumbprint } from "jose/jwk/thumbprint";
import { exportJWK } from "jose/key/export";
import { createRemoteJWKSet } from "jose/jwks/remote";
import { SignJWT } from "jose/jwt/sign";
import { jwtVerify } from "jose/jwt/verify";
import type { JWTHeaderParameters, JWTPayload } from "jose";
import { approveDeviceCode } from "../../dev/device_approval.ts";
import { followAuthorization } from "../../dev/browser.ts";
import type { DevProvider } from "../../dev/provider.ts";
import { callbackListener } from "../helpers/dev_provider.ts";

/** oauth4webapi's option for the dev provider's plain-http loopback issuer. */
export const INSECURE = { [oauth.allowInsecureRequests]: true } as const;

export async function discover(idp: DevProvider): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(idp.issuer);
  return await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, INSECURE),
  );
}

/** A DPoP key pair and the JWK thumbprint (RFC 7638) tokens bound to it carry as `cnf.jkt`. */
export async function dpopKey(): Promise<{ keyPair: CryptoKeyPair; jkt: string }> {
  const keyPair = await oauth.generateKeyPair("ES256");
  return { keyPair, jkt: await calculateJwkThumbprint(await exportJWK(keyPair.publicKey)) };
}

/** A DPoP proof (RFC 9449 §4.2) made by hand, so tests can get each claim wrong on purpose. */
export async function handMadeProof(
  keyPair: CryptoKeyPair,
  htu: string,
  claims: { htm?: string; jti?: string; nonce?: string } = {},
): Promise<string> {
  return await new SignJWT({
    htm: claims.htm ?? "POST",
    htu,
    jti: claims.jti ?? crypto.randomUUID(),
    ...(claims.nonce === undefined ? {} : { nonce: claims.nonce }),
  })
    .setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk: await exportJWK(keyPair.publicKey) })
    .setIssuedAt()
    .sign(keyPair.privateKey);
}

/** The claims of a JWT access token (RFC 9068 §2.2, RFC 9449 §6.1). */
export interface AccessTokenClaims extends JWTPayload {
  client_id?: string;
  scope?: string;
  cnf?: { jkt?: string };
  header: JWTHeaderParameters;
}

/** The claims of a JWT access token, verified against the provider's jwks. */
export async function accessTokenClaims(
  idp: DevProvider,
  token: string,
): Promise<AccessTokenClaims> {
  const jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
  const { payload, protectedHeader } = await jwtVerify<AccessTokenClaims>(token, jwks, {
    issuer: idp.issuer,
    typ: "at+jwt",
  });
  return { ...payload, header: protectedHeader };
}

/** Whether a token is a JWS compact serialization (three dot-separated parts). */
export function isJwt(token: string): boolean {
  return token.split(".").length === 3;
}

/**
 * A device-flow login as alice (the provider must auto-approve): the device authorization
 * request with `params`, the approval, and one token request with `tokenOptions`.
 */
export async function deviceLogin(
  idp: DevProvider,
  clientId: string,
  params: Record<string, string>,
  tokenOptions: oauth.TokenEndpointRequestOptions = {},
): Promise<
  { as: oauth.AuthorizationServer; client: oauth.Client; deviceCode: string; response: Response }
> {
  const as = await discover(idp);
  const client: oauth.Client = { client_id: clientId };
  const authorization = await oauth.processDeviceAuthorizationResponse(
    as,
    client,
    await oauth.deviceAuthorizationRequest(as, client, oauth.None(), params, INSECURE),
  );
  await approveDeviceCode(authorization.verification_uri_complete!);
  const response = await oauth.deviceCodeGrantRequest(
    as,
    client,
    oauth.None(),
    authorization.device_code,
    { ...INSECURE, ...tokenOptions },
  );
  return { as, client, deviceCode: authorization.device_code, response };
}

/**
 * An authorization-code login as alice with PKCE (the provider must auto-approve), through PAR
 * when `pushed` is set; returns the code exchange's raw response.
 */
export async function codeLogin(
  idp: DevProvider,
  clientId: string,
  params: Record<string, string>,
  options: {
    pushed?: boolean;
    parOptions?: oauth.PushedAuthorizationRequestOptions;
    tokenOptions?: oauth.TokenEndpointRequestOptions;
  } = {},
): Promise<{ as: oauth.AuthorizationServer; client: oauth.Client; response: Response }> {
  const as = await discover(idp);
  const client: oauth.Client = { client_id: clientId };
  const listener = callbackListener();
  try {
    const verifier = oauth.generateRandomCodeVerifier();
    const request = new URLSearchParams({
      client_id: clientId,
      redirect_uri: listener.redirectUri,
      response_type: "code",
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state: "state-123",
      ...params,
    });
    const url = new URL(as.authorization_endpoint!);
    if (options.pushed) {
      const pushed = await oauth.processPushedAuthorizationResponse(
        as,
        client,
        await oauth.pushedAuthorizationRequest(as, client, oauth.None(), request, {
          ...INSECURE,
          ...options.parOptions,
        }),
      );
      url.search = new URLSearchParams({ client_id: clientId, request_uri: pushed.request_uri })
        .toString();
    } else {
      url.search = request.toString();
    }
    await followAuthorization(url.href);
    const callback = listener.received[0];
    if (!callback) throw new Error("the authorization never reached the redirect_uri");
    const code = oauth.validateAuthResponse(as, client, callback, "state-123");
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      code,
      listener.redirectUri,
      verifier,
      { ...INSECURE, ...options.tokenOptions },
    );
    return { as, client, response };
  } finally {
    await listener.close();
  }
}
