import assert from "node:assert/strict";
import * as oauth from "oauth4webapi";
import { callbackListener, pkcePair, withProvider } from "../helpers/dev_provider.ts";
import { codeLogin, discover, dpopKey } from "./_oauth.ts";

Deno.test("demo-par: a plain authorization request is refused with invalid_request at the redirect_uri", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    assert.deepEqual(idp.clients.par, { client_id: "demo-par" });
    const listener = callbackListener();
    try {
      const { challenge } = await pkcePair();
      const url = new URL(`${idp.issuer}/auth`);
      url.search = new URLSearchParams({
        client_id: "demo-par",
        redirect_uri: listener.redirectUri,
        response_type: "code",
        scope: "openid",
        code_challenge: challenge,
        code_challenge_method: "S256",
        state: "state-123",
      }).toString();
      const response = await fetch(url, { redirect: "manual" });
      await response.body?.cancel();
      assert.equal(response.status, 303);
      const location = new URL(response.headers.get("location") ?? "");
      assert.equal(`${location.origin}${location.pathname}`, listener.redirectUri);
      assert.equal(location.searchParams.get("error"), "invalid_request");
      assert.equal(
        location.searchParams.get("error_description"),
        "Pushed Authorization Request must be used",
      );
      assert.equal(location.searchParams.get("state"), "state-123");
    } finally {
      await listener.close();
    }
  });
});

Deno.test("demo-par: a pushed authorization request, then its request_uri, logs alice in", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const { as, client, response } = await codeLogin(idp, "demo-par", {
      scope: "openid api:read",
    }, { pushed: true });
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    assert.equal(tokens.token_type, "bearer");
    assert.equal(tokens.scope, "openid api:read");
    assert.equal(oauth.getValidatedIdTokenClaims(tokens)?.sub, "alice");
    assert.equal(idp.counts["pushed_authorization_request"], 1);
  });
});

Deno.test("PAR stays optional for demo-cli and is advertised; a DPoP proof at PAR binds the code", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const as = await discover(idp);
    assert.equal(as.pushed_authorization_request_endpoint, `${idp.issuer}/request`);
    assert.notEqual(as.require_pushed_authorization_requests, true);

    const plain = await codeLogin(idp, "demo-cli", { scope: "openid" });
    assert.equal(plain.response.status, 200);

    // RFC 9449 §10.1: the proof at PAR binds the code to the key (dpop_jkt), so the code
    // exchange needs a proof from the same key.
    const { keyPair } = await dpopKey();
    const client: oauth.Client = { client_id: "demo-cli" };
    const DPoP = oauth.DPoP(client, keyPair);
    const pushedWithProof = await codeLogin(idp, "demo-cli", { scope: "openid" }, {
      pushed: true,
      parOptions: { DPoP },
      tokenOptions: { DPoP },
    });
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      pushedWithProof.response,
    );
    assert.equal(tokens.token_type, "dpop");

    const pushedNoProofAtToken = await codeLogin(idp, "demo-cli", { scope: "openid" }, {
      pushed: true,
      parOptions: { DPoP: oauth.DPoP(client, keyPair) },
    });
    assert.equal(pushedNoProofAtToken.response.status, 400);
    assert.equal((await pushedNoProofAtToken.response.json()).error, "invalid_grant");
    assert.equal(idp.counts["pushed_authorization_request"], 2);
  });
});
