import assert from "node:assert/strict";
import { discover } from "../../../flows/protocol/discovery.ts";
import { MetadataFileCache } from "../../../storage/metadata_cache.ts";
import { fakeFetch, json, metadata } from "../../helpers/fake_fetch.ts";
import { rejectsWith } from "../../helpers/assertions.ts";
import { freePort } from "../../helpers/ports.ts";

const ISSUER = "https://as.example";
const OIDC = `GET ${ISSUER}/.well-known/openid-configuration`;
const OAUTH = `GET ${ISSUER}/.well-known/oauth-authorization-server`;

Deno.test("discover() reads the OIDC document and lets profile endpoints win", async () => {
  const { fetch } = fakeFetch({ [OIDC]: () => json(metadata(ISSUER)) });
  const as = await discover(ISSUER, {
    deps: { fetch },
    endpoints: { device_authorization_endpoint: `${ISSUER}/custom/device` },
  });
  assert.equal(as.token_endpoint, `${ISSUER}/token`);
  assert.equal(as.device_authorization_endpoint, `${ISSUER}/custom/device`);
});

Deno.test("discover() falls back to RFC 8414 metadata when there is no OIDC document", async () => {
  const { fetch, calls } = fakeFetch({ [OAUTH]: () => json(metadata(ISSUER)) });
  const as = await discover(ISSUER, { deps: { fetch } });
  assert.equal(as.token_endpoint, `${ISSUER}/token`);
  assert.equal(calls.length, 2);
});

Deno.test("discover() names both URLs when neither document exists", async () => {
  const { fetch } = fakeFetch({});
  await rejectsWith(
    discover(ISSUER, { deps: { fetch } }),
    "server",
    /No discovery document for issuer https:\/\/as\.example\/: tried .*openid-configuration \(HTTP 404\) and .*oauth-authorization-server \(HTTP 404\)/,
  );
});

Deno.test("discover() uses the profile's endpoints for a server without discovery", async () => {
  const { fetch } = fakeFetch({});
  const as = await discover(ISSUER, {
    deps: { fetch },
    endpoints: { token_endpoint: `${ISSUER}/oauth/token` },
  });
  assert.deepEqual(as, { issuer: ISSUER, token_endpoint: `${ISSUER}/oauth/token` });
});

Deno.test("discover() refuses a document that is not JSON", async () => {
  const { fetch } = fakeFetch({
    [OIDC]: () => new Response("<html>login</html>", { headers: { "content-type": "text/html" } }),
  });
  await rejectsWith(
    discover(ISSUER, { deps: { fetch } }),
    "server",
    /is not JSON \(content-type text\/html\)/,
  );
});

Deno.test("discover() refuses a document whose issuer differs from the configured one", async () => {
  const { fetch } = fakeFetch({ [OIDC]: () => json(metadata("https://evil.example")) });
  await rejectsWith(
    discover(ISSUER, { deps: { fetch } }),
    "usage",
    /names the issuer "https:\/\/evil\.example", not "https:\/\/as\.example\/"/,
  );
});

Deno.test("discover() follows same-origin redirects but not cross-origin ones", async () => {
  const { fetch } = fakeFetch({
    [OIDC]: () =>
      new Response(null, { status: 301, headers: { location: "/moved/openid-configuration" } }),
    [`GET ${ISSUER}/moved/openid-configuration`]: () => json(metadata(ISSUER)),
  });
  assert.equal((await discover(ISSUER, { deps: { fetch } })).issuer, ISSUER);

  const offsite = fakeFetch({
    [OIDC]: () =>
      new Response(null, { status: 302, headers: { location: "https://elsewhere.example/doc" } }),
    [`GET https://elsewhere.example/doc`]: () => json(metadata(ISSUER)),
  });
  await rejectsWith(discover(ISSUER, { deps: { fetch: offsite.fetch } }), "server", /HTTP 302/);
  assert.ok(!offsite.calls.some((call) => call.url.startsWith("https://elsewhere")));
});

