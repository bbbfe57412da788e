import assert from "node:assert/strict";
import * as oauth from "oauth4webapi";
import {
  EXCHANGE_GRANT,
  introspect,
  postForm,
  SERVICE_AUTH,
  str,
  withProvider,
} from "../helpers/dev_provider.ts";
import { deviceLogin, discover, dpopKey, handMadeProof, INSECURE } from "./_oauth.ts";

const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/** POSTs a form to the token endpoint with these headers; the JSON answer and the headers. */
async function tokenRequest(
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string>,
) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

Deno.test("demo-dpop: token requests without a DPoP proof are refused (device code, refresh, token exchange), with one every token is bound", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    assert.deepEqual(idp.clients.dpop, { client_id: "demo-dpop" });
    const { keyPair, jkt } = await dpopKey();
    const { as, client, deviceCode, response } = await deviceLogin(idp, "demo-dpop", {
      scope: "openid offline_access api:read",
    });
    // The code is approved: only the missing proof stands in the way.
    assert.equal(response.status, 400);
    assert.equal((await response.json()).error, "invalid_grant");

    const DPoP = oauth.DPoP(client, keyPair);
    const tokens = await oauth.processDeviceCodeResponse(
      as,
      client,
      await oauth.deviceCodeGrantRequest(as, client, oauth.None(), deviceCode, {
        ...INSECURE,
        DPoP,
      }),
    );
    assert.equal(tokens.token_type, "dpop");
    const introspected = await introspect(idp, tokens.access_token);
    assert.equal(introspected.body.active, true);
    assert.deepEqual(introspected.body.cnf, { jkt });

    const refreshToken = str(tokens.refresh_token);
    const bareRefresh = await oauth.refreshTokenGrantRequest(
      as,
      client,
      oauth.None(),
      refreshToken,
      INSECURE,
    );
    assert.equal(bareRefresh.status, 400);
    assert.equal((await bareRefresh.json()).error, "invalid_grant");
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, {
        ...INSECURE,
        DPoP,
      }),
    );
    assert.equal(refreshed.token_type, "dpop");

    const exchange = {
      subject_token: refreshed.access_token,
      subject_token_type: ACCESS_TOKEN_TYPE,
      scope: "api:read",
    };
    const bareExchange = await oauth.genericTokenEndpointRequest(
      as,
      client,
      oauth.None(),
      EXCHANGE_GRANT,
      exchange,
      INSECURE,
    );
    assert.equal(bareExchange.status, 400);
    assert.equal((await bareExchange.json()).error, "invalid_grant");
    const exchanged = await oauth.processGenericTokenEndpointResponse(
      as,
      client,
      await oauth.genericTokenEndpointRequest(as, client, oauth.None(), EXCHANGE_GRANT, exchange, {
        ...INSECURE,
        DPoP,
      }),
    );
    assert.equal(exchanged.token_type, "dpop");
    assert.deepEqual((await introspect(idp, exchanged.access_token)).body.cnf, { jkt });
  });
});

Deno.test("DPoP is voluntary for demo-service: a proof gets a DPoP token bound to its key, none a Bearer token", async () => {
  await withProvider({}, async (idp) => {
    const as = await discover(idp);
    assert.ok(as.dpop_signing_alg_values_supported?.includes("ES256"));
    const client: oauth.Client = { client_id: "demo-service" };
    const auth = oauth.ClientSecretBasic("demo-service-secret");
    const { keyPair, jkt } = await dpopKey();

    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      auth,
      { scope: "api:read" },
      { ...INSECURE, DPoP: oauth.DPoP(client, keyPair) },
    );
    // Without dpopNonce the provider neither asks for nonces nor hands them out.
    assert.equal(response.headers.get("dpop-nonce"), null);
    const bound = await oauth.processClientCredentialsResponse(as, client, response);
    assert.equal(bound.token_type, "dpop");
    assert.deepEqual((await introspect(idp, bound.access_token)).body.cnf, { jkt });

    const bearer = await oauth.processClientCredentialsResponse(
      as,
      client,
      await oauth.clientCredentialsGrantRequest(as, client, auth, { scope: "api:read" }, INSECURE),
    );
    assert.equal(bearer.token_type, "bearer");
    assert.equal((await introspect(idp, bearer.access_token)).body.cnf, undefined);
  });
});

