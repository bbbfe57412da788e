/**
 * A client secret or key goes only to the issuer and client it was given for (RFC 9700 §4.4:
 * a credential sent to the wrong server is what mix-up attacks live on), and the processes
 * clauth starts never inherit the secrets it consumed.
 */

import assert from "node:assert/strict";
import type { DevProvider } from "../../dev/provider.ts";
import { JsonFileStore } from "../../storage/json_file_store.ts";
import type { StoredTokens } from "../../storage/token_store.ts";
import { FAKE_BROWSER, makeCliHome, runClauth, runClauthProcess } from "../helpers/cli.ts";
import { introspect, serviceHome, withProvider } from "../helpers/dev_provider.ts";
import { childEnvironment } from "../../cli/child_environment.ts";

interface SeenRequest {
  method: string;
  path: string;
  authorization: string | null;
  body: URLSearchParams;
}

/**
 * A second issuer on loopback that records every request: discovery, a token endpoint
 * (client credentials and refresh, whoever asks) and a revocation endpoint.
 */
function recordingIssuer() {
  const seen: SeenRequest[] = [];
  let issued = 0;
  let issuer = "";
  const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
  }, async (request): Promise<Response> => {
    const url = new URL(request.url);
    const body = new URLSearchParams(request.method === "POST" ? await request.text() : "");
    seen.push({
      method: request.method,
      path: url.pathname,
      authorization: request.headers.get("authorization"),
      body,
    });
    if (url.pathname.startsWith("/.well-known/")) {
      return Response.json({
        issuer,
        token_endpoint: `${issuer}/token`,
        revocation_endpoint: `${issuer}/revoke`,
        token_endpoint_auth_methods_supported: ["client_secret_basic", "none"],
        revocation_endpoint_auth_methods_supported: ["client_secret_basic", "none"],
      });
    }
    if (url.pathname === "/token") {
      issued++;
      return Response.json({
        access_token: `b-access-${issued}`,
        token_type: "Bearer",
        expires_in: 3600,
        ...(body.get("grant_type") === "refresh_token"
          ? { refresh_token: `b-refresh-${issued}` }
          : {}),
      });
    }
    if (url.pathname === "/revoke") return new Response(null, { status: 200 });
    return new Response("not found", { status: 404 });
  });
  issuer = `http://127.0.0.1:${server.addr.port}`;
  return { issuer, seen, close: () => server.shutdown() };
}

/** Every client credential a request carried: its Authorization header and form fields. */
/** The dev provider and a recording second issuer, both closed after `fn`. */
async function withTwoIssuers(
  fn: (idp: DevProvider, other: ReturnType<typeof recordingIssuer>) => Promise<void>,
): Promise<void> {
  await withProvider({}, async (idp) => {
    const other = recordingIssuer();
    try {
      await fn(idp, other);
    } finally {
      await other.close();
    }
  });
}

function credentialsIn(requests: SeenRequest[]): string[] {
  return requests.flatMap((request) => [
    ...(request.authorization ? [decodeBasic(request.authorization)] : []),
    ...["client_secret", "client_assertion"].flatMap((name) => request.body.getAll(name)),
  ]);
}

function decodeBasic(header: string): string {
  const [scheme, value] = header.split(" ");
  // RFC 6749 §2.3.1: the id and secret are form-urlencoded before base64.
  if (scheme?.toLowerCase() !== "basic" || !value) return header;
  return atob(value).split(":").map((part) => decodeURIComponent(part)).join(":");
}

const SERVICE_SECRET = "demo-service-secret";

Deno.test("clauth logout --all sends the secret from the environment only to the profile it is about; another profile's issuer gets that profile's own", async () => {
  await withTwoIssuers(async (idp, other) => {
    const home = await makeCliHome();
    const secretFile = `${home.configDir}/b-secret.txt`;
    await Deno.writeTextFile(secretFile, "b-secret\n");
    await home.writeConfig({
      profiles: {
        ci: { issuer: idp.issuer, client_id: "demo-service", flow: "client-credentials" },
        other: {
          issuer: other.issuer,
          client_id: "b-client",
          flow: "client-credentials",
          client_secret_file: "b-secret.txt",
        },
      },
    });
    const ci = await runClauth(["token", "--profile", "ci"], {
      env: { ...home.env, CLAUTH_CLIENT_SECRET: SERVICE_SECRET },
    });
    assert.equal(ci.code, 0, ci.stderr);
    const fromFile = await runClauth(["token", "--profile", "other"], { env: home.env });
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.deepEqual(credentialsIn(other.seen), ["b-client:b-secret"]);
    other.seen.length = 0;

    const logout = await runClauth(["logout", "--all"], {
      env: { ...home.env, CLAUTH_PROFILE: "ci", CLAUTH_CLIENT_SECRET: SERVICE_SECRET },
    });
    assert.equal(logout.code, 0, logout.stderr);
    assert.deepEqual(
      other.seen.filter((r) => r.path === "/revoke").map((r) => r.body.get("token")),
      ["b-access-1"],
      "the other profile's token was revoked at its own issuer",
    );
    assert.deepEqual(credentialsIn(other.seen), ["b-client:b-secret"]);
    assert.equal((await introspect(idp, ci.stdout.trim())).body.active, false);
  });
});

