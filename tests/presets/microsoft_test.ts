/**
 * The microsoft preset through the real CLI, against a local imitation of Entra ID
 * (tests/helpers/imitations/microsoft.ts) reached with `--authority http://127.0.0.1:PORT`, as
 * a national cloud's authority would be given: the browser and device logins at each kind of
 * tenant (organizations with its {tenantid} issuer, consumers, a domain), refresh with
 * rotation, whoami through Graph's userinfo, logout without revocation, and the ID token
 * issuer check that follows the token's own tid.
 */

import assert from "node:assert/strict";
import { FAKE_BROWSER, makeCliHome, readSlot, runClauth, startClauth } from "../helpers/cli.ts";
import {
  CLIENT_ID,
  CONSUMERS_TENANT_ID,
  type EntraImitation,
  type EntraOptions,
  HOME_DOMAIN,
  HOME_TENANT_ID,
  withEntra,
} from "../helpers/imitations/microsoft.ts";

/** Another organization's tenant: its user signs in through organizations. */
const FABRIKAM = "bbbbcccc-1111-dddd-2222-eeee3333ffff";
const USER_CODE = /and enter the code:\n {2}(\S+)\n/;
const OPENED_URL = /If it does not open, visit:\n {2}(\S+)\n/;

/** The command line that points the preset at the imitation. */
function entraArgs(entra: EntraImitation, ...more: string[]): string[] {
  return [
    "--provider",
    "microsoft",
    "--authority",
    entra.authority,
    "--client-id",
    CLIENT_ID,
    ...more,
  ];
}

/** A browser login through $BROWSER (the fake browser follows Entra's redirect). */
async function browserLogin(entra: EntraImitation, ...more: string[]) {
  const home = await makeCliHome();
  const env = { ...home.env, BROWSER: FAKE_BROWSER };
  // A bounded wait: a login Entra refuses at its error page would wait for the callback.
  const args = [...entraArgs(entra, ...more), "login", "--login-timeout", "20"];
  const result = await runClauth(args, { env });
  return { home, env, result };
}

async function withQuickEntra(
  options: EntraOptions,
  test: (entra: EntraImitation) => Promise<void>,
) {
  await withEntra({ deviceInterval: 0.2, ...options }, test);
}

Deno.test("microsoft: a browser login at organizations checks the ID token against the {tenantid} issuer filled with the token's tid", async () => {
  // A user of another organization, where users may not consent (an admin did).
  const options = { user: { tid: FABRIKAM }, app: { userConsentAllowed: false } };
  await withQuickEntra(options, async (entra) => {
    const { home, env, result } = await browserLogin(entra);
    assert.equal(result.code, 0, result.stderr);
    const url = new URL(result.stderr.match(OPENED_URL)![1]!);
    assert.equal(
      url.origin + url.pathname,
      `${entra.authority}/organizations/oauth2/v2.0/authorize`,
    );
    // select_account, not the prompt=consent offline_access would add, which Entra answers
    // with "Need admin approval" where users may not consent.
    assert.equal(url.searchParams.get("prompt"), "select_account");
    assert.equal(url.searchParams.get("scope"), "openid profile offline_access");
    assert.match(
      result.stderr,
      /Logged in to .*\/organizations\/v2\.0 as adele@contoso\.onmicrosoft\.com/,
    );

    const slot = await readSlot(`${home.stateDir}/tokens/default.json`);
    assert.equal(slot.issuer, `${entra.authority}/organizations/v2.0`);
    const whoami = await runClauth(["whoami", "--json"], { env });
    assert.equal(whoami.code, 0, whoami.stderr);
    const identity = JSON.parse(whoami.stdout);
    assert.equal(identity.id_token.claims.iss, `${entra.authority}/${FABRIKAM}/v2.0`);
    assert.equal(identity.id_token.claims.tid, FABRIKAM);
    // Graph's userinfo answered for the same pairwise sub.
    assert.equal(identity.userinfo.sub, identity.sub);
    assert.equal(entra.state.counts.userinfo, 1);
  });
});

Deno.test("microsoft: an ID token whose tid does not match its iss is refused, never accepted for a multi-tenant authority", async () => {
  // Validly signed, iss of the home tenant, tid of another: Entra never issues it.
  const idTokenClaims = (claims: Record<string, unknown>) => ({ ...claims, tid: FABRIKAM });
  await withQuickEntra({ idTokenClaims }, async (entra) => {
    const { home, result } = await browserLogin(entra);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`iss.*${HOME_TENANT_ID}/v2\\.0.*expected.*${FABRIKAM}/v2\\.0`),
    );
    await assert.rejects(Deno.stat(`${home.stateDir}/tokens/default.json`), Deno.errors.NotFound);
  });
  // No tid at all: the {tenantid} template itself is expected, which no real iss equals.
  const withoutTid = (claims: Record<string, unknown>) => ({ ...claims, tid: undefined });
  await withQuickEntra({ idTokenClaims: withoutTid }, async (entra) => {
    const { result } = await browserLogin(entra);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /expected .*\{tenantid\}\/v2\.0/);
  });
});

