/**
 * A hostile token endpoint through the whole CLI: absurd expires_in, tokens that would inject
 * headers or escape sequences, DPoP-bound tokens. What is refused is never stored or printed;
 * what was stored before (by an older clauth) is never printed into a header or git either.
 */

import assert from "node:assert/strict";
import { JsonFileStore } from "../../storage/json_file_store.ts";
import type { StoredTokens } from "../../storage/token_store.ts";
import { type CliHome, makeCliHome, readSlot, runClauth } from "../helpers/cli.ts";

/** A token endpoint on loopback answering `answer.body` to every token request. */
async function withTokenEndpoint(
  fn: (issuer: string, answer: { body: Record<string, unknown> }) => Promise<void>,
) {
  const answer = { body: {} as Record<string, unknown> };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { origin: issuer, pathname } = new URL(request.url);
    if (pathname === "/.well-known/openid-configuration") {
      return Response.json({ issuer, token_endpoint: `${issuer}/token` });
    }
    if (pathname === "/token") return Response.json(answer.body);
    return new Response("not found", { status: 404 });
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, answer);
  } finally {
    await server.shutdown();
  }
}

/** Client-credentials profiles `names` at `issuer`; the first is the default. */
async function serviceProfiles(issuer: string, names: string[]): Promise<CliHome> {
  const home = await makeCliHome();
  const profile = { issuer, client_id: "svc", flow: "client-credentials" };
  await home.writeConfig({
    default_profile: names[0],
    profiles: Object.fromEntries(names.map((name) => [name, profile])),
  });
  return { ...home, env: { ...home.env, CLAUTH_CLIENT_SECRET: "s3cret" } };
}

const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);
const TEN_YEARS = 10 * 365 * 86400;

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("clauth token clamps expires_in 1e20 to 10 years, and status still works for every profile", async () => {
  await withTokenEndpoint(async (issuer, answer) => {
    const home = await serviceProfiles(issuer, ["good", "absurd"]);
    answer.body = { access_token: "good-token", token_type: "Bearer", expires_in: 300 };
    const good = await runClauth(["token", "--profile", "good"], { env: home.env, now: NOW });
    assert.equal(good.code, 0, good.stderr);

    answer.body = { access_token: "absurd-token", token_type: "Bearer", expires_in: 1e20 };
    const absurd = await runClauth(["token", "--profile", "absurd", "--output", "json"], {
      env: home.env,
      now: NOW,
    });
    assert.equal(absurd.code, 0, absurd.stderr);
    assert.equal(JSON.parse(absurd.stdout).expires_at, "2036-11-26T12:00:00Z");
    const slot = await readSlot(`${home.stateDir}/tokens/absurd.json`);
    assert.equal(slot.expires_at, NOW / 1000 + TEN_YEARS);

    for (const args of [["status"], ["status", "--json"], ["token", "--profile", "good"]]) {
      const result = await runClauth(args, { env: home.env, now: NOW + 1000 });
      assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /Invalid time value/);
    }
    const status = await runClauth(["status"], { env: home.env, now: NOW });
    assert.match(
      status.stdout,
      /^absurd\n(.*\n)*? {2}tokens: {2}expires in 3650d \(2036-11-26T12:00:00Z\)$/m,
    );
    assert.match(status.stdout, /^good \(default\)\n(.*\n)*? {2}tokens: {2}expires in 5m/m);
  });
});

