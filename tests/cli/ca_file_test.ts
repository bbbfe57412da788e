/**
 * A server whose certificate comes from a private CA: the error names the certificate problem
 * (not proxies) and says how to trust the CA; --ca-file, CLAUTH_CA_FILE and the profile's
 * ca_file make every request of the profile trust it (discovery, token, the issuer's keys).
 * The server is HTTPS on 127.0.0.1 with tests/fixtures/tls/ (a CA nothing else chains to).
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { certificateProblem } from "../../flows/protocol/http.ts";
import { makeCliHome, runClauth } from "../helpers/cli.ts";
import { idTokenClaims, signJwt, testKey } from "../helpers/signing.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/tls/", import.meta.url));
const CA_FILE = `${FIXTURES}ca.pem`;

/** An OAuth server over TLS: discovery, client credentials, a key set; records the paths. */
async function withTlsServer(
  run: (server: { issuer: string; paths: string[]; jwt: string }) => Promise<void>,
): Promise<void> {
  const key = await testKey("k1");
  const paths: string[] = [];
  let issuer = "";
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: await Deno.readTextFile(`${FIXTURES}server.pem`),
    key: await Deno.readTextFile(`${FIXTURES}server.key`),
    onListen: () => {},
  }, (request) => {
    const path = new URL(request.url).pathname;
    paths.push(path);
    if (path === "/.well-known/openid-configuration") {
      return Response.json({
        issuer,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        token_endpoint_auth_methods_supported: ["client_secret_post"],
      });
    }
    if (path === "/token") {
      return Response.json({ access_token: "tls-token", token_type: "Bearer", expires_in: 3600 });
    }
    if (path === "/jwks") return Response.json({ keys: [key.jwk] });
    return new Response("not found", { status: 404 });
  });
  issuer = `https://127.0.0.1:${server.addr.port}`;
  try {
    await run({ issuer, paths, jwt: await signJwt(key, idTokenClaims(issuer, "tls-client")) });
  } finally {
    await server.shutdown();
  }
}

const clientCredentials = (issuer: string) => [
  "--issuer",
  issuer,
  "--client-id",
  "tls-client",
  "--flow",
  "client-credentials",
];

Deno.test("an untrusted certificate is named as such, with --ca-file as the fix (not proxies)", async () => {
  await withTlsServer(async ({ issuer, paths }) => {
    const home = await makeCliHome();
    const env = { ...home.env, CLAUTH_CLIENT_SECRET: "s" };
    const result = await runClauth(["token", ...clientCredentials(issuer)], { env });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      new RegExp(
        `^clauth: The TLS certificate of ${issuer} is not trusted: it is not signed by a certificate authority \\(CA\\) this program trusts \\(invalid peer certificate: UnknownIssuer\\)\\.`,
      ),
    );
    assert.match(result.stderr, /\nTrust the CA that signed it with --ca-file PATH, a PEM file/);
    assert.doesNotMatch(result.stderr, /proxy|PROXY/);
    assert.deepEqual(paths, [], "no request got through");
  });
});

Deno.test("--ca-file makes the private CA trusted for the profile's requests", async () => {
  await withTlsServer(async ({ issuer, paths }) => {
    const home = await makeCliHome();
    const env = { ...home.env, CLAUTH_CLIENT_SECRET: "s" };
    const result = await runClauth(
      ["token", ...clientCredentials(issuer), "--ca-file", CA_FILE],
      { env },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "tls-token\n");
    assert.deepEqual(paths, ["/.well-known/openid-configuration", "/token"]);
  });
});

Deno.test("CLAUTH_CA_FILE does the same, and a login remembers its CA for the next run", async () => {
  await withTlsServer(async ({ issuer }) => {
    const home = await makeCliHome();
    const env = { ...home.env, CLAUTH_CLIENT_SECRET: "s" };
    const login = await runClauth(["login", ...clientCredentials(issuer)], {
      env: { ...env, CLAUTH_CA_FILE: CA_FILE },
    });
    assert.equal(login.code, 0, login.stderr);
    // A new token, fetched without the variable: the profile remembers the login's CA.
    const renewed = await runClauth(["token", "--force-refresh"], { env });
    assert.equal(renewed.code, 0, renewed.stderr);
    assert.equal(renewed.stdout, "tls-token\n");
  });
});

Deno.test("the profile's ca_file (relative to config.json) serves discovery and the issuer's keys", async () => {
  await withTlsServer(async ({ issuer, paths, jwt }) => {
    const home = await makeCliHome();
    await Deno.copyFile(CA_FILE, `${home.configDir}/corp-ca.pem`);
    await home.writeConfig({
      profiles: { corp: { issuer, client_id: "tls-client", ca_file: "corp-ca.pem" } },
    });
    const result = await runClauth(["decode", "--verify", "--profile", "corp", jwt], {
      env: home.env,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(paths.includes("/.well-known/openid-configuration"));
    assert.ok(paths.includes("/jwks"), "the key set came over TLS too");
  });
});

Deno.test("a CA file that holds no PEM certificate, or is missing, is a usage error naming it", async () => {
  const home = await makeCliHome();
  const notPem = `${home.configDir}/ca.txt`;
  await Deno.writeTextFile(notPem, "not a certificate\n");
  const flags = ["token", ...clientCredentials("https://127.0.0.1:9")];
  const env = { ...home.env, CLAUTH_CLIENT_SECRET: "s" };
  const bad = await runClauth([...flags, "--ca-file", notPem], { env });
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    new RegExp(`^clauth: The CA certificate file ${notPem} holds no certificate in PEM form`),
  );
  const missing = await runClauth([...flags, "--ca-file", `${home.configDir}/nope.pem`], { env });
  assert.equal(missing.code, 2);
  assert.match(
    missing.stderr,
    /^clauth: Cannot read the CA certificate file \S+nope\.pem: it does not exist\.\n/,
  );
});

Deno.test("certificateProblem() tells an unknown CA, an expired certificate and a wrong name apart", () => {
  assert.equal(certificateProblem("invalid peer certificate: UnknownIssuer")?.setting, "ca_file");
  assert.match(
    certificateProblem("invalid peer certificate: Expired")!.text,
    /expired/,
  );
  assert.equal(certificateProblem("invalid peer certificate: Expired")?.setting, undefined);
  assert.match(
    certificateProblem('invalid peer certificate: certificate not valid for name "x"')!.text,
    /another host name/,
  );
  assert.equal(certificateProblem("tcp connect error: Connection refused"), undefined);
});
