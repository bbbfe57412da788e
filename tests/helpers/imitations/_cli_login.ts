/**
 * Logins through the real CLI (in process) against an imitation: the browser login with
 * `--no-browser`, its printed address followed by a programmatic browser; the device login,
 * its complete verification URI opened (which the imitations approve).
 *
 * @module
 */

import { followAuthorization } from "../../../dev/browser.ts";
import { type CliResult, type InProcessOptions, startClauth } from "../cli.ts";

/** What a login run printed and did. */
export interface LoginRun {
  result: CliResult;
  /** The address the browser was sent to (undefined when clauth failed before printing it). */
  url?: string;
  /** Where the browser ended (the loopback listener's page), and its status. */
  page?: { finalUrl: string; status: number };
}

const BROWSER_ADDRESS = /Open this address in a browser to log in:\n {2}(\S+)\n/;
const COMPLETE_URI = /Or open this address, which already holds the code:\n {2}(\S+)\n/;

/** `clauth login --flow browser --no-browser ...args`, with the printed address followed. */
export async function browserLogin(
  args: string[],
  options: InProcessOptions = {},
): Promise<LoginRun> {
  const login = startClauth(["login", "--flow", "browser", "--no-browser", ...args], options);
  const printed = await login.waitForStderr(BROWSER_ADDRESS).catch(() => undefined);
  const url = printed?.[1];
  const page = url === undefined ? undefined : await followAuthorization(url);
  const result = await login.result();
  return { result, ...(url === undefined ? {} : { url }), ...(page ? { page } : {}) };
}

/** `clauth login --flow device ...args`, approved by opening the complete verification URI. */
export async function deviceLogin(
  args: string[],
  options: InProcessOptions = {},
): Promise<LoginRun> {
  const login = startClauth(["login", "--flow", "device", ...args], options);
  const printed = await login.waitForStderr(COMPLETE_URI).catch(() => undefined);
  const url = printed?.[1];
  if (url !== undefined) await (await fetch(url)).body?.cancel();
  const result = await login.result();
  return { result, ...(url === undefined ? {} : { url }) };
}
