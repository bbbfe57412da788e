/**
 * The Keycloak preset through the CLI, against tests/helpers/imitations/keycloak.ts (a realm
 * on 127.0.0.1, named by --issuer http://127.0.0.1:PORT/realms/demo).
 */

import assert from "node:assert/strict";
import { makeCliHome, readSlot, runClauth } from "../helpers/cli.ts";
import { claimsOf } from "../helpers/signing.ts";
import { browserLogin, deviceLogin } from "../helpers/imitations/_cli_login.ts";
import { KEYCLOAK_CLI, KEYCLOAK_SERVICE, startKeycloak } from "../helpers/imitations/keycloak.ts";
import type { ImitationClient } from "../helpers/imitations/_oidc_config.ts";
import type { OidcImitation } from "../helpers/imitations/_oidc_server.ts";

async function withKeycloak(
  options: Parameters<typeof startKeycloak>[0],
  test: (realm: OidcImitation) => Promise<void>,
): Promise<void> {
  const realm = await startKeycloak(options);
  try {
    await test(realm);
  } finally {
    await realm.close();
  }
}

/** `--profile kc --provider keycloak --issuer <realm> --client-id <client>`. */
function keycloakArgs(realm: OidcImitation, client: ImitationClient = KEYCLOAK_CLI): string[] {
  return [
    "--profile",
    "kc",
    "--provider",
    "keycloak",
    "--issuer",
    realm.issuer,
    "--client-id",
    client.id,
  ];
}

Deno.test("keycloak preset: the browser login pushes its request (PAR) and checks the iss Keycloak sends back; whoami", async () => {
  await withKeycloak({}, async (realm) => {
    const home = await makeCliHome();
    const login = await browserLogin(keycloakArgs(realm), { env: home.env });
    assert.equal(login.result.code, 0, login.result.stderr);
    assert.equal(realm.counts.par, 1);
    const url = new URL(login.url!);
    assert.equal(url.pathname, "/realms/demo/protocol/openid-connect/auth");
    assert.ok(url.searchParams.get("request_uri"));
    assert.match(login.page?.finalUrl ?? "", /[?&]iss=/, "Keycloak names itself (RFC 9207)");
    const stored = await readSlot(`${home.stateDir}/tokens/kc.json`);
    assert.equal(claimsOf(stored.access_token).azp, KEYCLOAK_CLI.id);

    const whoami = await runClauth(["--profile", "kc", "whoami", "--json"], { env: home.env });
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.equal(JSON.parse(whoami.stdout).claims.preferred_username, "alice");
  });
});

Deno.test("keycloak preset: the device login at /protocol/openid-connect/auth/device", async () => {
  await withKeycloak({ interval: 0.2 }, async (realm) => {
    const home = await makeCliHome();
    const login = await deviceLogin(keycloakArgs(realm), { env: home.env });
    assert.equal(login.result.code, 0, login.result.stderr);
    assert.ok(login.url?.startsWith(`${realm.issuer}/device?user_code=`), login.url);
  });
});

Deno.test("keycloak preset: refresh keeps the new refresh token; logout revokes the session's tokens", async () => {
  await withKeycloak({}, async (realm) => {
    const home = await makeCliHome();
    const login = await browserLogin(keycloakArgs(realm), { env: home.env });
    assert.equal(login.result.code, 0, login.result.stderr);
    const tokenFile = `${home.stateDir}/tokens/kc.json`;
    const before = await readSlot(tokenFile);
    const token = await runClauth(["--profile", "kc", "token", "--force-refresh"], {
      env: home.env,
    });
    assert.equal(token.code, 0, token.stderr);
    const after = await readSlot(tokenFile);
    assert.notEqual(after.refresh_token, before.refresh_token);

    const logout = await runClauth(["--profile", "kc", "logout"], { env: home.env });
    assert.equal(logout.code, 0, logout.stderr);
    assert.match(logout.stderr, /Revoked the tokens of profile "kc"/);
    assert.equal(realm.tokenStatus(after.access_token), "revoked");
    assert.equal(realm.tokenStatus(after.refresh_token), "revoked");
  });
});