Deno.test("clauth logout does not send the command's secret for a slot the profile got from another issuer", async () => {
  await withTwoIssuers(async (idp, other) => {
    const home = await makeCliHome();
    await home.writeConfig({
      profiles: {
        ci: { issuer: idp.issuer, client_id: "demo-service", flow: "client-credentials" },
      },
    });
    const env = { ...home.env, CLAUTH_PROFILE: "ci" };
    // The same profile, once with another issuer and client (and that client's secret).
    const elsewhere = await runClauth(
      ["token", "--issuer", other.issuer, "--client-id", "b-client"],
      { env: { ...env, CLAUTH_CLIENT_SECRET: "b-secret" } },
    );
    assert.equal(elsewhere.code, 0, elsewhere.stderr);
    const ci = await runClauth(["token"], {
      env: { ...env, CLAUTH_CLIENT_SECRET: SERVICE_SECRET },
    });
    assert.equal(ci.code, 0, ci.stderr);
    other.seen.length = 0;

    const logout = await runClauth(["logout"], {
      env: { ...env, CLAUTH_CLIENT_SECRET: SERVICE_SECRET },
    });
    assert.deepEqual(credentialsIn(other.seen), [], "no credential reached the other issuer");
    assert.deepEqual(other.seen.filter((r) => r.path === "/revoke"), []);
    // It says what stays valid, and the profile's own slot is revoked and everything deleted.
    assert.equal(logout.code, 1, logout.stderr);
    assert.match(
      logout.stderr,
      new RegExp(`no secret or key was given for client "b-client" at ${other.issuer}`),
    );
    assert.doesNotMatch(logout.stderr, new RegExp(SERVICE_SECRET));
    assert.equal((await introspect(idp, ci.stdout.trim())).body.active, false);
    assert.deepEqual(await new JsonFileStore(home.stateDir).list(), []);
  });
});

Deno.test("a slot a public client got is refreshed and revoked without client authentication, whatever CLAUTH_CLIENT_SECRET says", async () => {
  const other = recordingIssuer();
  try {
    const home = await makeCliHome();
    await home.writeConfig({ profiles: { cli: { issuer: other.issuer, client_id: "b-cli" } } });
    const slot: StoredTokens = {
      issuer: other.issuer,
      client_id: "b-cli",
      scope: "",
      grant: "user",
      access_token: "b-access-0",
      token_type: "bearer",
      obtained_at: 0,
      expires_at: 60,
      refresh_token: "b-refresh-0",
      auth_method: "none",
    };
    await new JsonFileStore(home.stateDir).set("cli", slot);
    const env = { ...home.env, CLAUTH_PROFILE: "cli", CLAUTH_CLIENT_SECRET: "some-secret" };

    const refreshed = await runClauth(["token", "--force-refresh"], { env });
    assert.equal(refreshed.code, 0, refreshed.stderr);
    assert.equal(refreshed.stdout.trim(), "b-access-1");
    const refresh = other.seen.filter((r) => r.path === "/token");
    assert.deepEqual(refresh.map((r) => r.body.get("grant_type")), ["refresh_token"]);
    assert.equal(refresh[0]!.body.get("client_id"), "b-cli", "a public client names itself");

    const logout = await runClauth(["logout"], { env });
    assert.equal(logout.code, 0, logout.stderr);
    assert.deepEqual(
      other.seen.filter((r) => r.path === "/revoke").map((r) => r.body.get("token")),
      ["b-refresh-1", "b-access-1"],
    );
    assert.deepEqual(credentialsIn(other.seen), [], "no client authentication at all");
  } finally {
    await other.close();
  }
});

