import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import type { DevProvider } from "../../dev/provider.ts";
import { makeCliHome, readSlot, runClauth } from "../helpers/cli.ts";
import {
  ACCESS_TOKEN_TYPE,
  EXCHANGE_GRANT,
  introspect,
  SERVICE_AUTH,
  serviceHome,
  str,
  token,
  withProvider,
} from "../helpers/dev_provider.ts";
import { GITHUB_SUBJECT, startGitHubOidc } from "../helpers/github_oidc.ts";

/** A home whose default profile is demo-service with client credentials. */
const svcHome = (issuer: string, env: Record<string, string> = {}) =>
  serviceHome(issuer, { name: "svc", scope: "api:read api:write", env });

async function serviceToken(idp: DevProvider, scope = "api:read api:write"): Promise<string> {
  const { body } = await token(idp, { grant_type: "client_credentials", scope }, SERVICE_AUTH);
  return str(body.access_token);
}

Deno.test("clauth exchange narrows the profile's token to a scope and audience, and never caches", async () => {
  await withProvider({}, async (idp) => {
    const home = await svcHome(idp.issuer);
    const args = ["exchange", "--scope", "api:read", "--audience", "https://orders.example"];
    const first = await runClauth([...args, "--output", "json"], { env: home.env });
    assert.equal(first.code, 0, first.stderr);
    const printed = JSON.parse(first.stdout);
    assert.equal(printed.issued_token_type, ACCESS_TOKEN_TYPE);
    assert.equal(printed.token_type, "bearer");
    assert.equal(printed.scope, "api:read");
    assert.match(
      first.stderr,
      /Issued token type: urn:ietf:params:oauth:token-type:access_token \(exchanged tokens are not cached\)/,
    );

    const info = await introspect(idp, printed.access_token);
    assert.equal(info.body.active, true);
    assert.equal(info.body.scope, "api:read");
    assert.equal(info.body.aud, "https://orders.example");
    // The subject was the profile's own (cached) client-credentials token, with both scopes.
    const stored = await readSlot(`${home.stateDir}/tokens/svc.json`);
    assert.equal(stored.scope, "api:read api:write");
    assert.notEqual(stored.access_token, printed.access_token);

    const second = await runClauth(args, { env: home.env });
    assert.equal(second.code, 0, second.stderr);
    assert.notEqual(second.stdout.trim(), printed.access_token, "a new exchange every run");
    assert.equal(idp.counts[EXCHANGE_GRANT], 2);
    assert.equal(idp.counts.client_credentials, 1, "the subject token came from the cache");
  });
});

Deno.test("clauth exchange takes the profile's subject token the way clauth token does", async () => {
  await withProvider({}, async (idp) => {
    const home = await svcHome(idp.issuer);
    const exchange = ["exchange", "--verbose", "--scope", "api:read"];
    const sources = (stderr: string) =>
      stderr.split("\n").filter((l) => l.includes("Token source:"));

    const first = await runClauth(exchange, { env: home.env });
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(sources(first.stderr), ["Token source: fetch."]);
    assert.match(first.stderr, /Subject token: profile "svc"\./);

    const token = await runClauth(["token", "--verbose"], { env: home.env });
    const second = await runClauth(exchange, { env: home.env });
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(sources(token.stderr), ["Token source: cache."]);
    assert.deepEqual(sources(second.stderr), sources(token.stderr));
    assert.equal(idp.counts.client_credentials, 1);
  });
});

Deno.test("clauth exchange delegates: subject on stdin, actor from a file, act claim in introspection", async () => {
  await withProvider({}, async (idp) => {
    const home = await svcHome(idp.issuer);
    const subject = await serviceToken(idp);
    const actorFile = `${home.configDir}/actor.token`;
    await Deno.writeTextFile(actorFile, `${await serviceToken(idp, "api:read")}\n`);
    const result = await runClauth([
      "exchange",
      "--subject-token",
      "-",
      "--actor-token-file",
      actorFile,
      "--actor-token-type",
      "access_token",
      "--resource",
      "https://billing.example/",
      "--output",
      "header",
    ], { env: home.env, stdin: `${subject}\n` });
    assert.equal(result.code, 0, result.stderr);
    const issued = /^Authorization: Bearer (\S+)\n$/.exec(result.stdout)?.[1];
    assert.ok(issued, result.stdout);
    const info = await introspect(idp, issued);
    assert.deepEqual(info.body.act, { sub: "demo-service" });
    assert.equal(info.body.aud, "https://billing.example/");
    assert.doesNotMatch(result.stderr, /Warning/, "no warning when the token is not in argv");
  });
});

