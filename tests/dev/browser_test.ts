import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import * as oauth from "oauth4webapi";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { followAuthorization } from "../../dev/browser.ts";
import type { DevProvider } from "../../dev/provider.ts";
import { CookieJar, navigate, readForms } from "../../dev/_http.ts";
import { PAGE, pageOf } from "../../dev/_pages.ts";
import {
  authorizationUrl,
  callbackListener,
  introspect,
  pkcePair,
  str,
  token,
  withProvider,
} from "../helpers/dev_provider.ts";

Deno.test("authorization code + PKCE: followAuthorization delivers the code to the loopback listener", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const listener = callbackListener();
    try {
      const issuer = new URL(idp.issuer);
      const as = await oauth.processDiscoveryResponse(
        issuer,
        await oauth.discoveryRequest(issuer, { [oauth.allowInsecureRequests]: true }),
      );
      const client: oauth.Client = { client_id: "demo-cli" };
      const verifier = oauth.generateRandomCodeVerifier();
      const challenge = await oauth.calculatePKCECodeChallenge(verifier);
      const nonce = oauth.generateRandomNonce();

      const result = await followAuthorization(
        authorizationUrl(idp, listener.redirectUri, challenge, { nonce }),
      );
      assert.equal(result.status, 200);
      assert.ok(result.finalUrl.startsWith(`${listener.redirectUri}?`), result.finalUrl);
      assert.equal(listener.received.length, 1);
      const callback = listener.received[0]!;
      assert.equal(callback.searchParams.get("iss"), idp.issuer);

      const params = oauth.validateAuthResponse(as, client, callback, "state-123");
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        oauth.None(),
        params,
        listener.redirectUri,
        verifier,
        { [oauth.allowInsecureRequests]: true },
      );
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
        expectedNonce: nonce,
        requireIdToken: true,
      });
      assert.equal(tokens.scope, "openid profile email offline_access api:read");
      assert.equal(typeof tokens.refresh_token, "string");
      const claims = oauth.getValidatedIdTokenClaims(tokens);
      assert.equal(claims?.sub, "alice");
      assert.equal(claims?.aud, "demo-cli");

      // The ID token verifies against the published keys.
      const jwks = createRemoteJWKSet(new URL(str(as.jwks_uri)));
      const { protectedHeader } = await jwtVerify(str(tokens.id_token), jwks, {
        issuer: idp.issuer,
      });
      assert.equal(protectedHeader.alg, "RS256");

      const userinfo = await fetch(str(as.userinfo_endpoint), {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      assert.deepEqual(await userinfo.json(), {
        sub: "alice",
        name: "Alice Example",
        preferred_username: "alice",
        email: "alice@example.com",
        email_verified: true,
      });
      assert.equal(idp.counts["authorization_code"], 1);
    } finally {
      await listener.close();
    }
  });
});

Deno.test("localhost redirect URIs work too, with any port", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const listener = callbackListener();
    try {
      const port = new URL(listener.redirectUri).port;
      const { challenge } = await pkcePair();
      // The listener is bound to 127.0.0.1; localhost resolves there on this machine.
      const result = await followAuthorization(
        authorizationUrl(idp, `http://localhost:${port}/callback`, challenge),
      );
      assert.equal(result.status, 200);
      assert.ok(listener.received[0]?.searchParams.has("code"));
    } finally {
      await listener.close();
    }
  });
});

Deno.test("PKCE is required for demo-cli", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const listener = callbackListener();
    try {
      const url = new URL(authorizationUrl(idp, listener.redirectUri, "unused"));
      url.searchParams.delete("code_challenge");
      url.searchParams.delete("code_challenge_method");
      const result = await followAuthorization(url.href);
      assert.equal(result.status, 200);
      assert.equal(listener.received[0]?.searchParams.get("error"), "invalid_request");
    } finally {
      await listener.close();
    }
  });
});

async function loginTokens(idp: DevProvider, redirectUri: string, received: URL[]) {
  const { verifier, challenge } = await pkcePair();
  await followAuthorization(authorizationUrl(idp, redirectUri, challenge));
  const code = str(received.at(-1)?.searchParams.get("code"));
  return await token(idp, {
    grant_type: "authorization_code",
    client_id: "demo-cli",
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
  });
}

