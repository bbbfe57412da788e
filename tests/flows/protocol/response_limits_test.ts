/**
 * Every answer clauth reads has a size limit, enforced while the bytes arrive, and the
 * per-request timeout covers reading the body: tested against local servers that stream
 * without end, declare huge sizes, or stall mid-body.
 */

import assert from "node:assert/strict";
import { createClient } from "../../../flows/protocol/client.ts";
import { clientCredentialsFlow } from "../../../flows/grants/client_credentials.ts";
import { discover } from "../../../flows/protocol/discovery.ts";
import {
  MAX_DOCUMENT_BYTES,
  MAX_ERROR_BODY_BYTES,
  timedFetch,
} from "../../../flows/protocol/http.ts";
import { fetchUserInfo } from "../../../flows/protocol/userinfo.ts";
import { introspectToken } from "../../../flows/protocol/introspection.ts";
import { revokeToken } from "../../../flows/protocol/revocation.ts";
import { deviceCodeFlow } from "../../../flows/grants/device_code.ts";
import { gitHubActionsIdToken } from "../../../flows/grants/github_actions.ts";
import { withIssuerKeys } from "../../../flows/tokens/jwks.ts";
import { profileHome, runClauth } from "../../helpers/cli.ts";
import { fakeFetch, json, metadata } from "../../helpers/fake_fetch.ts";
import { rejectsWith } from "../../helpers/assertions.ts";

const CHUNK = new Uint8Array(64 * 1024).fill(0x20); // JSON whitespace, forever

/** A body that never ends; `sent` counts what the server handed out, `cancelled` settles when the reader hangs up. */
function endlessBody(prefix = "{") {
  let sent = 0;
  let onCancel = () => {};
  const cancelled = new Promise<void>((resolve) => onCancel = resolve);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(prefix));
    },
    pull(controller) {
      sent += CHUNK.byteLength;
      controller.enqueue(CHUNK);
    },
    cancel() {
      onCancel();
    },
  }, { highWaterMark: 0 });
  return { stream, cancelled, sent: () => sent };
}

/** A body that sends `prefix`, then nothing, never closing. */
function stalledBody(prefix: string) {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(prefix));
    },
  });
}

/** A loopback server whose issuer is its own origin; `route` answers each request. */
async function withServer(
  route: (url: URL, issuer: string, request: Request) => Response,
  body: (issuer: string) => Promise<void>,
) {
  const controller = new AbortController();
  const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen() {} },
    (request): Response =>
      route(new URL(request.url), `http://127.0.0.1:${server.addr.port}`, request),
  );
  try {
    await body(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    controller.abort();
    await server.finished;
  }
}

const jsonHeaders = { "content-type": "application/json" };

Deno.test("discover() stops reading an endless discovery document at 1 MiB and says so", async () => {
  const endless = endlessBody();
  await withServer(
    () => new Response(endless.stream, { headers: jsonHeaders }),
    async (issuer) => {
      const error = await rejectsWith(
        discover(issuer),
        "server",
        /^The discovery endpoint \(http:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration\) sent more than 1 MiB in an answer \(HTTP 200\); clauth reads at most 1 MiB/,
      );
      assert.equal(error.endpoint, "discovery");
      // The reader hung up: the server stopped producing (memory stays bounded on both sides).
      await endless.cancelled;
      assert.ok(endless.sent() < 64 * MAX_DOCUMENT_BYTES, `sent ${endless.sent()} bytes`);
    },
  );
});

Deno.test("discover() refuses a document whose content-length is over the limit without reading it", async () => {
  let read = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      read = true;
      controller.enqueue(CHUNK);
    },
  }, { highWaterMark: 0 });
  const { fetch } = fakeFetch({
    "GET https://as.example/.well-known/openid-configuration": () =>
      new Response(body, { headers: { ...jsonHeaders, "content-length": "314572800" } }),
  });
  const error = await rejectsWith(
    discover("https://as.example", { deps: { fetch } }),
    "server",
    /^The discovery endpoint \(https:\/\/as\.example\/\.well-known\/openid-configuration\) sent 314572800 bytes \(its content-length\) in an answer \(HTTP 200\); clauth reads at most 1 MiB/,
  );
  assert.equal(error.endpoint, "discovery");
  assert.equal(read, false);
});