Deno.test("microsoft: consumers has a fixed tenant, whose issuer its discovery document names", async () => {
  const app = { signInAudience: "AzureADandPersonalMicrosoftAccount" as const };
  await withQuickEntra({ app }, async (entra) => {
    const { env, result } = await browserLogin(entra, "--tenant", "consumers");
    assert.equal(result.code, 0, result.stderr);
    const whoami = JSON.parse((await runClauth(["whoami", "--json"], { env })).stdout);
    assert.equal(whoami.id_token.claims.iss, `${entra.authority}/${CONSUMERS_TENANT_ID}/v2.0`);
  });
  // An app for work and school accounts only: Entra refuses consumers (AADSTS9002332), which
  // the device authorization request shows, with the hint.
  await withQuickEntra({}, async (entra) => {
    const home = await makeCliHome();
    const args = entraArgs(entra, "--tenant", "consumers", "--flow", "device", "login");
    const result = await runClauth(args, { env: home.env });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /AADSTS9002332/);
    assert.match(result.stderr, /use organizations or its tenant, not consumers/);
  });
});

Deno.test("microsoft: a tenant given by its domain is found under its GUID, which its discovery document names", async () => {
  await withQuickEntra({}, async (entra) => {
    const { env, result } = await browserLogin(entra, "--tenant", HOME_DOMAIN.toUpperCase());
    assert.equal(result.code, 0, result.stderr);
    const url = new URL(result.stderr.match(OPENED_URL)![1]!);
    assert.equal(url.pathname, `/${HOME_TENANT_ID}/oauth2/v2.0/authorize`);
    const token = await runClauth(["token", "--force-refresh"], { env });
    assert.equal(token.code, 0, token.stderr);
    const status = await runClauth(["status", "--json"], { env });
    assert.match(status.stdout, new RegExp(`/${HOME_DOMAIN.replaceAll(".", "\\.")}/v2\\.0`));
  });
});

Deno.test("microsoft: refresh tokens rotate; clauth keeps the new one", async () => {
  await withQuickEntra({}, async (entra) => {
    const { home, env, result } = await browserLogin(entra, "--tenant", HOME_TENANT_ID);
    assert.equal(result.code, 0, result.stderr);
    const file = `${home.stateDir}/tokens/default.json`;
    const before = await readSlot(file);
    const token = await runClauth(["token", "--force-refresh"], { env });
    assert.equal(token.code, 0, token.stderr);
    const after = await readSlot(file);
    assert.equal(entra.state.counts["token:refresh_token"], 1);
    assert.notEqual(after.refresh_token, before.refresh_token, "the rotated token is stored");
    assert.equal(token.stdout.trim(), after.access_token);
    assert.notEqual(after.access_token, before.access_token);
    // The refreshed ID token passed the same issuer check (same iss, same sub).
    assert.equal(typeof after.id_token, "string");
  });
});

Deno.test("microsoft: the device flow shows Entra's code, polls, and stores tokens", async () => {
  await withQuickEntra({}, async (entra) => {
    const home = await makeCliHome();
    const login = startClauth([...entraArgs(entra, "--flow", "device"), "login"], {
      env: home.env,
    });
    const [, code] = await login.waitForStderr(USER_CODE);
    assert.match(login.runtime.stderrText, new RegExp(`${entra.authority}/devicelogin`));
    entra.approveDevice(code!);
    const result = await login.result();
    assert.equal(result.code, 0, result.stderr);
    const slot = await readSlot(`${home.stateDir}/tokens/default.json`);
    assert.equal(typeof slot.refresh_token, "string");
    assert.equal(entra.state.counts.devicecode, 1);
  });
});

Deno.test("microsoft: a declined device login (authorization_declined) exits 3 as denied", async () => {
  await withQuickEntra({}, async (entra) => {
    const home = await makeCliHome();
    const login = startClauth([...entraArgs(entra, "--flow", "device"), "login"], {
      env: home.env,
    });
    const [, code] = await login.waitForStderr(USER_CODE);
    entra.approveDevice(code!, { decline: true });
    const result = await login.result();
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /The login was denied/);
  });
});

Deno.test("microsoft: logout deletes the tokens and says what stays valid at Entra (no revocation endpoint)", async () => {
  await withQuickEntra({}, async (entra) => {
    const { env, result } = await browserLogin(entra);
    assert.equal(result.code, 0, result.stderr);
    const requests = entra.state.requests.length;
    const logout = await runClauth(["logout"], { env });
    assert.equal(logout.code, 0, logout.stderr);
    assert.match(logout.stderr, /has no revocation endpoint: deleting locally only/);
    assert.match(logout.stderr, /refresh token stays valid at Entra until it expires/);
    assert.match(logout.stderr, /https:\/\/myaccount\.microsoft\.com/);
    assert.match(logout.stderr, /revokeSignInSessions/);
    assert.equal(entra.state.requests.length, requests, "nothing was sent to Entra");
    const status = await runClauth(["status"], { env });
    assert.equal(status.code, 1);
  });
});