Deno.test("refresh rotates; reusing a rotated refresh token fails and revokes the grant", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const listener = callbackListener();
    try {
      const first = await loginTokens(idp, listener.redirectUri, listener.received);
      assert.equal(first.status, 200);
      const rt1 = str(first.body.refresh_token);

      const second = await token(idp, {
        grant_type: "refresh_token",
        client_id: "demo-cli",
        refresh_token: rt1,
      });
      assert.equal(second.status, 200);
      const rt2 = str(second.body.refresh_token);
      assert.notEqual(rt2, rt1);
      const at2 = str(second.body.access_token);
      assert.equal((await introspect(idp, at2)).body.active, true);

      const reuse = await token(idp, {
        grant_type: "refresh_token",
        client_id: "demo-cli",
        refresh_token: rt1,
      });
      assert.equal(reuse.status, 400);
      assert.equal(reuse.body.error, "invalid_grant");

      // The whole grant is gone: the newest refresh token and access token too.
      const after = await token(idp, {
        grant_type: "refresh_token",
        client_id: "demo-cli",
        refresh_token: rt2,
      });
      assert.equal(after.body.error, "invalid_grant");
      assert.equal((await introspect(idp, at2)).body.active, false);
      assert.equal(idp.counts["refresh_token"], 3);
    } finally {
      await listener.close();
    }
  });
});

Deno.test("without autoApprove a person signs in and consents on real pages", async () => {
  await withProvider({}, async (idp) => {
    const listener = callbackListener();
    try {
      const jar = new CookieJar();
      const { challenge } = await pkcePair();
      const login = await navigate(authorizationUrl(idp, listener.redirectUri, challenge), {}, {
        jar,
      });
      assert.equal(pageOf(login.text), PAGE.login);
      assert.match(login.text, />Sign in<\/button>/);
      const loginForm = readForms(login.text, login.url).find((f) => f.id === "login-form");
      assert.ok(loginForm);

      const wrong = await navigate(
        loginForm.action,
        { form: new URLSearchParams({ login: "bob", password: "x" }) },
        { jar },
      );
      assert.equal(pageOf(wrong.text), PAGE.login);
      assert.match(wrong.text, /Unknown user/);

      const consent = await navigate(
        loginForm.action,
        { form: new URLSearchParams({ login: "alice", password: "anything" }) },
        { jar },
      );
      assert.equal(pageOf(consent.text), PAGE.consent);
      assert.match(consent.text, /<li>api:read<\/li>/);
      assert.match(consent.text, />Allow<\/button>/);
      assert.match(consent.text, />Deny<\/button>/);
      const allow = readForms(consent.text, consent.url).find((f) => f.id === "consent-form");
      assert.ok(allow);
      const done = await navigate(allow.action, { form: allow.fields }, { jar });
      assert.equal(done.status, 200);
      assert.ok(listener.received[0]?.searchParams.has("code"));

      // Deny on a second authorization ends at the client with access_denied.
      const again = await navigate(
        authorizationUrl(idp, listener.redirectUri, challenge, { state: "second" }),
        {},
        { jar },
      );
      assert.equal(pageOf(again.text), PAGE.consent, "alice is still signed in");
      const deny = readForms(again.text, again.url).find((f) => f.id === "deny-form");
      assert.ok(deny);
      await navigate(deny.action, { form: deny.fields }, { jar });
      assert.equal(listener.received[1]?.searchParams.get("error"), "access_denied");
      assert.equal(listener.received[1]?.searchParams.get("state"), "second");
    } finally {
      await listener.close();
    }
  });
});

Deno.test("browser.ts as a script: exit 0 after delivering the code, 1 when stuck at the provider", async () => {
  const script = fileURLToPath(new URL("../../dev/browser.ts", import.meta.url));
  const run = async (url: string) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-net", script, url],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  };
  const listener = callbackListener();
  try {
    const { challenge } = await pkcePair();
    await withProvider({ autoApprove: true }, async (idp) => {
      const ok = await run(authorizationUrl(idp, listener.redirectUri, challenge));
      assert.equal(ok.code, 0, ok.stderr);
      assert.ok(listener.received[0]?.searchParams.has("code"));
    });
    await withProvider({}, async (idp) => {
      const stuck = await run(authorizationUrl(idp, listener.redirectUri, challenge));
      assert.equal(stuck.code, 1);
      assert.match(stuck.stderr, /auto-approve/);
    });
  } finally {
    await listener.close();
  }
});