Deno.test("clientCredentialsFlow() stops reading an endless error body at 64 KiB", async () => {
  const endless = endlessBody('{"error":"invalid_request","error_description":"');
  await withServer(
    (url, issuer) =>
      url.pathname === "/.well-known/openid-configuration"
        ? json(metadata(issuer))
        : new Response(endless.stream, { status: 400, headers: jsonHeaders }),
    async (issuer) => {
      const client = await createClient({ issuer, clientId: "svc", clientSecret: "s3cret" });
      const error = await rejectsWith(
        clientCredentialsFlow(client),
        "server",
        /^The token endpoint \(http:\/\/127\.0\.0\.1:\d+\/token\) sent more than 64 KiB in an error answer \(HTTP 400\); clauth reads at most 64 KiB of an error answer/,
      );
      assert.equal(error.endpoint, "token");
      assert.ok(!error.message.includes("s3cret"));
      await endless.cancelled;
    },
  );
});

Deno.test("timedFetch() reads answers up to the limits and refuses one byte more", async () => {
  const sized = (bytes: number, status: number) => () =>
    new Response(new Uint8Array(bytes).fill(0x20), { status });
  const { fetch } = fakeFetch({
    "GET https://as.example/ok": sized(MAX_DOCUMENT_BYTES, 200),
    "GET https://as.example/big": sized(MAX_DOCUMENT_BYTES + 1, 200),
    "GET https://as.example/error": sized(MAX_ERROR_BODY_BYTES, 500),
    "GET https://as.example/big-error": sized(MAX_ERROR_BODY_BYTES + 1, 500),
  });
  // No content-length: only the count of bytes read decides.
  const unsized: typeof globalThis.fetch = async (input, init) => {
    const response = await fetch(input, init);
    const headers = new Headers(response.headers);
    headers.delete("content-length");
    return new Response(response.body, { status: response.status, headers });
  };
  const timed = timedFetch({ fetch: unsized });
  assert.equal((await (await timed("https://as.example/ok")).arrayBuffer()).byteLength, 1 << 20);
  assert.equal((await (await timed("https://as.example/error")).text()).length, 64 << 10);
  await rejectsWith(timed("https://as.example/big"), "server", /more than 1 MiB/);
  await rejectsWith(timed("https://as.example/big-error"), "server", /more than 64 KiB/);
});

Deno.test("fetchUserInfo() stops reading an endless userinfo answer at 1 MiB", async () => {
  const endless = endlessBody();
  await withServer(
    (url, issuer) =>
      url.pathname === "/.well-known/openid-configuration"
        ? json(metadata(issuer, { userinfo_endpoint: `${issuer}/me` }))
        : new Response(endless.stream, { headers: jsonHeaders }),
    async (issuer) => {
      const client = await createClient({ issuer, clientId: "cli" });
      const error = await rejectsWith(
        fetchUserInfo(client, "an-access-token"),
        "server",
        /^The userinfo endpoint \(http:\/\/127\.0\.0\.1:\d+\/me\) sent more than 1 MiB/,
      );
      assert.equal(error.endpoint, "userinfo");
      await endless.cancelled;
    },
  );
});

Deno.test("withIssuerKeys() stops reading an endless key set at 1 MiB", async () => {
  const endless = endlessBody('{"keys":[');
  await withServer(
    (url, issuer) =>
      url.pathname === "/.well-known/openid-configuration"
        ? json(metadata(issuer, { jwks_uri: `${issuer}/jwks` }))
        : new Response(endless.stream, { headers: jsonHeaders }),
    async (issuer) => {
      const client = await createClient({ issuer, clientId: "cli" });
      const error = await rejectsWith(
        withIssuerKeys(client, (keys) => keys({ alg: "RS256" }, { payload: "", signature: "" })),
        "server",
        /^The issuer's key set \(jwks_uri\) \(http:\/\/127\.0\.0\.1:\d+\/jwks\) sent more than 1 MiB/,
      );
      assert.equal(error.endpoint, "jwks");
      await endless.cancelled;
    },
  );
});