Deno.test("the $BROWSER clauth starts does not inherit CLAUTH_CLIENT_SECRET or ACTIONS_ID_TOKEN_REQUEST_TOKEN", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await makeCliHome();
    await home.writeConfig({
      profiles: {
        web: {
          issuer: idp.issuer,
          client_id: "demo-cli",
          scope: "openid offline_access api:read",
          // The public client: the secret below is not its own, the login needs none.
          token_endpoint_auth_method: "none",
        },
      },
    });
    // A browser that writes down its environment, then logs in as dev/browser.ts does.
    const dump = `${home.stateDir}/../browser-env.json`;
    const script = `${home.configDir}/browser.ts`;
    await Deno.writeTextFile(
      script,
      `await Deno.writeTextFile(${JSON.stringify(dump)}, JSON.stringify(Deno.env.toObject()));
const browser = new Deno.Command(${JSON.stringify(Deno.execPath())}, {
  args: [...${JSON.stringify(FAKE_BROWSER.split(" ").slice(1))}, Deno.args[0]!],
});
Deno.exit((await browser.output()).code);
`,
    );
    // A real process: what a child inherits is the process's environment.
    const result = await runClauthProcess(["login", "--flow", "browser"], {
      env: {
        ...home.env,
        CLAUTH_PROFILE: "web",
        BROWSER: `${Deno.execPath()} run --allow-all ${script}`,
        CLAUTH_CLIENT_SECRET: "not-for-the-browser",
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: "not-for-the-browser-either",
        CLAUTH_TEST_MARKER: "inherited",
      },
    });
    assert.equal(result.code, 0, result.stderr);
    const seen = JSON.parse(await Deno.readTextFile(dump)) as Record<string, string>;
    assert.equal(seen.CLAUTH_TEST_MARKER, "inherited", "the rest of the environment is passed on");
    assert.equal(seen.CLAUTH_CLIENT_SECRET, undefined);
    assert.equal(seen.ACTIONS_ID_TOKEN_REQUEST_TOKEN, undefined);
  });
});

Deno.test("a profile's configured endpoints serve only its configured issuer: --issuer elsewhere gets nothing sent to them", async () => {
  await withTwoIssuers(async (idp, other) => {
    const home = await makeCliHome();
    await home.writeConfig({
      profiles: {
        b: {
          issuer: other.issuer,
          client_id: "b-client",
          flow: "client-credentials",
          token_endpoint: `${other.issuer}/token`,
          revocation_endpoint: `${other.issuer}/revoke`,
        },
      },
    });
    const flags = ["--profile", "b", "--issuer", idp.issuer, "--client-id", "demo-service"];
    const env = { ...home.env, CLAUTH_CLIENT_SECRET: SERVICE_SECRET };
    const token = await runClauth(["token", ...flags], { env });
    assert.equal(token.code, 0, token.stderr);
    assert.equal(idp.counts.client_credentials, 1);
    const logout = await runClauth(["logout", ...flags], { env });
    assert.equal(logout.code, 0, logout.stderr);
    assert.equal((await introspect(idp, token.stdout.trim())).body.active, false);
    assert.deepEqual(other.seen, [], "nothing went to the configured issuer's endpoints");
  });
});

Deno.test("a profile's client_secret_file is not sent for --issuer and --client-id elsewhere, and the error says whose it is", async () => {
  await withTwoIssuers(async (idp, other) => {
    const home = await makeCliHome();
    await Deno.writeTextFile(`${home.configDir}/b-secret.txt`, "b-secret\n");
    await home.writeConfig({
      profiles: {
        b: {
          issuer: other.issuer,
          client_id: "b-client",
          flow: "client-credentials",
          client_secret_file: "b-secret.txt",
        },
      },
    });
    const result = await runClauth(
      ["token", "--profile", "b", "--issuer", idp.issuer, "--client-id", "demo-service"],
      { env: home.env },
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`its configured secret or key is for client "b-client" at ${other.issuer} only`),
    );
    assert.equal(idp.counts.client_credentials ?? 0, 0, "the secret was not sent");
    assert.deepEqual(other.seen, []);
  });
});

Deno.test("clauth exec gives its command the token and the environment, less the secrets clauth consumed", async () => {
  await withProvider({}, async (idp) => {
    const home = await serviceHome(idp.issuer, {
      env: { ACTIONS_ID_TOKEN_REQUEST_TOKEN: "not-for-the-command", CLAUTH_TEST_MARKER: "kept" },
    });
    const dump = `${home.stateDir}/../exec-env.json`;
    const code = `Deno.writeTextFileSync(${
      JSON.stringify(dump)
    }, JSON.stringify(Deno.env.toObject()))`;
    const result = await runClauth(["exec", "--", Deno.execPath(), "eval", code], {
      env: home.env,
    });
    assert.equal(result.code, 0, result.stderr);
    const seen = JSON.parse(await Deno.readTextFile(dump)) as Record<string, string>;
    assert.equal(typeof seen.CLAUTH_ACCESS_TOKEN, "string");
    assert.equal(seen.CLAUTH_TEST_MARKER, "kept");
    assert.equal(seen.CLAUTH_CLIENT_SECRET, undefined);
    assert.equal(seen.ACTIONS_ID_TOKEN_REQUEST_TOKEN, undefined);
  });
});

Deno.test("childEnvironment() drops the consumed secrets and leaves its argument alone", () => {
  const environment = {
    CLAUTH_CLIENT_SECRET: "s",
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: "t",
    PATH: "/bin",
  };
  assert.deepEqual(childEnvironment(environment), { PATH: "/bin" });
  assert.equal(environment.CLAUTH_CLIENT_SECRET, "s");
});
