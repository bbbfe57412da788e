/**
 * The github preset's pieces on their own: where it finds a host's endpoints and REST API, its
 * transport (flows/presets/github_transport.ts) against GitHub's wire formats, the device flow
 * under `slow_down` on a virtual clock, and the imitation's callback URL rules.
 */

import assert from "node:assert/strict";
import { deviceCodeFlow } from "../../flows/grants/device_code.ts";
import { createClient } from "../../flows/protocol/client.ts";
import { github, githubUserApi } from "../../flows/presets/github.ts";
import { githubTransport } from "../../flows/presets/github_transport.ts";
import { rejectsWith } from "../helpers/assertions.ts";
import { OAUTH_APP, startGitHubImitation } from "../helpers/imitations/github.ts";
import { redirectAllowed } from "../helpers/imitations/github_wire.ts";

Deno.test("github.locate() puts the endpoints under HOST/login (no discovery); githubUserApi() finds each host's REST API", () => {
  assert.deepEqual(github.locate({}), {
    issuer: "https://github.com",
    discovery: false,
    endpoints: {
      authorization_endpoint: "https://github.com/login/oauth/authorize",
      token_endpoint: "https://github.com/login/oauth/access_token",
      device_authorization_endpoint: "https://github.com/login/device/code",
    },
  });
  const ghes = github.locate({ host: "github.example.com" });
  assert.equal(
    ghes.endpoints?.token_endpoint,
    "https://github.example.com/login/oauth/access_token",
  );
  assert.equal(githubUserApi("https://github.com"), "https://api.github.com/user");
  assert.equal(githubUserApi(ghes.issuer), "https://github.example.com/api/v3/user");
  assert.equal(githubUserApi("https://octo.ghe.com"), "https://api.octo.ghe.com/user");
  assert.equal(githubUserApi("http://127.0.0.1:8080"), "http://127.0.0.1:8080/api/v3/user");
  assert.equal(github.defaults.flow, "device");
});

Deno.test("GitHub answers form-encoded unless asked for JSON; the transport asks, and reads a form answer as JSON", async () => {
  const gh = startGitHubImitation();
  try {
    const form = new URLSearchParams({ client_id: OAUTH_APP.clientId, scope: "repo" });
    const raw = await fetch(`${gh.origin}/login/device/code`, { method: "POST", body: form });
    assert.match(raw.headers.get("content-type")!, /^application\/x-www-form-urlencoded/);
    assert.equal(new URLSearchParams(await raw.text()).get("interval"), "5");

    const asked = await githubTransport(fetch)(`${gh.origin}/login/device/code`, {
      method: "POST",
      body: form,
    });
    assert.equal(gh.requests.at(-1)!.accept, "application/json");
    const body = await asked.json();
    assert.equal(body.interval, 5);
    assert.equal(body.expires_in, 900);

    // Had GitHub ignored the header, the form answer would still come out as JSON.
    const ignoring = () => fetch(`${gh.origin}/login/device/code`, { method: "POST", body: form });
    const read = await githubTransport(ignoring)("https://unused.example", { method: "POST" });
    assert.equal((await read.json()).expires_in, 900);
  } finally {
    await gh.close();
  }
});

/** A fetch answering `body` (form-encoded, HTTP 200), recording what it was sent. */
function github200(body: string) {
  const sent: { headers: Headers; body: string }[] = [];
  const fetchFn = (_input: string | URL | Request, init?: RequestInit) => {
    sent.push({ headers: new Headers(init?.headers), body: String(init?.body ?? "") });
    return Promise.resolve(
      new Response(body, { headers: { "content-type": "application/x-www-form-urlencoded" } }),
    );
  };
  return { fetch: githubTransport(fetchFn as typeof fetch), sent };
}

Deno.test("githubTransport() answers GitHub's HTTP 200 errors as RFC 6749 §5.2 does, with RFC names where they exist", async () => {
  const cases: [string, number, string, string][] = [
    ["authorization_pending", 400, "authorization_pending", ""],
    ["incorrect_client_credentials", 401, "invalid_client", "incorrect_client_credentials: bad"],
    ["bad_verification_code", 400, "invalid_grant", "bad_verification_code: bad"],
    ["bad_refresh_token", 400, "invalid_grant", "bad_refresh_token: bad"],
    ["incorrect_device_code", 400, "invalid_grant", "incorrect_device_code: bad"],
    ["token_expired", 400, "expired_token", "token_expired: bad"],
    ["device_flow_disabled", 400, "device_flow_disabled", ""],
  ];
  for (const [given, status, error, description] of cases) {
    const { fetch } = github200(`error=${given}&error_description=bad`);
    const answer = await fetch("https://github.com/login/oauth/access_token", { method: "POST" });
    assert.equal(answer.status, status, given);
    const body = await answer.json();
    assert.equal(body.error, error, given);
    assert.equal(body.error_description, description || "bad", given);
  }
});

