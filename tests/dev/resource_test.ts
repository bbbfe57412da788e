import assert from "node:assert/strict";
import * as oauth from "oauth4webapi";
import { EXAMPLE_RESOURCE } from "../../dev/provider.ts";
import { SERVICE_AUTH, str, token, withProvider } from "../helpers/dev_provider.ts";
import { accessTokenClaims, codeLogin, deviceLogin, dpopKey, INSECURE, isJwt } from "./_oauth.ts";

Deno.test("client credentials: resource or audience gets a JWT for it, signed by the provider; neither an opaque token", async () => {
  await withProvider({}, async (idp) => {
    const request = (extra: Record<string, string>) =>
      token(idp, { grant_type: "client_credentials", scope: "api:read", ...extra }, SERVICE_AUTH);

    const forResource = await request({ resource: EXAMPLE_RESOURCE });
    assert.equal(forResource.status, 200);
    const claims = await accessTokenClaims(idp, str(forResource.body.access_token));
    assert.equal(claims.aud, EXAMPLE_RESOURCE);
    assert.equal(claims.client_id, "demo-service");
    assert.equal(claims.scope, "api:read");
    assert.equal(claims.header.alg, "RS256");

    const forAudience = await request({ audience: "https://auth0-style.example/api" });
    assert.equal(forAudience.status, 200);
    assert.equal(
      (await accessTokenClaims(idp, str(forAudience.body.access_token))).aud,
      "https://auth0-style.example/api",
    );

    const loopback = await request({ resource: "http://127.0.0.1:8080/api" });
    assert.equal(
      (await accessTokenClaims(idp, str(loopback.body.access_token))).aud,
      "http://127.0.0.1:8080/api",
    );

    const plain = await request({});
    assert.equal(plain.status, 200);
    assert.equal(isJwt(str(plain.body.access_token)), false);
  });
});

Deno.test("a resource that is neither https nor loopback http is refused with invalid_target", async () => {
  await withProvider({}, async (idp) => {
    for (const resource of ["http://api.example.com/", "urn:example:api"]) {
      const refused = await token(
        idp,
        { grant_type: "client_credentials", resource },
        SERVICE_AUTH,
      );
      assert.equal(refused.status, 400, resource);
      assert.deepEqual(refused.body, {
        error: "invalid_target",
        error_description: "resource must be an https URL, or an http URL on a loopback host",
      });
    }
    const notUri = await token(
      idp,
      { grant_type: "client_credentials", audience: "my-api" },
      SERVICE_AUTH,
    );
    assert.equal(notUri.body.error, "invalid_target");
  });
});

Deno.test("device flow with resource and DPoP: a JWT with that aud and cnf.jkt, and so is the refreshed token", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const { keyPair, jkt } = await dpopKey();
    const client: oauth.Client = { client_id: "demo-dpop" };
    const DPoP = oauth.DPoP(client, keyPair);
    const { as, response } = await deviceLogin(idp, "demo-dpop", {
      scope: "openid offline_access api:read",
      resource: EXAMPLE_RESOURCE,
    }, { DPoP });
    const tokens = await oauth.processDeviceCodeResponse(as, client, response);
    assert.equal(tokens.token_type, "dpop");
    const claims = await accessTokenClaims(idp, tokens.access_token);
    assert.equal(claims.aud, EXAMPLE_RESOURCE);
    assert.equal(claims.sub, "alice");
    assert.equal(claims.scope, "api:read");
    assert.deepEqual(claims.cnf, { jkt });

    // The refresh names no resource: the granted one is used (useGrantedResource).
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), str(tokens.refresh_token), {
        ...INSECURE,
        DPoP,
      }),
    );
    const refreshedClaims = await accessTokenClaims(idp, refreshed.access_token);
    assert.equal(refreshedClaims.aud, EXAMPLE_RESOURCE);
    assert.deepEqual(refreshedClaims.cnf, { jkt });
  });
});

Deno.test("device flow with Auth0's audience: the access token's aud is the audience", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const { as, client, response } = await deviceLogin(idp, "demo-cli", {
      scope: "openid api:write",
      audience: "https://auth0-style.example/api",
    });
    const tokens = await oauth.processDeviceCodeResponse(as, client, response);
    assert.equal(tokens.token_type, "bearer");
    const claims = await accessTokenClaims(idp, tokens.access_token);
    assert.equal(claims.aud, "https://auth0-style.example/api");
    assert.equal(claims.scope, "api:write");
    assert.equal(claims.cnf, undefined);
  });
});

Deno.test("authorization code with audience only at the authorization request (as with Auth0): a JWT for it, and an ID token", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const { as, client, response } = await codeLogin(idp, "demo-cli", {
      scope: "openid api:read",
      audience: EXAMPLE_RESOURCE,
    }, { pushed: true });
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    assert.equal((await accessTokenClaims(idp, tokens.access_token)).aud, EXAMPLE_RESOURCE);
    assert.equal(oauth.getValidatedIdTokenClaims(tokens)?.sub, "alice");
  });
});

Deno.test("authorization code with resource at both requests (RFC 8707); a resource not granted is refused", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const granted = await codeLogin(idp, "demo-cli", {
      scope: "openid api:read",
      resource: EXAMPLE_RESOURCE,
    }, { tokenOptions: { additionalParameters: { resource: EXAMPLE_RESOURCE } } });
    const tokens = await oauth.processAuthorizationCodeResponse(
      granted.as,
      granted.client,
      granted.response,
    );
    assert.equal((await accessTokenClaims(idp, tokens.access_token)).aud, EXAMPLE_RESOURCE);

    const other = await codeLogin(idp, "demo-cli", {
      scope: "openid api:read",
      resource: EXAMPLE_RESOURCE,
    }, { tokenOptions: { additionalParameters: { audience: "https://other.example/" } } });
    assert.equal(other.response.status, 400);
    assert.equal((await other.response.json()).error, "invalid_target");
  });
});