Deno.test("the token endpoint refuses a replayed DPoP proof, and proofs for another URL or method", async () => {
  await withProvider({}, async (idp) => {
    const tokenUrl = `${idp.issuer}/token`;
    const { keyPair } = await dpopKey();
    const request = (dpop: string) =>
      tokenRequest(tokenUrl, { grant_type: "client_credentials", scope: "api:read" }, {
        authorization: SERVICE_AUTH,
        dpop,
      });

    const proof = await handMadeProof(keyPair, tokenUrl);
    const first = await request(proof);
    assert.equal(first.status, 200);
    assert.equal(first.body.token_type, "DPoP");
    const replayed = await request(proof);
    assert.equal(replayed.status, 400);
    assert.deepEqual(replayed.body, {
      error: "invalid_grant",
      error_description: "grant request is invalid",
    });

    const otherUrl = await request(await handMadeProof(keyPair, `${idp.issuer}/token/other`));
    assert.equal(otherUrl.status, 400);
    assert.deepEqual(otherUrl.body, {
      error: "invalid_dpop_proof",
      error_description: "DPoP proof htu mismatch",
    });
    const otherMethod = await request(await handMadeProof(keyPair, tokenUrl, { htm: "GET" }));
    assert.equal(otherMethod.status, 400);
    assert.deepEqual(otherMethod.body, {
      error: "invalid_dpop_proof",
      error_description: "DPoP proof htm mismatch",
    });

    // A fresh proof from the same key is fine: the refusals were about the proofs.
    assert.equal((await request(await handMadeProof(keyPair, tokenUrl))).status, 200);
  });
});

Deno.test("a DPoP-bound token of demo-cli works at userinfo with a proof, not as a Bearer token", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const { keyPair } = await dpopKey();
    const client: oauth.Client = { client_id: "demo-cli" };
    const DPoP = oauth.DPoP(client, keyPair);
    const { as, response } = await deviceLogin(idp, "demo-cli", { scope: "openid api:read" }, {
      DPoP,
    });
    const tokens = await oauth.processDeviceCodeResponse(as, client, response);
    assert.equal(tokens.token_type, "dpop");

    const asBearer = await fetch(str(as.userinfo_endpoint), {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    await asBearer.body?.cancel();
    assert.equal(asBearer.status, 401);
    const userinfo = await oauth.userInfoRequest(as, client, tokens.access_token, {
      ...INSECURE,
      DPoP,
    });
    assert.equal(userinfo.status, 200);
    assert.equal((await userinfo.json()).sub, "alice");
  });
});

Deno.test("dpopNonce: a proof without a nonce gets use_dpop_nonce and a DPoP-Nonce header; the retry with it succeeds", async () => {
  await withProvider({ dpopNonce: true }, async (idp) => {
    const tokenUrl = `${idp.issuer}/token`;
    const { keyPair } = await dpopKey();
    const request = async (nonce?: string) =>
      tokenRequest(tokenUrl, { grant_type: "client_credentials" }, {
        authorization: SERVICE_AUTH,
        dpop: await handMadeProof(keyPair, tokenUrl, nonce === undefined ? {} : { nonce }),
      });

    const first = await request();
    assert.equal(first.status, 400);
    assert.deepEqual(first.body, {
      error: "use_dpop_nonce",
      error_description: "nonce is required in the DPoP proof",
    });
    const nonce = str(first.headers.get("dpop-nonce"));
    const retried = await request(nonce);
    assert.equal(retried.status, 200);
    assert.equal(retried.body.token_type, "DPoP");

    const wrong = await request(`${nonce}x`);
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error, "use_dpop_nonce");

    // oauth4webapi's handle remembers the nonce from the refusal, as clauth's retry relies on.
    const as = await discover(idp);
    const client: oauth.Client = { client_id: "demo-service" };
    const auth = oauth.ClientSecretBasic("demo-service-secret");
    const options = { ...INSECURE, DPoP: oauth.DPoP(client, keyPair) };
    const refusal = await oauth
      .processClientCredentialsResponse(
        as,
        client,
        await oauth.clientCredentialsGrantRequest(as, client, auth, {}, options),
      )
      .catch((error: unknown) => error);
    assert.ok(oauth.isDPoPNonceError(refusal), String(refusal));
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      client,
      await oauth.clientCredentialsGrantRequest(as, client, auth, {}, options),
    );
    assert.equal(tokens.token_type, "dpop");
  });
});

Deno.test("dpopNonce: the PAR endpoint asks for a nonce in DPoP proofs too", async () => {
  await withProvider({ dpopNonce: true }, async (idp) => {
    const parUrl = `${idp.issuer}/request`;
    const { keyPair } = await dpopKey();
    const fields = {
      client_id: "demo-cli",
      redirect_uri: "http://127.0.0.1/callback",
      response_type: "code",
      scope: "openid",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbifYcjxXPkS",
      code_challenge_method: "S256",
    };
    const first = await tokenRequest(parUrl, fields, {
      dpop: await handMadeProof(keyPair, parUrl),
    });
    assert.equal(first.status, 400);
    assert.equal(first.body.error, "use_dpop_nonce");
    const nonce = str(first.headers.get("dpop-nonce"));
    const retried = await tokenRequest(parUrl, fields, {
      dpop: await handMadeProof(keyPair, parUrl, { nonce }),
    });
    assert.equal(retried.status, 201);
    assert.match(str(retried.body.request_uri), /^urn:ietf:params:oauth:request_uri:/);

    // A PAR request without any proof needs no nonce.
    const plain = await postForm(parUrl, fields);
    assert.equal(plain.status, 201);
  });
});