Deno.test("keycloak preset: a client that requires PAR refuses --no-par in Keycloak's words, and clauth says to push", async () => {
  const client = { ...KEYCLOAK_CLI, requirePar: true };
  await withKeycloak({ clients: [client] }, async (realm) => {
    const home = await makeCliHome();
    const refused = await browserLogin([...keycloakArgs(realm, client), "--no-par"], {
      env: home.env,
    });
    assert.notEqual(refused.result.code, 0);
    assert.match(refused.result.stderr, /Pushed Authorization Request is only allowed\./);
    assert.match(refused.result.stderr, /log in with --par/, "clauth's PAR advice");
    assert.match(refused.result.stderr, /Pushed authorization request required/);

    const pushed = await browserLogin(keycloakArgs(realm, client), { env: home.env });
    assert.equal(pushed.result.code, 0, pushed.result.stderr);
  });
});

Deno.test("keycloak preset: a client that requires DPoP refuses a login without it ('DPoP proof is missing'), and clauth says to turn it on", async () => {
  const client = { ...KEYCLOAK_CLI, requireDpop: true };
  await withKeycloak({ clients: [client] }, async (realm) => {
    const home = await makeCliHome();
    const refused = await browserLogin(keycloakArgs(realm, client), { env: home.env });
    assert.notEqual(refused.result.code, 0);
    assert.match(refused.result.stderr, /invalid_request \(DPoP proof is missing\)/);
    assert.match(refused.result.stderr, /log in again with --dpop/, "clauth's DPoP advice");

    const bound = await browserLogin([...keycloakArgs(realm, client), "--dpop"], {
      env: home.env,
    });
    assert.equal(bound.result.code, 0, bound.result.stderr);
    const stored = await readSlot(`${home.stateDir}/tokens/kc.json`);
    assert.equal(stored.token_type.toLowerCase(), "dpop");
    assert.equal(typeof claimsOf(stored.access_token).cnf, "object");
    // Userinfo with the DPoP scheme and a proof; a refresh with a proof of the same key.
    const whoami = await runClauth(["--profile", "kc", "whoami"], { env: home.env });
    assert.equal(whoami.code, 0, whoami.stderr);
    const refreshed = await runClauth(["--profile", "kc", "token", "--force-refresh"], {
      env: home.env,
    });
    assert.equal(refreshed.code, 0, refreshed.stderr);
  });
});

Deno.test("keycloak preset: a wrong client secret is Keycloak's unauthorized_client, and clauth says to check the secret", async () => {
  await withKeycloak({}, async (realm) => {
    const home = await makeCliHome();
    const args = [
      ...keycloakArgs(realm, KEYCLOAK_SERVICE),
      "--flow",
      "client-credentials",
      "login",
    ];
    const wrong = await runClauth(args, { env: { ...home.env, CLAUTH_CLIENT_SECRET: "not-it" } });
    assert.equal(wrong.code, 2, wrong.stderr);
    assert.match(
      wrong.stderr,
      /unauthorized_client \(Invalid client or Invalid client credentials\), HTTP 401/,
    );
    assert.match(wrong.stderr, /Keycloak answers this when the client secret is wrong/);

    const right = await runClauth(args, {
      env: { ...home.env, CLAUTH_CLIENT_SECRET: KEYCLOAK_SERVICE.secret! },
    });
    assert.equal(right.code, 0, right.stderr);
  });
});

Deno.test("keycloak preset: grants the client has not turned on are named with the switch to turn", async () => {
  const service = { ...KEYCLOAK_SERVICE, grants: [] };
  const cli = { ...KEYCLOAK_CLI, grants: KEYCLOAK_CLI.grants.filter((g) => g !== "device_code") };
  await withKeycloak({ clients: [cli, service] }, async (realm) => {
    const home = await makeCliHome();
    const credentials = await runClauth(
      [...keycloakArgs(realm, service), "--flow", "client-credentials", "login"],
      { env: { ...home.env, CLAUTH_CLIENT_SECRET: service.secret! } },
    );
    assert.notEqual(credentials.code, 0);
    assert.match(credentials.stderr, /Client not enabled to retrieve service account/);
    assert.match(credentials.stderr, /turn on Client authentication and Service accounts roles/);

    const device = await deviceLogin(keycloakArgs(realm, cli), { env: home.env });
    assert.notEqual(device.result.code, 0);
    assert.match(device.result.stderr, /Client is not allowed to initiate OAuth 2\.0 Device/);
    assert.match(device.result.stderr, /Turn on OAuth 2\.0 Device Authorization Grant/);
  });
});
