import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { ClauthError } from "../../../errors.ts";
import { validateCallback } from "../../../flows/grants/authorization_response.ts";
import { type ClientSettings, createClient } from "../../../flows/protocol/client.ts";
import { clientCredentialsFlow } from "../../../flows/grants/client_credentials.ts";
import { discover } from "../../../flows/protocol/discovery.ts";
import { parsePrivateKey } from "../../../flows/tokens/private_key.ts";
import { refreshFlow } from "../../../flows/grants/refresh.ts";
import { tokenExchangeFlow } from "../../../flows/grants/token_exchange.ts";
import { fetchUserInfo } from "../../../flows/protocol/userinfo.ts";
import { fakeFetch, json, metadata, type Route } from "../../helpers/fake_fetch.ts";

const ISSUER = "https://as.example";
const OIDC = `GET ${ISSUER}/.well-known/openid-configuration`;
const TOKEN = `POST ${ISSUER}/token`;

async function clientWith(
  token: Route,
  settings: Partial<ClientSettings> = { clientSecret: "s3cret" },
  extra: Record<string, unknown> = {},
) {
  const fake = fakeFetch({
    [OIDC]: () => json(metadata(ISSUER, { userinfo_endpoint: `${ISSUER}/me`, ...extra })),
    [TOKEN]: token,
    [`GET ${ISSUER}/me`]: () =>
      new Response(null, {
        status: 401,
        headers: { "www-authenticate": 'Bearer error="invalid_token"' },
      }),
  });
  return await createClient(
    { issuer: ISSUER, clientId: "my-cli", ...settings },
    { fetch: fake.fetch, timeoutMs: 100 },
  );
}

/** The ClauthError `promise` rejects with. */
async function failure(promise: Promise<unknown>): Promise<ClauthError> {
  const error = await promise.then(() => undefined, (e) => e);
  assert.ok(error instanceof ClauthError, `expected a ClauthError, got ${error}`);
  return error;
}

/** The structured fields of an error, for one deepEqual. */
const fields = ({ code, oauthError, status, endpoint, setting }: ClauthError) => ({
  code,
  oauthError,
  status,
  endpoint,
  setting,
});

Deno.test("ClauthError keeps the structured fields it is given and has none it is not", () => {
  const bare = new ClauthError("usage", "Bad.");
  assert.deepEqual(Object.keys(bare).sort(), ["code", "name"]);
  assert.equal(bare.cause, undefined);
  const full = new ClauthError("server", "Refused.", {
    cause: "why",
    oauthError: "custom_error",
    status: 400,
    endpoint: "par",
    setting: "scope",
    // exactOptionalPropertyTypes: undefined counts as not given
  });
  assert.deepEqual(fields(full), {
    code: "server",
    oauthError: "custom_error",
    status: 400,
    endpoint: "par",
    setting: "scope",
  });
  assert.equal(full.cause, "why");
  assert.equal(
    Object.hasOwn(new ClauthError("usage", "x", { status: undefined }), "status"),
    false,
  );
});

Deno.test("a 401 invalid_client from the token endpoint carries status, endpoint, OAuth error and the secret as setting", async () => {
  const client = await clientWith(() => json({ error: "invalid_client" }, 401), undefined, {
    token_endpoint_auth_methods_supported: ["client_secret_basic"],
  });
  const error = await failure(clientCredentialsFlow(client));
  assert.deepEqual(fields(error), {
    code: "invalid_client",
    oauthError: "invalid_client",
    status: 401,
    endpoint: "token",
    setting: "client_secret",
  });
  assert.match(
    error.message,
    /^The token endpoint refused the request: invalid_client, HTTP 401\./,
  );
});