Deno.test("an expires_at of 1e20 stored by an older clauth breaks neither status nor any output format", async () => {
  const home = await makeCliHome();
  const issuer = "https://as.example";
  await home.writeConfig({
    profiles: { old: { issuer, client_id: "svc", flow: "client-credentials" } },
  });
  const env = { ...home.env, CLAUTH_PROFILE: "old" };
  const tokens: StoredTokens = {
    issuer,
    client_id: "svc",
    scope: "",
    grant: "client-credentials",
    access_token: "old-token",
    token_type: "bearer",
    obtained_at: NOW / 1000,
    expires_at: 1e20,
  };
  await new JsonFileStore(home.stateDir).set("old", tokens);

  const status = await runClauth(["status"], { env, now: NOW });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /tokens: {2}expires at 100000000000000000000 \(out of range\)/);
  const expected: Record<string, (stdout: string) => void> = {
    raw: (out) => assert.equal(out, "old-token\n"),
    header: (out) => assert.equal(out, "Authorization: Bearer old-token\n"),
    json: (out) => assert.equal(JSON.parse(out).expires_at, undefined),
    k8s: (out) => assert.equal(JSON.parse(out).status.expirationTimestamp, undefined),
    git: (out) => assert.equal(out, "username=oauth2\npassword=old-token\n"),
  };
  for (const [format, check] of Object.entries(expected)) {
    const result = await runClauth(["token", "--output", format], { env, now: NOW });
    assert.equal(result.code, 0, `${format}: ${result.stderr}`);
    check(result.stdout);
  }
});

const EVIL = {
  "CR/LF and a header": "abc\r\nX-Evil: 1",
  "an escape sequence": "abc\x1b[2J",
  "spaces": "abc def",
};

Deno.test("clauth token refuses an access token outside RFC 6750's characters: exit 1, nothing stored or printed", async () => {
  await withTokenEndpoint(async (issuer, answer) => {
    const home = await serviceProfiles(issuer, ["ci"]);
    for (const [what, token] of Object.entries(EVIL)) {
      answer.body = { access_token: token, token_type: "Bearer", expires_in: 300 };
      for (const format of ["header", "git", "raw"]) {
        const result = await runClauth(["token", "--output", format], { env: home.env });
        assert.equal(result.code, 1, `${what}, ${format}: ${result.stderr}`);
        assert.equal(result.stdout, "");
        assert.match(
          result.stderr,
          /sent an access_token with characters a Bearer token cannot have \(RFC 6750 §2\.1/,
        );
        assert.ok(!result.stderr.includes(token) && !result.stderr.includes("X-Evil"));
        assert.ok(!await exists(`${home.stateDir}/tokens/ci.json`), "nothing stored");
      }
    }
  });
});

Deno.test("clauth token never prints a stored access token outside RFC 6750's characters, in any format", async () => {
  const home = await makeCliHome();
  const issuer = "https://as.example";
  await home.writeConfig({
    profiles: { old: { issuer, client_id: "svc", flow: "client-credentials" } },
  });
  const env = { ...home.env, CLAUTH_PROFILE: "old" };
  for (const token of Object.values(EVIL)) {
    await new JsonFileStore(home.stateDir).set("old", {
      issuer,
      client_id: "svc",
      scope: "",
      grant: "client-credentials",
      access_token: token,
      token_type: "bearer",
      obtained_at: NOW / 1000,
      expires_at: NOW / 1000 + 3600,
    });
    for (const format of ["raw", "json", "header", "env", "k8s", "git"]) {
      const result = await runClauth(["token", "--output", format], { env, now: NOW });
      assert.equal(result.code, 1, `${format}: ${result.stderr}`);
      assert.equal(result.stdout, "");
      assert.match(
        result.stderr,
        /The stored access token has characters a Bearer token cannot have \(RFC 6750 §2\.1\), so clauth will not print it\. Run "clauth login"/,
      );
      assert.ok(!result.stderr.includes(token));
    }
  }
});

Deno.test("clauth token refuses a DPoP-bound token it did not ask for: exit 1, nothing stored", async () => {
  await withTokenEndpoint(async (issuer, answer) => {
    const home = await serviceProfiles(issuer, ["ci"]);
    answer.body = { access_token: "bound-token", token_type: "DPoP", expires_in: 300 };
    const result = await runClauth(["token", "--output", "header"], { env: home.env });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      /issued a DPoP-bound token \(token_type DPoP\) although clauth sent no DPoP proof, so it refused the token: the server binds/,
    );
    assert.match(result.stderr, /Turn DPoP on for this profile: log in again with --dpop/);
    assert.ok(!await exists(`${home.stateDir}/tokens/ci.json`), "nothing stored");
  });
});
