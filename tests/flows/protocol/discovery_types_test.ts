/**
 * discover() checks the type of every metadata field clauth uses, once, right after fetching:
 * a wrong type is refused naming the field, or (for advice clauth can do without) ignored.
 */

import assert from "node:assert/strict";
import { discover } from "../../../flows/protocol/discovery.ts";
import { createClient } from "../../../flows/protocol/client.ts";
import { chooseAuthMethod } from "../../../flows/protocol/client_auth.ts";
import { canRevoke } from "../../../flows/protocol/revocation.ts";
import type { MetadataCache } from "../../../flows/protocol/dependencies.ts";
import { fakeFetch, json, metadata } from "../../helpers/fake_fetch.ts";
import { rejectsWith } from "../../helpers/assertions.ts";
import { profileHome, runClauth } from "../../helpers/cli.ts";

const ISSUER = "https://as.example";
const OIDC = `GET ${ISSUER}/.well-known/openid-configuration`;

function serving(extra: Record<string, unknown>) {
  return fakeFetch({ [OIDC]: () => json(metadata(ISSUER, extra)) });
}

Deno.test("discover() refuses a string id_token_signing_alg_values_supported before any login", async () => {
  const { fetch } = serving({ id_token_signing_alg_values_supported: "RS256" });
  const error = await rejectsWith(
    discover(ISSUER, { deps: { fetch } }),
    "server",
    /^The discovery document of https:\/\/as\.example has id_token_signing_alg_values_supported = "RS256", where an array of strings is required\. The server's metadata is wrong/,
  );
  assert.equal(error.endpoint, "discovery");
});

Deno.test("discover() refuses an algorithm list with a member that is not a string", async () => {
  const { fetch } = serving({ id_token_signing_alg_values_supported: ["RS256", 256] });
  await rejectsWith(
    discover(ISSUER, { deps: { fetch } }),
    "server",
    /id_token_signing_alg_values_supported = \["RS256",256\], where an array of strings/,
  );
});

Deno.test('discover() does not take the string "false" for a boolean', async () => {
  for (
    const field of [
      "require_pushed_authorization_requests",
      "authorization_response_iss_parameter_supported",
    ]
  ) {
    const { fetch } = serving({ [field]: "false" });
    await rejectsWith(
      discover(ISSUER, { deps: { fetch } }),
      "server",
      new RegExp(`has ${field} = "false", where true or false \\(RFC \\d+ §\\d\\) is required`),
    );
  }
  const { fetch } = serving({ require_pushed_authorization_requests: false });
  const as = await discover(ISSUER, { deps: { fetch } });
  assert.equal(as.require_pushed_authorization_requests, false);
});

Deno.test("discover() refuses an endpoint that is not a string, and the profile's own URL wins", async () => {
  const { fetch } = serving({ token_endpoint: { url: "https://as.example/token" } });
  const error = await rejectsWith(
    discover(ISSUER, { deps: { fetch } }),
    "server",
    /has token_endpoint = \{"url":"https:\/\/as\.example\/token"\}, where an absolute URL \(a string\) is required\. .*set "token_endpoint" in the profile\.$/,
  );
  assert.equal(error.setting, "endpoints");
  const as = await discover(ISSUER, {
    deps: { fetch },
    endpoints: { token_endpoint: `${ISSUER}/oauth/token` },
  });
  assert.equal(as.token_endpoint, `${ISSUER}/oauth/token`);
});

Deno.test("discover() refuses a discovered endpoint over plain http, and names the document", async () => {
  const { fetch } = serving({ userinfo_endpoint: "http://as.example/me" });
  const error = await rejectsWith(
    discover(ISSUER, { deps: { fetch } }),
    "insecure_issuer",
    /^Refusing the userinfo_endpoint http:\/\/as\.example\/me: .* The discovery document of https:\/\/as\.example names it/,
  );
  assert.equal(error.setting, "endpoints");
});

