import assert from "node:assert/strict";
import type { DevProvider } from "../../dev/provider.ts";
import {
  ACCESS_TOKEN_TYPE,
  aliceToken,
  EXCHANGE_GRANT,
  introspect,
  postForm,
  SERVICE_AUTH,
  str,
  token,
  withProvider,
} from "../helpers/dev_provider.ts";
import { GITHUB_SUBJECT, startGitHubOidc } from "../helpers/github_oidc.ts";

async function serviceToken(idp: DevProvider): Promise<string> {
  const { body } = await token(
    idp,
    { grant_type: "client_credentials", scope: "api:read" },
    SERVICE_AUTH,
  );
  return str(body.access_token);
}

function exchange(
  idp: DevProvider,
  fields: Record<string, string | string[]>,
  auth = SERVICE_AUTH,
) {
  return token(idp, { grant_type: EXCHANGE_GRANT, ...fields }, auth);
}

Deno.test("token exchange narrows the scope and records the actor (delegation)", async () => {
  await withProvider({ autoApprove: true, deviceInterval: 0 }, async (idp) => {
    const subject = await aliceToken(idp);
    const actor = await serviceToken(idp);
    const { status, body } = await exchange(idp, {
      subject_token: subject,
      subject_token_type: ACCESS_TOKEN_TYPE,
      actor_token: actor,
      actor_token_type: ACCESS_TOKEN_TYPE,
      scope: "api:read",
      audience: ["https://api.example", "https://other.example"],
    });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.issued_token_type, ACCESS_TOKEN_TYPE);
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.scope, "api:read");
    assert.equal(typeof body.expires_in, "number");

    const info = await introspect(idp, str(body.access_token));
    assert.equal(info.body.active, true);
    assert.equal(info.body.sub, "alice");
    assert.equal(info.body.client_id, "demo-service");
    assert.equal(info.body.scope, "api:read");
    assert.deepEqual(info.body.act, { sub: "demo-service" });
    assert.deepEqual(info.body.aud, ["https://api.example", "https://other.example"]);
    assert.equal(idp.counts[EXCHANGE_GRANT], 1);
  });
});

Deno.test("token exchange without actor or scope keeps the subject's scope the client may hold", async () => {
  await withProvider({ autoApprove: true, deviceInterval: 0 }, async (idp) => {
    const subject = await aliceToken(idp);
    const { status, body } = await exchange(idp, {
      subject_token: subject,
      subject_token_type: ACCESS_TOKEN_TYPE,
      audience: "https://api.example",
    });
    assert.equal(status, 200);
    // demo-service may not hold openid.
    assert.equal(body.scope, "api:read api:write");
    const info = await introspect(idp, str(body.access_token));
    assert.equal(info.body.act, undefined);
    assert.equal(info.body.aud, "https://api.example");
  });
});

Deno.test("token exchange by the public client, with the user as actor", async () => {
  await withProvider({ autoApprove: true, deviceInterval: 0 }, async (idp) => {
    const subject = await aliceToken(idp);
    const { status, body } = await token(idp, {
      grant_type: EXCHANGE_GRANT,
      client_id: "demo-cli",
      subject_token: subject,
      subject_token_type: ACCESS_TOKEN_TYPE,
      actor_token: subject,
      actor_token_type: ACCESS_TOKEN_TYPE,
      scope: "openid api:write",
    });
    assert.equal(status, 200, JSON.stringify(body));
    const info = await postForm(`${idp.issuer}/token/introspection`, {
      token: str(body.access_token),
      client_id: "demo-cli",
    });
    assert.equal(info.body.scope, "openid api:write");
    assert.deepEqual(info.body.act, { sub: "alice" });
  });
});

Deno.test("token exchange rejects bad input with the right error codes", async () => {
  await withProvider({ autoApprove: true, deviceInterval: 0 }, async (idp) => {
    const subject = await aliceToken(idp, "openid api:read");

    const unknown = await exchange(idp, {
      subject_token: "nope",
      subject_token_type: ACCESS_TOKEN_TYPE,
    });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error, "invalid_grant");
    assert.equal(unknown.body.error_description, "subject_token is invalid or expired");

    const wrongType = await exchange(idp, {
      subject_token: subject,
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
    });
    assert.equal(wrongType.body.error, "invalid_request");
    assert.match(str(wrongType.body.error_description), /subject_token_type/);

    const missing = await exchange(idp, { subject_token_type: ACCESS_TOKEN_TYPE });
    assert.equal(missing.body.error, "invalid_request");
    assert.match(str(missing.body.error_description), /subject_token/);

    const wider = await exchange(idp, {
      subject_token: subject,
      subject_token_type: ACCESS_TOKEN_TYPE,
      scope: "api:write",
    });
    assert.equal(wider.body.error, "invalid_scope");

    const badActor = await exchange(idp, {
      subject_token: subject,
      subject_token_type: ACCESS_TOKEN_TYPE,
      actor_token: "nope",
      actor_token_type: ACCESS_TOKEN_TYPE,
    });
    assert.equal(badActor.body.error, "invalid_grant");
    assert.equal(badActor.body.error_description, "actor_token is invalid or expired");

    // A revoked subject token can no longer be exchanged.
    const revoke = await fetch(`${idp.issuer}/token/revocation`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: subject, client_id: "demo-cli" }),
    });
    await revoke.body?.cancel();
    const revoked = await exchange(idp, {
      subject_token: subject,
      subject_token_type: ACCESS_TOKEN_TYPE,
    });
    assert.equal(revoked.body.error, "invalid_grant");
    assert.equal(idp.counts[EXCHANGE_GRANT], 6);
  });
});

Deno.test("token exchange accepts a JWT from a trusted issuer as subject or actor, and no other", async () => {
  const github = await startGitHubOidc();
  const impostor = await startGitHubOidc(); // same issuer name, another key
  try {
    await withProvider({ trustedJwtIssuers: [github.trusted()] }, async (idp) => {
      const jwtFrom = async (standIn: typeof github) =>
        str(
          (await (await fetch(standIn.requestUrl, {
            headers: { authorization: `Bearer ${standIn.requestToken}` },
          })).json()).value,
        );
      const subject = await jwtFrom(github);
      const { status, body } = await exchange(idp, {
        subject_token: subject,
        subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
        actor_token: subject,
        actor_token_type: "urn:ietf:params:oauth:token-type:id_token",
      });
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.scope, "api:read api:write", "limited by the client's scope only");
      const info = await introspect(idp, str(body.access_token));
      assert.equal(info.body.sub, GITHUB_SUBJECT);
      assert.deepEqual(info.body.act, { sub: GITHUB_SUBJECT });

      const forged = await exchange(idp, {
        subject_token: await jwtFrom(impostor),
        subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      });
      assert.equal(forged.body.error, "invalid_grant");
      const asAccessToken = await exchange(idp, {
        subject_token: subject,
        subject_token_type: ACCESS_TOKEN_TYPE,
      });
      assert.equal(asAccessToken.body.error, "invalid_grant");
    });
  } finally {
    await github.close();
    await impostor.close();
  }
});
