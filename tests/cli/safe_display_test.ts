/**
 * Names as well as values from tokens and servers reach the terminal neutralised: control
 * characters (ESC) and bidi/format characters (U+202E, U+2066, U+200B) are shown escaped by
 * decode, inspect and whoami, and their JSON output carries them as JSON escapes.
 */

import assert from "node:assert/strict";
import { JsonFileStore } from "../../storage/json_file_store.ts";
import { makeCliHome, runClauth } from "../helpers/cli.ts";
import { idTokenClaims, nowSeconds, signJwt, testKey } from "../helpers/signing.ts";

/** Raw characters that must never reach the terminal. */
// deno-lint-ignore no-control-regex
const RAW = /[\u001b\u202a-\u202e\u2066-\u2069\u200b-\u200f]/;

const NAME = "evil\x1b[31m\u202eclaim";
const SHOWN_NAME = "evil\\u001b[31m\\u202eclaim";

Deno.test("clauth decode shows claim names and values with ESC and bidi overrides escaped", async () => {
  const key = await testKey("k1");
  const jwt = await signJwt(key, {
    sub: "alice",
    [NAME]: "va\u2066lue\u200b",
    ["ltr\u200e"]: ["a\u202ab"],
  });
  const home = await makeCliHome();
  const table = await runClauth(["decode", "-"], { env: home.env, stdin: jwt });
  assert.equal(table.code, 0, table.stderr);
  assert.doesNotMatch(table.stdout, RAW);
  assert.match(table.stdout, /^ {2}evil\\u001b\[31m\\u202eclaim {2}va\\u2066lue\\u200b$/m);
  assert.match(table.stdout, /^ {2}ltr\\u200e\s+a\\u202ab$/m);

  const json = await runClauth(["decode", "--json", "-"], { env: home.env, stdin: jwt });
  assert.equal(json.code, 0, json.stderr);
  assert.doesNotMatch(json.stdout, RAW);
  assert.ok(json.stdout.includes(`"${SHOWN_NAME}": "va\\u2066lue\\u200b"`), json.stdout);
  const claims = JSON.parse(json.stdout).claims;
  assert.equal(claims[NAME], "va\u2066lue\u200b", "the same data once parsed");
});

Deno.test("clauth inspect shows a field name with ESC from the server escaped", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { origin: issuer, pathname } = new URL(request.url);
    if (pathname === "/.well-known/openid-configuration") {
      return Response.json({
        issuer,
        token_endpoint: `${issuer}/token`,
        introspection_endpoint: `${issuer}/introspect`,
      });
    }
    if (pathname === "/introspect") {
      return Response.json({ active: true, sub: "alice", [NAME]: "x\x1b]0;title\x07" });
    }
    return new Response("not found", { status: 404 });
  });
  try {
    const home = await makeCliHome();
    const env = {
      ...home.env,
      CLAUTH_ISSUER: `http://127.0.0.1:${server.addr.port}`,
      CLAUTH_CLIENT_ID: "svc",
      CLAUTH_CLIENT_SECRET: "s3cret",
    };
    const table = await runClauth(["inspect", "-"], { env, stdin: "T" });
    assert.equal(table.code, 0, table.stderr);
    assert.doesNotMatch(table.stdout, RAW);
    assert.match(table.stdout, /^evil\\u001b\[31m\\u202eclaim {2}x\\u001b\]0;title\\u0007$/m);

    const json = await runClauth(["inspect", "--json", "-"], { env, stdin: "T" });
    assert.equal(json.code, 0, json.stderr);
    assert.doesNotMatch(json.stdout, RAW);
    assert.equal(JSON.parse(json.stdout)[NAME], "x\x1b]0;title\x07");
  } finally {
    await server.shutdown();
  }
});

Deno.test("clauth whoami shows claim names from the ID token and userinfo escaped", async () => {
  const key = await testKey("k1");
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { origin: issuer, pathname } = new URL(request.url);
    if (pathname === "/.well-known/openid-configuration") {
      return Response.json({
        issuer,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        userinfo_endpoint: `${issuer}/me`,
        id_token_signing_alg_values_supported: ["ES256"],
      });
    }
    if (pathname === "/jwks") return Response.json({ keys: [key.jwk] });
    if (pathname === "/me") return Response.json({ sub: "alice", ["na\u202eme"]: "Alice" });
    return new Response("not found", { status: 404 });
  });
  try {
    const issuer = `http://127.0.0.1:${server.addr.port}`;
    const home = await makeCliHome();
    await home.writeConfig({
      profiles: { web: { issuer, client_id: "cli", flow: "browser", scope: "openid" } },
    });
    const env = { ...home.env, CLAUTH_PROFILE: "web" };
    await new JsonFileStore(home.stateDir).set("web", {
      issuer,
      client_id: "cli",
      scope: "openid",
      grant: "user",
      access_token: "AT",
      token_type: "bearer",
      obtained_at: nowSeconds(),
      expires_at: nowSeconds() + 3600,
      id_token: await signJwt(key, idTokenClaims(issuer, "cli", { [NAME]: "n\u2067" })),
    });

    const table = await runClauth(["whoami"], { env });
    assert.equal(table.code, 0, table.stderr);
    assert.doesNotMatch(table.stdout, RAW);
    assert.match(table.stdout, /^evil\\u001b\[31m\\u202eclaim\s+n\\u2067\s+ID token$/m);
    assert.match(table.stdout, /^na\\u202eme\s+Alice\s+userinfo$/m);

    const json = await runClauth(["whoami", "--json"], { env });
    assert.equal(json.code, 0, json.stderr);
    assert.doesNotMatch(json.stdout, RAW);
    assert.equal(JSON.parse(json.stdout).claims["na\u202eme"], "Alice");
  } finally {
    await server.shutdown();
  }
});
