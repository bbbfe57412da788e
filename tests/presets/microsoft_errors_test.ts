/**
 * The microsoft preset's refusals through the real CLI, against the Entra ID imitation: a
 * scope of two resources (refused before any request), an API's access token at Graph's
 * userinfo, and Entra's AADSTS errors each followed by its hint (a redirect URI not registered,
 * an unknown app, a confidential-only registration, MFA and consent on refresh).
 */

import assert from "node:assert/strict";
import { FAKE_BROWSER, makeCliHome, readSlot, runClauth, startClauth } from "../helpers/cli.ts";
import {
  CLIENT_ID,
  type EntraImitation,
  type EntraOptions,
  HOME_TENANT_ID,
  withEntra,
} from "../helpers/imitations/microsoft.ts";

const USER_CODE = /and enter the code:\n {2}(\S+)\n/;
const BROWSER_URL = /Open this address in a browser to log in:\n {2}(\S+)\n/;

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

async function withQuickEntra(
  options: EntraOptions,
  test: (entra: EntraImitation) => Promise<void>,
) {
  await withEntra({ deviceInterval: 0.2, ...options }, test);
}

/** A device login the user approves; resolves with clauth's result. */
async function deviceLogin(entra: EntraImitation, env: Record<string, string>, ...more: string[]) {
  const login = startClauth([...entraArgs(entra, "--flow", "device", ...more), "login"], { env });
  const [, code] = await login.waitForStderr(USER_CODE);
  entra.approveDevice(code!);
  return await login.result();
}

Deno.test("microsoft: a scope naming two resources is refused before anything is sent, and says why", async () => {
  await withQuickEntra({}, async (entra) => {
    const home = await makeCliHome();
    const scope = "openid offline_access api://my-api/read User.Read";
    const result = await runClauth([...entraArgs(entra, "--scope", scope), "login"], {
      env: { ...home.env, BROWSER: FAKE_BROWSER },
    });
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /issues each token for one resource, and this scope names 2: api:\/\/my-api\/read; User\.Read/,
    );
    assert.match(result.stderr, /--scope/, "the CLI says where the scope comes from");
    assert.equal(entra.state.counts.authorize ?? 0, 0);
    assert.equal(entra.state.counts.token ?? 0, 0);
    // A resource's .default beside its own permissions: Entra's AADSTS70011, refused here too.
    const mixed = await runClauth([
      ...entraArgs(entra, "--scope", "openid api://my-api/.default api://my-api/read"),
      "login",
    ], {
      env: { ...home.env, BROWSER: FAKE_BROWSER },
    });
    assert.equal(mixed.code, 2, mixed.stderr);
    assert.match(
      mixed.stderr,
      /api:\/\/my-api\/\.default .*together with the resource's own permissions \(api:\/\/my-api\/read\)/,
    );
  });
});

Deno.test("microsoft: a login for an API gets that API's token; whoami explains that Graph's userinfo refuses it", async () => {
  await withQuickEntra({}, async (entra) => {
    const home = await makeCliHome();
    const result = await deviceLogin(
      entra,
      home.env,
      "--scope",
      "openid profile offline_access api://my-api/read",
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Scope "api:\/\/my-api\/read"/);
    const whoami = await runClauth(["whoami"], { env: home.env });
    assert.equal(whoami.code, 1);
    // Graph's JSON error, put into the RFC 6750 challenge by the transport, then the hint.
    assert.match(
      whoami.stderr,
      /invalid_token \("InvalidAuthenticationToken: Access token validation failure\. Invalid audience\."\)/,
    );
    assert.match(
      whoami.stderr,
      /userinfo endpoint is Microsoft Graph's, and takes only an access token for Graph/,
    );
  });
});