Deno.test("discover() refuses an endpoint string that is not a URL, escaping what it shows", async () => {
  const { fetch } = serving({ device_authorization_endpoint: "not a url\x1b[2J" });
  await rejectsWith(
    discover(ISSUER, { deps: { fetch } }),
    "server",
    /has device_authorization_endpoint = "not a url\\u001b\[2J", where an absolute URL \(a string\) is required/,
  );
});

Deno.test("discover() counts a null member as absent", async () => {
  const { fetch } = serving({
    revocation_endpoint: null,
    id_token_signing_alg_values_supported: null,
  });
  const client = await createClient({ issuer: ISSUER, clientId: "cli" }, { fetch });
  assert.equal(canRevoke(client), false);
  assert.equal("id_token_signing_alg_values_supported" in client.as, false);
});

Deno.test("discover() drops a malformed advisory list, and clauth acts as when the server does not say", async () => {
  const { fetch } = serving({
    token_endpoint_auth_methods_supported: "client_secret_post",
    grant_types_supported: [1, 2],
  });
  const as = await discover(ISSUER, { deps: { fetch } });
  assert.equal("token_endpoint_auth_methods_supported" in as, false);
  assert.equal("grant_types_supported" in as, false);
  // A string would have matched "client_secret_basic" by substring; absent, Basic comes first.
  assert.equal(chooseAuthMethod(as, { clientSecret: "s" }), "client_secret_basic");
});

Deno.test("discover() fetches a cached document anew when its types are wrong, and never caches a refused one", async () => {
  const stored = new Map<string, unknown>([[`${ISSUER}/`, {
    ...metadata(ISSUER),
    require_pushed_authorization_requests: "yes",
  }]]);
  const cache: MetadataCache = {
    get: (key) => Promise.resolve(stored.get(key)),
    set: (key, value) => Promise.resolve(void stored.set(key, value)),
  };
  const good = serving({ require_pushed_authorization_requests: true });
  const as = await discover(ISSUER, { deps: { fetch: good.fetch, metadataCache: cache } });
  assert.equal(as.require_pushed_authorization_requests, true);
  assert.equal(good.calls.length, 1);

  stored.clear();
  const bad = serving({ id_token_signing_alg_values_supported: "ES256" });
  await rejectsWith(
    discover(ISSUER, { deps: { fetch: bad.fetch, metadataCache: cache } }),
    "server",
    /id_token_signing_alg_values_supported/,
  );
  assert.equal(stored.size, 0);
});

Deno.test("clauth login refuses a discovery document with a wrongly typed field, naming it (exit 1)", async () => {
  const controller = new AbortController();
  const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen() {} },
    (): Response => {
      const issuer = `http://127.0.0.1:${server.addr.port}`;
      return json(metadata(issuer, {
        device_authorization_endpoint: `${issuer}/device`,
        id_token_signing_alg_values_supported: "RS256",
      }));
    },
  );
  try {
    const home = await profileHome("typed", {
      issuer: `http://127.0.0.1:${server.addr.port}`,
      client_id: "cli",
      flow: "device",
    });
    const result = await runClauth(["login"], { env: home.env });
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /^clauth: The discovery document of http:\/\/127\.0\.0\.1:\d+ has id_token_signing_alg_values_supported = "RS256", where an array of strings is required\./,
    );
    assert.doesNotMatch(result.stderr, /TypeError|unexpected/i);
  } finally {
    controller.abort();
    await server.finished;
  }
});

Deno.test("discover() shows a hostile content-type with its control characters escaped", async () => {
  const { fetch } = fakeFetch({
    [`GET ${ISSUER}/.well-known/openid-configuration`]: () =>
      new Response("<html>", { headers: { "content-type": "text/html\x1b[2J\u0085evil" } }),
  });
  const error = await discover(ISSUER, { deps: { fetch } }).catch((e) => e);
  assert.match(String(error.message), /not JSON \(content-type text\/html\\u001b\[2J\\u0085evil\)/);
});
