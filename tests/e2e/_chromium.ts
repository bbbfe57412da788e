/**
 * Finds and starts a headless Chromium for the browser tests (not a test file itself).
 *
 * Lookup order: the CHROMIUM_PATH environment variable; a system Chrome, Chromium or Edge at
 * the usual places on Linux, macOS and Windows; on Linux x86_64, the Chromium shipped inside
 * the npm package @sparticuz/chromium (unpacked into the temp folder the first time). When
 * none can be had the browser tests are ignored, saying why, except with CI=true, where a
 * missing browser fails them.
 */

import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { type DevProvider, startDevProvider } from "../../dev/provider.ts";

/** A browser the tests can launch. */
export interface BrowserChoice {
  /** Where it comes from, for messages. */
  source: string;
  /** The executable (the npm Chromium is unpacked on the first call). */
  executablePath: () => Promise<string>;
  /** Command-line flags for it. */
  args: readonly string[];
}

/** Either a browser, or why there is none (`fatal`: fail the tests rather than ignore them). */
export type BrowserLookup = BrowserChoice | { missing: string; fatal: boolean };

/**
 * Flags that keep Chromium from reaching for outside hosts (updates, sync, safe browsing),
 * which fail offline. Playwright passes a fresh --user-data-dir itself.
 */
const QUIET_FLAGS = [
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  "--disable-extensions",
];

/** Flags for a system browser. */
const SYSTEM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", ...QUIET_FLAGS];

/** Where Chrome, Chromium and Edge are usually installed on this platform. */
function systemBrowserPaths(): string[] {
  const home = Deno.env.get("HOME") ?? "";
  switch (Deno.build.os) {
    case "linux":
      return [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
        "/usr/bin/google-chrome-stable",
        "/opt/google/chrome/chrome",
        "/usr/bin/microsoft-edge",
        "/usr/bin/microsoft-edge-stable",
        "/snap/bin/chromium",
      ];
    case "darwin":
      return [
        "Google Chrome.app/Contents/MacOS/Google Chrome",
        "Chromium.app/Contents/MacOS/Chromium",
        "Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
      ].flatMap((
        app,
      ) => [`/Applications/${app}`, ...(home ? [`${home}/Applications/${app}`] : [])]);
    case "windows": {
      const roots = [
        Deno.env.get("PROGRAMFILES") ?? "C:\\Program Files",
        Deno.env.get("PROGRAMFILES(X86)") ?? "C:\\Program Files (x86)",
        Deno.env.get("LOCALAPPDATA"),
      ].filter((root): root is string => !!root);
      return [
        "Google\\Chrome\\Application\\chrome.exe",
        "Chromium\\Application\\chrome.exe",
        "Microsoft\\Edge\\Application\\msedge.exe",
      ].flatMap((exe) => roots.map((root) => `${root}\\${exe}`));
    }
    default:
      return [];
  }
}

/** Whether `path` is a file this process could execute. */
async function isExecutable(path: string): Promise<boolean> {
  try {
    const info = await Deno.stat(path);
    return info.isFile && (Deno.build.os === "windows" || ((info.mode ?? 0) & 0o111) !== 0);
  } catch {
    return false;
  }
}

function systemBrowser(path: string, source: string): BrowserChoice {
  return { source, executablePath: () => Promise.resolve(path), args: SYSTEM_FLAGS };
}

/** Finds a browser for the tests (see the module documentation for the order). */
export async function findBrowser(): Promise<BrowserLookup> {
  const fromEnv = Deno.env.get("CHROMIUM_PATH");
  if (fromEnv) {
    // Asked for by name: a wrong path is a mistake to report, not a reason to skip.
    return await isExecutable(fromEnv)
      ? systemBrowser(fromEnv, `CHROMIUM_PATH (${fromEnv})`)
      : { missing: `CHROMIUM_PATH is set to ${fromEnv}, which is not an executable`, fatal: true };
  }
  for (const path of systemBrowserPaths()) {
    if (await isExecutable(path)) return systemBrowser(path, path);
  }
  if (Deno.build.os === "linux" && Deno.build.arch === "x86_64") {
    // Loaded only here, so that other platforms never evaluate it.
    const { default: pkg } = await import("@sparticuz/chromium");
    return {
      source: "npm:@sparticuz/chromium",
      executablePath: () => unpackedNpmChromium ??= unpackNpmChromium(pkg),
      args: [...pkg.args, ...QUIET_FLAGS],
    };
  }
  const npm = Deno.build.os === "linux"
    ? "the npm package @sparticuz/chromium ships an x86_64 Chromium only"
    : "the npm package @sparticuz/chromium is for Linux only";
  return {
    missing: `no Chrome, Chromium or Edge found (set CHROMIUM_PATH), and ${npm}` +
      ` (this is ${Deno.build.os} ${Deno.build.arch})`,
    fatal: false,
  };
}

let unpackedNpmChromium: Promise<string> | undefined;

/**
 * Unpacks the npm package's Chromium (once per machine) and returns its path.
 *
 * `executablePath()` writes `<tmp>/chromium` in place and returns it as soon as that path
 * exists, so a second process starting meanwhile would launch a half-written file ("Text file
 * busy"), and an unpack that was interrupted would be reused forever. Hence: an exclusive lock
 * on a file in the temp folder (other test workers wait for it to be released), and a stamp
 * written only after a complete unpack; without a matching stamp, the file is unpacked anew.
 */
async function unpackNpmChromium(
  pkg: typeof import("@sparticuz/chromium").default,
): Promise<string> {
  const executable = join(tmpdir(), "chromium");
  const stampFile = join(tmpdir(), "chromium.clauth-unpacked");
  const stampOf = (info: Deno.FileInfo) => `${info.size} ${info.mtime?.getTime()}`;
  const lock = await Deno.open(join(tmpdir(), "chromium.clauth-lock"), {
    create: true,
    write: true,
  });
  try {
    await lock.lock(true);
    const [current, stamp] = await Promise.all([
      Deno.stat(executable).then(stampOf, () => undefined),
      Deno.readTextFile(stampFile).catch(() => undefined),
    ]);
    if (current !== undefined && current === stamp) return executable;
    await Deno.remove(executable).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
    const path = await pkg.executablePath();
    await Deno.writeTextFile(stampFile, stampOf(await Deno.stat(path)));
    return path;
  } finally {
    lock.close(); // releases the lock
  }
}

/** The browser the tests use, or why there is none. */
export const browser: BrowserLookup = await findBrowser();

/** Whether CI asked for every test to run (CI=true): a missing browser then fails. */
const inCi = /^(true|1)$/i.test(Deno.env.get("CI") ?? "");

/** Why the browser tests are ignored, or undefined when they run (or must fail). */
export const ignoreReason: string | undefined = "missing" in browser && !browser.fatal && !inCi
  ? browser.missing
  : undefined;
if (ignoreReason) console.log(`Browser tests ignored: ${ignoreReason}.`);

/** Launches the headless browser; fails when there is none (see {@linkcode ignoreReason}). */
export async function launchChromium(): Promise<Browser> {
  if ("missing" in browser) {
    throw new Error(
      `No browser for the browser tests: ${browser.missing}.` +
        (inCi ? " CI=true makes this a failure rather than a reason to skip them." : ""),
    );
  }
  return await chromium.launch({
    executablePath: await browser.executablePath(),
    args: [...browser.args],
    headless: true,
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
