import assert from "node:assert/strict";
import * as oauth from "oauth4webapi";
import type { Page } from "playwright-core";
import { ClauthError } from "../../errors.ts";
import { authorizationCodeFlow } from "../../flows/grants/authorization_code.ts";
import { createClient } from "../../flows/protocol/client.ts";
import { ignoreReason, signInAsAlice, withChromium } from "./_chromium.ts";

Deno.test(
  "authorizationCodeFlow() with Chromium: sign in and consent on the real pages, back to the listener",
  { ignore: ignoreReason !== undefined },
  async () => {
    await withChromium(async (idp, browser) => {
      const client = await createClient({ issuer: idp.issuer, clientId: "demo-cli" });
      const seen: { consentScopes?: string[]; finalUrl?: string; heading?: string; text?: string } =
        {};
      let page: Page | undefined;
      let driving: Promise<void> | undefined;

      const result = await authorizationCodeFlow(client, {
        scope: "openid offline_access api:read",
        timeoutMs: 60_000,
        openBrowser: (url) => {
          driving = (async () => {
            ({ page, consentScopes: seen.consentScopes } = await signInAsAlice(browser, url));
            await page.waitForSelector("h1");
            seen.finalUrl = page.url();
            seen.heading = await page.textContent("h1") ?? "";
            seen.text = await page.textContent("body") ?? "";
          })();
          return driving.then(() => true);
        },
      });
      await driving;

      assert.equal(typeof result.response.access_token, "string");
      assert.equal(typeof result.response.refresh_token, "string");
      // The flow hands back oauth4webapi's own response object, typed as clauth's TokenResponse.
      const response = result.response as oauth.TokenEndpointResponse;
      const claims = oauth.getValidatedIdTokenClaims(response);
      assert.equal(claims?.sub, "alice");
      assert.equal(claims?.nonce, result.nonce);
      assert.deepEqual(seen.consentScopes, ["openid", "offline_access", "api:read"]);
      assert.match(seen.finalUrl ?? "", /^http:\/\/127\.0\.0\.1:\d+\/callback\?code=/);
      assert.equal(seen.heading, "Signed in");
      assert.match(seen.text ?? "", /You can close this tab and return to the terminal/);
      assert.equal(idp.counts["authorization_code"], 1);
      await page?.close();
    });
  },
);

Deno.test(
  "authorizationCodeFlow() with Chromium: Deny on the consent page ends in denied and an error page",
  { ignore: ignoreReason !== undefined },
  async () => {
    await withChromium(async (idp, browser) => {
      const client = await createClient({ issuer: idp.issuer, clientId: "demo-cli" });
      let text = "";
      let driving: Promise<void> | undefined;
      const flow = authorizationCodeFlow(client, {
        scope: "openid api:read",
        timeoutMs: 60_000,
        openBrowser: (url) => {
          driving = (async () => {
            const { page } = await signInAsAlice(browser, url, "Deny");
            text = await page.textContent("body") ?? "";
            await page.close();
          })();
          return driving.then(() => true);
        },
      });
      const error = await flow.then(() => undefined, (e) => e);
      await driving;
      assert.ok(error instanceof ClauthError, String(error));
      assert.equal(error.code, "denied");
      assert.match(error.message, /access_denied \(End-User aborted interaction\)/);
      assert.match(text, /Sign-in failed/);
      assert.match(text, /access_denied/);
      assert.match(text, /End-User aborted interaction/);
      assert.equal(idp.counts["authorization_code"], undefined);
    });
  },
);