Deno.test("a bodiless 401 after the client_secret_post retry is still a refused client secret", async () => {
  const client = await clientWith(() => new Response(null, { status: 401 }));
  const error = await failure(clientCredentialsFlow(client));
  assert.deepEqual(fields(error), {
    code: "invalid_client",
    oauthError: undefined,
    status: 401,
    endpoint: "token",
    setting: "client_secret",
  });
  assert.match(error.message, /^The server refused the client \(HTTP 401, no OAuth error/);
});

Deno.test("a refused private_key_jwt client names the private key; a refused public client its id", async () => {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const pem = privateKey.export({ format: "pem", type: "pkcs8" }) as string;
  const signed = await clientWith(() => json({ error: "invalid_client" }, 401), {
    privateKey: await parsePrivateKey(pem, "key.pem"),
  });
  assert.equal((await failure(clientCredentialsFlow(signed))).setting, "private_key");

  const unauthorized = () => json({ error: "unauthorized_client" }, 400);
  const publicClient = await clientWith(unauthorized, {});
  const error = await failure(refreshFlow(publicClient, "refresh-1"));
  assert.deepEqual(fields(error), {
    code: "invalid_client",
    oauthError: "unauthorized_client",
    status: 400,
    endpoint: "token",
    setting: "client_id",
  });
});

Deno.test("a missing secret or key is a usage error naming the setting, before any request", async () => {
  const post = await clientWith(() => json({}), { configuredMethod: "client_secret_post" });
  const secret = await failure(clientCredentialsFlow(post));
  assert.deepEqual(fields(secret), {
    code: "usage",
    oauthError: undefined,
    status: undefined,
    endpoint: "token",
    setting: "client_secret",
  });
  assert.match(secret.message, /client_secret_post client authentication needs a client secret/);

  const jwt = await clientWith(() => json({}), { configuredMethod: "private_key_jwt" });
  const key = await failure(clientCredentialsFlow(jwt));
  assert.equal(key.setting, "private_key");
  assert.match(key.message, /private_key_jwt client authentication needs a private key/);
});

Deno.test("invalid_scope names the scope; other OAuth errors keep the server's code as given", async () => {
  const scoped = await clientWith(() => json({ error: "invalid_scope" }, 400));
  assert.deepEqual(fields(await failure(clientCredentialsFlow(scoped, { scope: "nope" }))), {
    code: "usage",
    oauthError: "invalid_scope",
    status: 400,
    endpoint: "token",
    setting: "scope",
  });
  const odd = await clientWith(() => json({ error: "server_busy" }, 400));
  assert.deepEqual(fields(await failure(clientCredentialsFlow(odd))), {
    code: "server",
    oauthError: "server_busy",
    status: 400,
    endpoint: "token",
    setting: undefined,
  });
});

Deno.test("a request timeout names the timeout setting and the endpoint that did not answer", async () => {
  const { fetch } = fakeFetch({ [OIDC]: () => json(metadata(ISSUER)) });
  const hanging = (input: string | URL | Request, init?: RequestInit) =>
    String(input).endsWith("/token")
      ? new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal!.reason))
      )
      : fetch(input, init);
  const client = await createClient(
    { issuer: ISSUER, clientId: "my-cli", clientSecret: "s3cret" },
    { fetch: hanging, timeoutMs: 100 },
  );
  const error = await failure(clientCredentialsFlow(client));
  assert.deepEqual(fields(error), {
    code: "network",
    oauthError: undefined,
    status: undefined,
    endpoint: "token",
    setting: "timeout",
  });
  assert.match(
    error.message,
    /within 0\.1 s\. Check the network, or allow a longer request timeout\./,
  );
});

Deno.test("discover() names the issuer setting when the document names another issuer", async () => {
  const { fetch } = fakeFetch({ [OIDC]: () => json(metadata("https://other.example")) });
  const error = await failure(discover(ISSUER, { deps: { fetch } }));
  assert.deepEqual(fields(error), {
    code: "usage",
    oauthError: undefined,
    status: 200,
    endpoint: "discovery",
    setting: "issuer",
  });
  assert.match(error.message, /If you trust this server, use the exact issuer it names\./);
});

Deno.test("fetchUserInfo() reports the challenge's error, status and endpoint", async () => {
  const client = await clientWith(() => json({}));
  const error = await failure(fetchUserInfo(client, "access-1"));
  assert.deepEqual(fields(error), {
    code: "server",
    oauthError: "invalid_token",
    status: 401,
    endpoint: "userinfo",
    setting: undefined,
  });
});

Deno.test("tokenExchangeFlow() names the inactive token: the subject, or the actor when the server says so", async () => {
  const inactive = (description: string) => () =>
    json({ error: "invalid_grant", error_description: description }, 400);
  const subject = await clientWith(inactive("token expired"));
  const error = await failure(tokenExchangeFlow(subject, { subjectToken: "s" }));
  assert.deepEqual(fields(error), {
    code: "server",
    oauthError: "invalid_grant",
    status: 400,
    endpoint: "token",
    setting: "subject_token",
  });
  assert.match(
    error.message,
    /^The subject token is not active .*: invalid_grant \(token expired\), HTTP 400\.$/,
  );

  const actor = await clientWith(inactive("actor_token is invalid"));
  const request = tokenExchangeFlow(actor, { subjectToken: "s", actorToken: "a" });
  const actorError = await failure(request);
  assert.equal(actorError.setting, "actor_token");
  assert.match(actorError.message, /^The actor token is not active/);
});

Deno.test("validateCallback() tells iss, state and server errors apart without reading messages", async () => {
  const client = await clientWith(() => json({}), {}, {
    authorization_response_iss_parameter_supported: true,
  });
  const check = (query: string) => {
    try {
      validateCallback(client, new URL(`http://127.0.0.1/callback?${query}`), "s1");
    } catch (error) {
      assert.ok(error instanceof ClauthError);
      return error;
    }
    assert.fail(`accepted ${query}`);
  };
  const iss = `iss=${encodeURIComponent(ISSUER)}`;
  assert.match(check("code=c&state=s1").message, /has no iss parameter/);
  assert.match(check("code=c&state=s1&iss=https%3A%2F%2Fevil.example").message, /another issuer/);
  assert.match(check(`code=c&state=s1&${iss}&${iss}`).message, /another issuer/);
  for (
    const query of [`code=c&state=s2&${iss}`, `code=c&${iss}`, `code=c&state=s1&state=s1&${iss}`]
  ) {
    const error = check(query);
    assert.equal(error.code, "usage", query);
    assert.match(error.message, /does not belong to this login/);
  }
  const denied = check(`error=access_denied&state=s1&${iss}`);
  assert.deepEqual(fields(denied), {
    code: "denied",
    oauthError: "access_denied",
    status: undefined,
    endpoint: "authorization",
    setting: undefined,
  });
  assert.equal(
    validateCallback(client, new URL(`http://x/?code=c&state=s1&${iss}`), "s1").get("code"),
    "c",
  );
});