Deno.test("discover() refuses http issuers that are not loopback, before any request", async () => {
  const { fetch, calls } = fakeFetch({});
  await rejectsWith(
    discover("http://as.example", { deps: { fetch } }),
    "insecure_issuer",
    /Refusing the http:\/\/ issuer/,
  );
  assert.equal(calls.length, 0);
});

Deno.test("discover() reports an unreachable issuer as a network error", async () => {
  const failing = () =>
    Promise.reject(new TypeError("error sending request: Connection refused (os error 111)"));
  await rejectsWith(
    discover(ISSUER, { deps: { fetch: failing } }),
    "network",
    /Cannot reach https:\/\/as\.example\/\.well-known\/openid-configuration: Connection refused/,
  );
});

Deno.test('discover() names the cause Deno\'s fetch hides behind "fetch failed"', async () => {
  const failing = (cause: Error) => () => Promise.reject(new TypeError("fetch failed", { cause }));
  const refused = new Error(
    "error sending request for url (https://as.example/.well-known/openid-configuration?x=secret): client error (Connect): tcp connect error: Connection refused (os error 111)",
  );
  const error = await rejectsWith(
    discover(ISSUER, { deps: { fetch: failing(refused) } }),
    "network",
    /Cannot reach https:\/\/as\.example\/\.well-known\/openid-configuration: Connection refused\. Check/,
  );
  assert.doesNotMatch(error.message, /fetch failed|os error|secret/);

  // Nested deeper, as a TLS failure may be; "invalid peer certificate" stays in, named as a
  // certificate problem (not the network's, not a proxy's).
  const tls = new Error("client error (Connect)", {
    cause: new Error(
      'invalid peer certificate: certificate not valid for name "as.example"; certificate is only valid for DnsName("other.example")',
    ),
  });
  const certificate = await rejectsWith(
    discover(ISSUER, { deps: { fetch: failing(tls) } }),
    "network",
    /^The TLS certificate of https:\/\/as\.example is not trusted: it was issued for another host name \(invalid peer certificate: certificate not valid for name "as\.example"; certificate is only valid for DnsName\("other\.example"\)\)\. Check the host name in the URL\.$/,
  );
  assert.doesNotMatch(certificate.message, /proxy|PROXY/);
});

Deno.test("discover() says the connection was refused when nothing listens (Deno's own fetch)", async () => {
  const issuer = `http://127.0.0.1:${freePort()}`;
  await rejectsWith(
    discover(issuer, {}),
    "network",
    // Windows words it "No connection could be made because the target machine actively
    // refused it."
    /openid-configuration: (Connection refused|No connection could be made.*refused it\.?)\. Check/,
  );
});

Deno.test("discover() gives up after the timeout and says how to allow more time", async () => {
  const hanging = (_: unknown, init?: RequestInit) =>
    new Promise<Response>((_, reject) =>
      init?.signal?.addEventListener("abort", () => reject(init.signal!.reason))
    );
  const error = await rejectsWith(
    discover(ISSUER, { deps: { fetch: hanging as typeof fetch, timeoutMs: 50 } }),
    "network",
    /No answer from .* within 0\.05 s\. Check the network, or allow a longer request timeout\./,
  );
  assert.equal(error.setting, "timeout");
  assert.equal(error.endpoint, "discovery");
});

Deno.test("discover() serves repeated calls from the metadata cache without a request", async () => {
  const { fetch, calls } = fakeFetch({ [OIDC]: () => json(metadata(ISSUER)) });
  const metadataCache = new MetadataFileCache(await Deno.makeTempDir());
  await discover(ISSUER, { deps: { fetch, metadataCache } });
  await discover(ISSUER, { deps: { fetch, metadataCache } });
  assert.equal(calls.length, 1);
});

Deno.test("MetadataFileCache entries expire after their time to live", async () => {
  let now = 1000;
  const cache = new MetadataFileCache(await Deno.makeTempDir(), { ttlSeconds: 60, now: () => now });
  await cache.set("k", { issuer: "x" });
  assert.deepEqual(await cache.get("k"), { issuer: "x" });
  now += 61;
  assert.equal(await cache.get("k"), undefined);
});
