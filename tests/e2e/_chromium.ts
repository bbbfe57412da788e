/** Starts Debian's Chromium for browser tests (not a test file itself). */

import { type Browser, chromium } from "playwright-core";

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