Deno.test("every endpoint's answer is bounded: device authorization, introspection, revocation, GitHub's OIDC token", async () => {
  const issuer = "https://as.example";
  const endless = () => new Response(endlessBody().stream, { headers: jsonHeaders });
  const { fetch } = fakeFetch({
    [`GET ${issuer}/.well-known/openid-configuration`]: () =>
      json(metadata(issuer, {
        device_authorization_endpoint: `${issuer}/device`,
        introspection_endpoint: `${issuer}/introspect`,
        revocation_endpoint: `${issuer}/revoke`,
      })),
    [`POST ${issuer}/device`]: endless,
    [`POST ${issuer}/introspect`]: endless,
    [`POST ${issuer}/revoke`]: () =>
      new Response(endlessBody().stream, { status: 503, headers: jsonHeaders }),
    "GET https://runner.example/oidc": endless,
  });
  const client = await createClient({ issuer, clientId: "svc", clientSecret: "s" }, { fetch });
  const cases: [Promise<unknown>, string, RegExp][] = [
    [
      deviceCodeFlow(client, { onUserCode: () => {} }),
      "device_authorization",
      /device authorization endpoint .*more than 1 MiB/,
    ],
    [introspectToken(client, "t"), "introspection", /introspection endpoint .*more than 1 MiB/],
    [
      revokeToken(client, "t"),
      "revocation",
      /revocation endpoint .*more than 64 KiB in an error answer \(HTTP 503\)/,
    ],
  ];
  for (const [promise, endpoint, pattern] of cases) {
    const error = await rejectsWith(promise, "server", pattern);
    assert.equal(error.endpoint, endpoint);
  }
  await rejectsWith(
    gitHubActionsIdToken({ url: "https://runner.example/oidc?x=1", token: "rt" }, {
      deps: { fetch },
    }),
    "server",
    /^https:\/\/runner\.example\/oidc sent more than 1 MiB in an answer \(HTTP 200\)/,
  );
});

Deno.test("discover() reports a body that stalls past the timeout as a timeout, not as bad JSON", async () => {
  await withServer(
    () => new Response(stalledBody('{"issuer":'), { headers: jsonHeaders }),
    async (issuer) => {
      const error = await rejectsWith(
        discover(issuer, { deps: { timeoutMs: 200 } }),
        "network",
        /^No answer from http:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration within 0\.2 s\./,
      );
      assert.equal(error.setting, "timeout");
      assert.equal(error.endpoint, "discovery");
    },
  );
});

Deno.test("clientCredentialsFlow() reports a token answer that stalls mid-body as a timeout", async () => {
  await withServer(
    (url, issuer) =>
      url.pathname === "/.well-known/openid-configuration"
        ? json(metadata(issuer))
        : new Response(stalledBody('{"access_token":"abc'), { headers: jsonHeaders }),
    async (issuer) => {
      const client = await createClient(
        { issuer, clientId: "svc", clientSecret: "s3cret" },
        { timeoutMs: 200 },
      );
      const error = await rejectsWith(
        clientCredentialsFlow(client),
        "network",
        /^No answer from http:\/\/127\.0\.0\.1:\d+\/token within 0\.2 s\./,
      );
      assert.equal(error.endpoint, "token");
    },
  );
});

Deno.test("timedFetch() says an answer was cut off when the connection breaks mid-body", async () => {
  const breaks: typeof globalThis.fetch = () =>
    Promise.resolve(
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("{"));
            controller.error(new TypeError("error reading a body from connection"));
          },
        }),
        { headers: jsonHeaders },
      ),
    );
  await rejectsWith(
    timedFetch({ fetch: breaks })("https://as.example/token?code=secret"),
    "network",
    /^The answer from https:\/\/as\.example\/token was cut off: error reading a body from connection\. Check the network/,
  );
});

Deno.test("timedFetch() stops a stalled body when the caller aborts, with the caller's reason", async () => {
  const controller = new AbortController();
  const stalls: typeof globalThis.fetch = () =>
    Promise.resolve(new Response(stalledBody("{"), { headers: jsonHeaders }));
  const reading = timedFetch({ fetch: stalls, signal: controller.signal })("https://as.example/");
  controller.abort(new Error("interrupted"));
  await assert.rejects(reading, { message: "interrupted" });
});

Deno.test("clauth login stops at 1 MiB of an endless discovery document, and says which endpoint", async () => {
  const endless = endlessBody();
  await withServer(
    () => new Response(endless.stream, { headers: jsonHeaders }),
    async (issuer) => {
      const home = await profileHome("big", { issuer, client_id: "cli", flow: "device" });
      const result = await runClauth(["login"], { env: home.env });
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stderr,
        /^clauth: The discovery endpoint \(http:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration\) sent more than 1 MiB/,
      );
      await endless.cancelled;
    },
  );
});

Deno.test("clauth login says the server did not answer within --timeout when a body stalls", async () => {
  await withServer(
    () => new Response(stalledBody('{"issuer":"'), { headers: jsonHeaders }),
    async (issuer) => {
      const home = await profileHome("slow", { issuer, client_id: "cli", flow: "device" });
      const result = await runClauth(["login", "--timeout", "0.2"], { env: home.env });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /^clauth: No answer from .* within 0\.2 s\./m);
      assert.doesNotMatch(result.stderr, /not JSON/);
      assert.match(result.stderr, /^Allow more time with --timeout SECONDS/m);
    },
  );
});
