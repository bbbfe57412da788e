/**
 * The Google preset's behaviours one by one (flows/presets/google.ts, google_wire.ts): where it
 * may point, which `iss` it accepts, the scope it sends, the answers its transport rewrites,
 * the hints it gives. The CLI runs against the imitation are in google_test.ts.
 */

import assert from "node:assert/strict";
import { ClauthError } from "../../errors.ts";
import { google, GOOGLE_ISSUER, withoutOfflineAccess } from "../../flows/presets/google.ts";
import { googleErrorHint, googleTransport } from "../../flows/presets/google_wire.ts";
import { makeCliHome, runClauth } from "../helpers/cli.ts";

Deno.test("google.locate() is Google's issuer, or a loopback one (a local imitation), nothing else", () => {
  assert.deepEqual(google.locate({}), { issuer: GOOGLE_ISSUER, discovery: true });
  assert.equal(google.locate({ issuer: "https://accounts.google.com/" }).issuer, GOOGLE_ISSUER);
  assert.equal(google.locate({ issuer: "http://127.0.0.1:8080" }).issuer, "http://127.0.0.1:8080");
  for (const issuer of ["https://login.example.com", "https://accounts.google.com.example"]) {
    assert.throws(() => google.locate({ issuer }), (error: unknown) => {
      assert.ok(error instanceof ClauthError);
      assert.equal(error.code, "usage");
      assert.equal(error.setting, "issuer");
      return true;
    });
  }
});

Deno.test("clauth --provider google --issuer refuses a server that is not Google (exit 2)", async () => {
  const home = await makeCliHome();
  const result = await runClauth([
    "--provider",
    "google",
    "--issuer",
    "https://login.example.com",
    "--client-id",
    "x",
    "login",
  ], { env: home.env });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /The Google preset talks to https:\/\/accounts\.google\.com only/);
});

Deno.test("google's expectedIssuer accepts accounts.google.com for Google's issuer, and leaves every other iss to the issuer check", () => {
  const expected = google.behaviour.expectedIssuer!;
  assert.equal(expected({ iss: "accounts.google.com" }, GOOGLE_ISSUER), "accounts.google.com");
  assert.equal(
    expected({ iss: "accounts.google.com" }, "http://127.0.0.1:8080"),
    "accounts.google.com",
    "a local imitation of Google",
  );
  assert.equal(
    expected({ iss: "accounts.google.com" }, "https://login.example.com"),
    undefined,
    "another issuer's tokens must name it",
  );
  for (
    const iss of ["https://accounts.google.com", "accounts.google.com.example", "", 1, undefined]
  ) {
    assert.equal(expected({ iss }, GOOGLE_ISSUER), undefined, `iss ${String(iss)}: the issuer`);
  }
});

Deno.test("google's scope drops offline_access only", () => {
  assert.equal(withoutOfflineAccess("openid offline_access email"), "openid email");
  assert.equal(withoutOfflineAccess("openid  email"), "openid email");
  assert.equal(withoutOfflineAccess("offline_access"), undefined);
  assert.equal(withoutOfflineAccess(undefined), undefined);
  assert.deepEqual(google.behaviour.authorizationParameters, { access_type: "offline" });
  assert.ok(google.behaviour.publicClientSecret, "a Desktop client's secret may be configured");
});

/** A fetch that answers every request with `status` and the JSON `body`. */
function answering(status: number, body: unknown): typeof fetch {
  return () => Promise.resolve(Response.json(body, { status }));
}

Deno.test("google's transport turns a revocation's invalid_token into RFC 7009's 200, and nothing else", async () => {
  const invalid = { error: "invalid_token", error_description: "Token expired or revoked" };
  const revoke = "https://oauth2.googleapis.com/revoke";
  const done = await googleTransport(answering(400, invalid))(revoke, { method: "POST" });
  assert.equal(done.status, 200);
  const other = await googleTransport(answering(400, { error: "invalid_request" }))(revoke);
  assert.equal(other.status, 400, "other refusals stay refusals");
  assert.equal((await other.json()).error, "invalid_request");
  const token = await googleTransport(answering(400, invalid))(
    "https://oauth2.googleapis.com/token",
  );
  assert.equal(token.status, 400, "only the revocation endpoint's");
  await token.body?.cancel();
});

Deno.test("google's transport turns 'client_secret is missing.' into invalid_client, Google's words kept", async () => {
  const missing = { error: "invalid_request", error_description: "client_secret is missing." };
  const answer = await googleTransport(answering(400, missing))(
    "https://oauth2.googleapis.com/token",
  );
  assert.equal(answer.status, 400);
  assert.deepEqual(await answer.json(), {
    error: "invalid_client",
    error_description: "client_secret is missing.",
  });
  const big = { error: "invalid_token", padding: "x".repeat(20_000) };
  const large = await googleTransport(answering(400, big))("https://oauth2.googleapis.com/revoke");
  assert.equal(large.status, 400, "a body too large to be Google's error is left alone");
  await large.body?.cancel();
});

Deno.test("google's transport gives the token endpoint's 403 and 428 errors RFC 6749's 400", async () => {
  const token = "https://oauth2.googleapis.com/token";
  for (const [status, error] of [[428, "authorization_pending"], [403, "slow_down"]] as const) {
    const answer = await googleTransport(answering(status, { error }))(token, { method: "POST" });
    assert.equal(answer.status, 400, error);
    assert.deepEqual(await answer.json(), { error });
  }
  const userinfo = await googleTransport(answering(403, { error: "insufficient_scope" }))(
    "https://openidconnect.googleapis.com/v1/userinfo",
  );
  assert.equal(userinfo.status, 403, "other endpoints keep their status");
  await userinfo.body?.cancel();
});

Deno.test("google's errorHint explains Google's refusals and nothing else", () => {
  assert.match(
    googleErrorHint(
      "The token endpoint refused the request: invalid_client (client_secret is missing.), HTTP 400.",
    )!,
    /must send their client secret, even with PKCE/,
  );
  assert.equal(
    googleErrorHint("The token endpoint refused the request: invalid_scope, HTTP 400."),
    undefined,
    "a scope refused outside the device flow has no device advice",
  );
  assert.equal(
    googleErrorHint("No answer from https://oauth2.googleapis.com within 30 s."),
    undefined,
  );
});