Deno.test("clauth exchange warns that a --subject-token in argv is visible to other users", async () => {
  await withProvider({}, async (idp) => {
    const home = await svcHome(idp.issuer);
    const subject = await serviceToken(idp);
    const result = await runClauth(["exchange", "--subject-token", subject], { env: home.env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /Warning: a token given with --subject-token is visible to other users .* Pass "--subject-token -"/,
    );
    assert.doesNotMatch(result.stderr, new RegExp(subject));
  });
});

Deno.test("clauth exchange --subject-token-from github-actions gets a token with no stored secret", async () => {
  const github = await startGitHubOidc();
  try {
    await withProvider({ trustedJwtIssuers: [github.trusted("clauth-dev")] }, async (idp) => {
      // demo-cli is a public client: nothing secret anywhere in the job.
      const home = await makeCliHome();
      const result = await runClauth([
        "exchange",
        "--issuer",
        idp.issuer,
        "--client-id",
        "demo-cli",
        "--subject-token-from",
        "github-actions",
        "--github-audience",
        "clauth-dev",
        "--scope",
        "api:read",
        "--output",
        "json",
      ], { env: { ...home.env, ...github.env } });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(github.audiences, ["clauth-dev"]);
      const printed = JSON.parse(result.stdout);
      const info = await introspect(idp, printed.access_token);
      assert.equal(info.body.sub, GITHUB_SUBJECT);
      assert.equal(info.body.client_id, "demo-cli");
      assert.equal(info.body.scope, "api:read");
      assert.doesNotMatch(result.stderr + result.stdout, new RegExp(github.requestToken));
    });
  } finally {
    await github.close();
  }
});

Deno.test("clauth token authenticates with private_key_jwt from --private-key-file, CLAUTH_PRIVATE_KEY_FILE or the profile", async () => {
  await withProvider({}, async (idp) => {
    const home = await makeCliHome();
    const keyFile = `${home.configDir}/demo-jwt-service.pem`;
    const jwk = idp.clients.privateKeyJwt.private_jwk;
    await Deno.writeTextFile(
      keyFile,
      createPrivateKey({ key: jwk as never, format: "jwk" }).export({
        format: "pem",
        type: "pkcs8",
      }) as string,
    );
    const jwkFile = `${home.configDir}/demo-jwt-service.json`;
    await Deno.writeTextFile(jwkFile, JSON.stringify(jwk));
    const profile = {
      issuer: idp.issuer,
      client_id: "demo-jwt-service",
      flow: "client-credentials",
      scope: "api:read",
    };
    await home.writeConfig({
      profiles: { flag: profile, env: profile, config: { ...profile, private_key_file: jwkFile } },
    });
    const runs = [
      ["token", "--profile", "flag", "--private-key-file", keyFile],
      ["token", "--profile", "env"],
      ["token", "--profile", "config"],
    ];
    for (const args of runs) {
      const result = await runClauth(args, {
        env: { ...home.env, ...(args[2] === "env" ? { CLAUTH_PRIVATE_KEY_FILE: keyFile } : {}) },
      });
      assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
      const info = await introspect(idp, result.stdout.trim());
      assert.equal(info.body.client_id, "demo-jwt-service");
    }
    assert.equal(idp.counts.client_credentials, 3);

    const missing = await runClauth([
      "token",
      "--force-refresh",
      "--profile",
      "flag",
      "--private-key-file",
      "nope",
    ], { env: home.env });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Cannot read the private key file nope/);
  });
});

Deno.test("clauth exchange refuses bad input with exit 2 and says what is valid", async () => {
  const home = await makeCliHome();
  const env = {
    ...home.env,
    CLAUTH_ISSUER: "https://as.example",
    CLAUTH_CLIENT_ID: "c",
  };
  const cases: [string[], RegExp][] = [
    [
      ["--subject-token", "-", "--subject-token-type", "urn:example:bogus"],
      /Unknown token type "urn:example:bogus" for --subject-token-type: use one of access_token, refresh_token, id_token, jwt, saml1, saml2/,
    ],
    [
      ["--subject-token", "-", "--actor-token-type", "nope"],
      /Unknown token type "nope" for --actor-token-type/,
    ],
    [["--requested-token-type", "mac"], /Unknown token type "mac" for --requested-token-type/],
    [["--resource", "api.example.com"], /--resource "api.example.com" is not an absolute URI/],
    [["--subject-token", "-", "--actor-token", "-"], /Only one token can come from stdin/],
    [
      ["--subject-token", "-", "--subject-token-from", "github-actions"],
      /not with --subject-token and --subject-token-from/,
    ],
    [["--github-audience", "x"], /--github-audience needs --subject-token-from github-actions/],
    [
      ["--subject-token-from", "github-actions"],
      /needs ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN, .*"permissions: id-token: write"/,
    ],
    [["--subject-token-from", "gitlab"], /argument 'gitlab' is invalid/],
    [["--subject-token-file", "/nonexistent/token"], /Cannot read the subject token file/],
  ];
  for (const [args, pattern] of cases) {
    const result = await runClauth(["exchange", ...args], { env, stdin: "" });
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, pattern);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  }
  const empty = await runClauth(["exchange", "--subject-token", "-"], { env, stdin: "\n" });
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /The subject token from stdin is empty/);
});

Deno.test("clauth exchange with an inactive subject token exits 1: the subject token is not active", async () => {
  await withProvider({}, async (idp) => {
    const home = await svcHome(idp.issuer);
    const result = await runClauth(["exchange", "--subject-token", "-"], {
      env: home.env,
      stdin: "no-such-token",
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /clauth: The subject token is not active .*invalid_grant/);
  });
});

Deno.test("clauth exchange against a server without the grant says it does not support token exchange", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { origin: issuer, pathname } = new URL(request.url);
    if (pathname === "/.well-known/openid-configuration") {
      return Response.json({
        issuer,
        token_endpoint: `${issuer}/token`,
        grant_types_supported: ["client_credentials"],
      });
    }
    if (pathname === "/token") {
      return Response.json({ error: "unsupported_grant_type" }, { status: 400 });
    }
    return new Response("not found", { status: 404 });
  });
  try {
    const home = await makeCliHome();
    const result = await runClauth([
      "exchange",
      "--issuer",
      `http://127.0.0.1:${server.addr.port}`,
      "--client-id",
      "c",
      "--subject-token",
      "-",
    ], { env: home.env, stdin: "T" });
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /This server does not support token exchange \(RFC 8693\): .*unsupported_grant_type.*its metadata does not list the grant/,
    );
  } finally {
    await server.shutdown();
  }
});