Deno.test("microsoft: AADSTS50011 names the loopback redirect URI to register, without its port", async () => {
  await withQuickEntra({}, async (entra) => {
    const home = await makeCliHome();
    const login = startClauth([...entraArgs(entra, "--flow", "browser"), "login", "--no-browser"], {
      env: home.env,
    });
    const [, url] = await login.waitForStderr(BROWSER_URL);
    // The browser signs in (the redirect URI is registered then) ...
    const signIn = await fetch(url!, { redirect: "manual" });
    const callback = signIn.headers.get("location")!;
    assert.match(callback, /^http:\/\/127\.0\.0\.1:\d+\/callback\?code=/);
    // ... and the registration changes before the code is redeemed, which Entra checks again.
    entra.state.app.redirectUris = [{ uri: "https://app.example.com/callback", type: "Web" }];
    await (await fetch(callback)).body?.cancel();
    const result = await login.result();
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /AADSTS50011: The redirect URI 'http:\/\/127\.0\.0\.1:\d+\/callback' specified/,
    );
    assert.match(
      result.stderr,
      /Entra \(AADSTS50011\): register http:\/\/127\.0\.0\.1\/callback in the app registration's Authentication page, under Mobile and desktop applications/,
    );
    assert.match(result.stderr, /ignores the port of a loopback redirect URI/);
    assert.match(
      result.stderr,
      /replyUrlsWithType with type InstalledClient, or register http:\/\/localhost\/callback/,
    );
  });
});

Deno.test("microsoft: the app's errors get their hints: AADSTS700016 (unknown client) and AADSTS7000218 (public client flows off)", async () => {
  await withQuickEntra(
    { app: { clientId: "99999999-aaaa-bbbb-cccc-dddddddddddd" } },
    async (entra) => {
      const home = await makeCliHome();
      const result = await runClauth([...entraArgs(entra, "--flow", "device"), "login"], {
        env: home.env,
      });
      assert.equal(result.code, 2, result.stderr);
      assert.match(
        result.stderr,
        /AADSTS700016: Application with identifier '00001111-aaaa-2222-bbbb-3333cccc4444' was not found/,
      );
      assert.match(
        result.stderr,
        /Entra \(AADSTS700016\): no application has this client ID in the tenant/,
      );
    },
  );
  await withQuickEntra({ app: { allowPublicClientFlows: false } }, async (entra) => {
    const home = await makeCliHome();
    const result = await deviceLogin(entra, home.env);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /AADSTS7000218/);
    assert.match(result.stderr, /set "Allow public client flows" to Yes/);
  });
});

Deno.test("microsoft: a refresh refused for MFA (AADSTS50076) or consent (AADSTS65001) says to log in again, and how", async () => {
  for (
    const [refusal, hint] of [[50076, /multifactor authentication is required/], [
      65001,
      /nobody has consented/,
    ]] as const
  ) {
    await withQuickEntra({}, async (entra) => {
      const home = await makeCliHome();
      const login = await deviceLogin(entra, home.env);
      assert.equal(login.code, 0, login.stderr);
      entra.state.options.refreshRefusal = refusal;
      const token = await runClauth(["token", "--force-refresh"], { env: home.env });
      assert.equal(token.code, 4, token.stderr);
      assert.match(token.stderr, new RegExp(`invalid_grant \\(AADSTS${refusal}:`));
      assert.match(token.stderr, hint);
      assert.equal(token.stdout, "");
    });
  }
});

Deno.test("microsoft: client credentials need a tenant and RESOURCE/.default, and say so", async () => {
  const secret = "s3cret~value";
  await withQuickEntra({ app: { secret } }, async (entra) => {
    const home = await makeCliHome();
    const env = { ...home.env, CLAUTH_CLIENT_SECRET: secret };
    const service = (...more: string[]) =>
      runClauth([...entraArgs(entra, "--flow", "client-credentials", ...more), "login"], { env });
    // organizations, the preset's default tenant, names no tenant.
    const noTenant = await service("--scope", "api://my-api/.default");
    assert.notEqual(noTenant.code, 0);
    assert.match(noTenant.stderr, /AADSTS50059/);
    assert.match(noTenant.stderr, /name the tenant \(its GUID or domain\)/);
    const permission = await service("--tenant", HOME_TENANT_ID, "--scope", "api://my-api/read");
    assert.notEqual(permission.code, 0);
    assert.match(
      permission.stderr,
      /Entra \(AADSTS1002012\): client credentials take one scope, RESOURCE\/\.default/,
    );
    const ok = await service("--tenant", HOME_TENANT_ID, "--scope", "api://my-api/.default");
    assert.equal(ok.code, 0, ok.stderr);
    const slot = await readSlot(`${home.stateDir}/tokens/default.json`);
    assert.equal(slot.refresh_token, undefined);
    assert.equal(slot.id_token, undefined);
  });
});