Deno.test("githubTransport() sends client credentials as the form parameters GitHub documents, and spaces scopes", async () => {
  const { fetch, sent } = github200("access_token=gho_x&scope=repo%2Cgist&token_type=bearer");
  const basic = btoa(`${encodeURIComponent("my-app")}:${encodeURIComponent("s3cr+t:/")}`);
  const answer = await fetch("https://github.com/login/oauth/access_token", {
    method: "POST",
    headers: {
      authorization: `Basic ${basic}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "authorization_code", code: "c" }),
  });
  assert.deepEqual(await answer.json(), {
    access_token: "gho_x",
    scope: "repo gist",
    token_type: "bearer",
  });
  const { headers, body } = sent[0]!;
  assert.equal(headers.get("authorization"), null);
  assert.equal(headers.get("accept"), "application/json");
  const form = new URLSearchParams(body);
  assert.deepEqual([form.get("client_id"), form.get("client_secret"), form.get("code")], [
    "my-app",
    "s3cr+t:/",
    "c",
  ]);
});

Deno.test("githubTransport() leaves answers that are neither form nor JSON as they are", async () => {
  const page = () =>
    Promise.resolve(
      new Response("<h1>Not Found</h1>", {
        status: 404,
        headers: { "content-type": "text/html" },
      }),
    );
  const answer = await githubTransport(page)("https://github.com/login/oauth/authorize");
  assert.equal(answer.status, 404);
  assert.equal(await answer.text(), "<h1>Not Found</h1>");
});

/** The device flow on a virtual clock shared with the imitation, whose first wait ends early. */
async function slowDownLogin(withPreset: boolean) {
  let time = 1_800_000_000_000;
  const gh = startGitHubImitation({ now: () => time });
  const waits: number[] = [];
  // A clock that runs fast (a VM's, as gh's own library warns): the first wait is over after
  // 2 s at GitHub, so GitHub answers slow_down with the interval raised from 5 s to 10 s.
  const sleep = (ms: number) => {
    waits.push(ms);
    time += waits.length === 1 ? 2000 : ms;
    return Promise.resolve();
  };
  const server = github.locate({ host: gh.host });
  try {
    const client = await createClient({
      issuer: server.issuer,
      clientId: OAUTH_APP.clientId,
      endpoints: server.endpoints!,
      discovery: false,
      ...(withPreset ? { behaviour: github.behaviour } : {}),
    }, { now: () => time, sleep });
    const { response } = await deviceCodeFlow(client, {
      onUserCode: ({ userCode }) => gh.approve(userCode),
    });
    return { response, waits, polls: gh.requests.slice(1) };
  } finally {
    await gh.close();
  }
}

Deno.test("slow_down (HTTP 200 at GitHub, naming the new interval): the device flow waits that interval and polls once more", async () => {
  const { response, waits, polls } = await slowDownLogin(true);
  assert.match(response.access_token, /^gho_/);
  assert.deepEqual(polls.map((p) => [p.status, p.error ?? "token", p.interval]), [
    [200, "slow_down", 10],
    [200, "token", undefined],
  ]);
  assert.ok(waits[1]! >= 10_000, `waited ${waits[1]} ms, GitHub named 10 s`);
  // Without the preset's transport, GitHub's HTTP 200 slow_down is no token response at all.
  await rejectsWith(slowDownLogin(false), "server", /token endpoint/);
});

Deno.test("the imitation's callback rules follow GitHub's docs: loopback ports are free, paths are subdirectories", () => {
  const app = { ...OAUTH_APP, callbackUrls: ["http://127.0.0.1/callback"] };
  assert.ok(redirectAllowed(app, "http://127.0.0.1:49152/callback"));
  assert.ok(redirectAllowed(app, "http://127.0.0.1:1234/callback/sub"));
  assert.ok(!redirectAllowed(app, "http://127.0.0.1:1234/other"));
  assert.ok(!redirectAllowed(app, "http://localhost:1234/callback"));
  const web = { ...OAUTH_APP, callbackUrls: ["http://example.com/path"] };
  assert.ok(redirectAllowed(web, "http://oauth.example.com/path/subdir/other"));
  assert.ok(!redirectAllowed(web, "http://example.com:8080/path"));
  assert.ok(!redirectAllowed(web, "http://example.com/bar"));
  const ghApp = { ...app, kind: "github-app" as const };
  assert.ok(!redirectAllowed(ghApp, "http://127.0.0.1:1234/callback/sub"), "an exact match");
});
