/** Starts Debian's Chromium for browser tests (not a test file itself). */

import { type Browser, chromium, type Page } from "playwright-core";
import { type DevProvider, startDevProvider } from "../../dev/provider.ts";

/** Where Debian's `chromium` package puts the browser; CHROMIUM_PATH overrides it. */
export const CHROMIUM_PATH = Deno.env.get("CHROMIUM_PATH") || "/usr/bin/chromium";

/**
 * Launches headless Chromium. Fails (never skips) when it is not installed, saying how to
 * install it.
 */
export async function launchChromium(): Promise<Browser> {
  try {
    await Deno.stat(CHROMIUM_PATH);
  } catch {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: run "apt-get update && apt-get install -y chromium" (or set CHROMIUM_PATH) to run the browser tests.`,
    );
  }
  return await chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Playwright passes a fresh --user-data-dir itself. The flags keep Chromium from
    // reaching for outside hosts (updates, sync, safe browsing), which fail offline.
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-default-apps",
      "--disable-extensions",
    ],
  });
}

/** Starts the dev provider with its real pages and Chromium, runs `fn`, and closes both. */
export async function withChromium(
  fn: (idp: DevProvider, browser: Browser) => Promise<void>,
): Promise<void> {
  const idp = await startDevProvider({ autoApprove: false });
  const browser = await launchChromium().catch(async (error) => {
    await idp.close();
    throw error;
  });
  try {
    await fn(idp, browser);
  } finally {
    await browser.close();
    await idp.close();
  }
}

/**
 * Opens `url` in a new page, signs in as alice, answers the consent page, and waits until
 * the browser is back at the loopback callback. Returns the page (on the callback) and the
 * scopes the consent page listed.
 */
export async function signInAsAlice(
  browser: Browser,
  url: string,
  answer: "Allow" | "Deny" = "Allow",
): Promise<{ page: Page; consentScopes: string[] }> {
  const page = await browser.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(url);
  await page.waitForSelector('body[data-page="login"]');
  await page.fill('input[name="login"]', "alice");
  await page.fill('input[name="password"]', "anything");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForSelector('body[data-page="consent"]');
  const consentScopes = await page.locator("#scopes li").allTextContents();
  await page.getByRole("button", { name: answer }).click();
  await page.waitForURL((u) => u.pathname === "/callback");
  return { page, consentScopes };
}
