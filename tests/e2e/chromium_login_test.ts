import assert from "node:assert/strict";
import * as oauth from "oauth4webapi";
import type { Page } from "playwright-core";
import { startDevProvider } from "../../dev/provider.ts";
import { ClauthError } from "../../errors.ts";
import { authorizationCodeFlow } from "../../flows/authorization_code.ts";
import { createClient } from "../../flows/client.ts";
import { launchChromium } from "./_chromium.ts";

Deno.test("authorizationCodeFlow() with Chromium: sign in and consent on the real pages, back to the listener", async () => {
  const idp = await startDevProvider({ autoApprove: false });
  const browser = await launchChromium().catch(async (error) => {
    await idp.close();
    throw error;
  });
  try {
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
          page = await browser.newPage();
          page.setDefaultTimeout(20_000);
          await page.goto(url);
          await page.waitForSelector('body[data-page="login"]');
          await page.fill('input[name="login"]', "alice");
          await page.fill('input[name="password"]', "anything");
          await page.getByRole("button", { name: "Sign in" }).click();
          await page.waitForSelector('body[data-page="consent"]');
          seen.consentScopes = await page.locator("#scopes li").allTextContents();
          await page.getByRole("button", { name: "Allow" }).click();
          await page.waitForURL((u) => u.pathname === "/callback");
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
    const claims = oauth.getValidatedIdTokenClaims(result.response);
    assert.equal(claims?.sub, "alice");
    assert.equal(claims?.nonce, result.nonce);
    assert.deepEqual(seen.consentScopes, ["openid", "offline_access", "api:read"]);
    assert.match(seen.finalUrl ?? "", /^http:\/\/127\.0\.0\.1:\d+\/callback\?code=/);
    assert.equal(seen.heading, "Signed in");
    assert.match(seen.text ?? "", /You can close this tab and return to the terminal/);
    assert.equal(idp.counts["authorization_code"], 1);
    await page?.close();
  } finally {
    await browser.close();
    await idp.close();
  }
});

Deno.test("authorizationCodeFlow() with Chromium: Deny on the consent page ends in denied and an error page", async () => {
  const idp = await startDevProvider({ autoApprove: false });
  const browser = await launchChromium().catch(async (error) => {
    await idp.close();
    throw error;
  });
  try {
    const client = await createClient({ issuer: idp.issuer, clientId: "demo-cli" });
    let text = "";
    let driving: Promise<void> | undefined;
    const flow = authorizationCodeFlow(client, {
      scope: "openid api:read",
      timeoutMs: 60_000,
      openBrowser: (url) => {
        driving = (async () => {
          const page = await browser.newPage();
          page.setDefaultTimeout(20_000);
          await page.goto(url);
          await page.fill('input[name="login"]', "alice");
          await page.getByRole("button", { name: "Sign in" }).click();
          await page.getByRole("button", { name: "Deny" }).click();
          await page.waitForURL((u) => u.pathname === "/callback");
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
  } finally {
    await browser.close();
    await idp.close();
  }
});
