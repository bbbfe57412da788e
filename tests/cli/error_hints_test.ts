import assert from "node:assert/strict";
import { ClauthError, type ClauthSetting } from "../../errors.ts";
import { errorHints } from "../../cli/error_hints.ts";
import { profileHome, runClauth } from "../helpers/cli.ts";
import { serviceHome, withProvider } from "../helpers/dev_provider.ts";

Deno.test("errorHints() says where clauth takes each setting from: flag, variable, profile", () => {
  const hint = (setting: ClauthSetting) =>
    errorHints(new ClauthError("usage", "Something is wrong.", { setting })).join("\n");
  assert.match(hint("client_secret"), /CLAUTH_CLIENT_SECRET.*--client-secret-file PATH/);
  assert.match(
    hint("private_key"),
    /--private-key-file PATH.*CLAUTH_PRIVATE_KEY_FILE.*the profile's private_key_file/,
  );
  assert.match(hint("issuer"), /--issuer URL.*CLAUTH_ISSUER/);
  assert.match(hint("timeout"), /^Allow more time with --timeout SECONDS \(or CLAUTH_TIMEOUT\)\.$/);
  assert.match(hint("redirect_uri"), /--redirect-uri URL/);
  assert.match(hint("client_id"), /--client-id.*CLAUTH_CLIENT_ID/);
  assert.match(hint("scope"), /--scope.*CLAUTH_SCOPE/);
  assert.match(hint("token_endpoint_auth_method"), /the profile's token_endpoint_auth_method/);
  assert.deepEqual(errorHints(new ClauthError("server", "The server failed.")), []);
});

Deno.test("clauth with a wrong client secret prints the server's refusal, then where the secret comes from", async () => {
  await withProvider({}, async (idp) => {
    const home = await serviceHome(idp.issuer, { env: { CLAUTH_CLIENT_SECRET: "wrong-secret" } });
    const result = await runClauth(["token"], { env: home.env });
    assert.equal(result.code, 2);
    assert.equal(result.stdout, "");
    const lines = result.stderr.trimEnd().split("\n");
    assert.match(lines[0]!, /^clauth: The token endpoint refused the request: invalid_client/);
    assert.equal(
      lines[1],
      "Set CLAUTH_CLIENT_SECRET or pass --client-secret-file PATH (or set the profile's client_secret_file).",
    );
    assert.equal(lines.length, 2);
    assert.doesNotMatch(result.stderr, /wrong-secret/);
  });
});

Deno.test("clauth says how to pass a private key when the profile's method needs one", async () => {
  await withProvider({}, async (idp) => {
    const home = await profileHome("jwt", {
      issuer: idp.issuer,
      client_id: "demo-jwt-service",
      flow: "device",
      token_endpoint_auth_method: "private_key_jwt",
    });
    const result = await runClauth(["login"], { env: home.env });
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /^clauth: The private_key_jwt client authentication needs a private key/,
    );
    assert.match(
      result.stderr,
      /^Pass --private-key-file PATH, or set CLAUTH_PRIVATE_KEY_FILE or the profile's private_key_file\.$/m,
    );
  });
});

Deno.test("clauth says how to allow more time when a server does not answer within --timeout", async () => {
  // Accepts connections and never answers.
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of silent) held.push(conn);
  })();
  try {
    const { port } = silent.addr as Deno.NetAddr;
    const home = await profileHome("slow", {
      issuer: `http://127.0.0.1:${port}`,
      client_id: "demo-cli",
    });
    const result = await runClauth(["login", "--timeout", "0.2"], {
      env: { ...home.env, CLAUTH_FLOW: "device" },
    });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^clauth: No answer from .* within 0\.2 s\./m);
    assert.match(
      result.stderr,
      /^Allow more time with --timeout SECONDS \(or CLAUTH_TIMEOUT\)\.$/m,
    );
  } finally {
    silent.close();
    await accepting.catch(() => {});
    for (const conn of held) conn.close();
  }
});

Deno.test("clauth exchange says how to renew the profile's token when the server finds it inactive", async () => {
  await withProvider({}, async (idp) => {
    const home = await serviceHome(idp.issuer, { name: "svc" });
    const first = await runClauth(["token"], { env: home.env });
    assert.equal(first.code, 0, first.stderr);
    const revoked = await fetch(`${idp.issuer}/token/revocation`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${btoa("demo-service:demo-service-secret")}`,
      },
      body: new URLSearchParams({ token: first.stdout.trim() }),
    });
    assert.equal(revoked.status, 200);
    await revoked.body?.cancel();

    const result = await runClauth(["exchange", "--scope", "api:read"], { env: home.env });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^clauth: The subject token is not active .*invalid_grant/m);
    assert.match(
      result.stderr,
      /It is the profile's stored token: get a new one with "clauth token --force-refresh --profile svc"/,
    );
  });
});
