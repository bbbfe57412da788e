/** Logs in as alice through an auto-approving dev provider, in-process, for flow tests. */

import { followAuthorization } from "../../dev/browser.ts";
import {
  authorizationCodeFlow,
  type AuthorizationCodeResult,
} from "../../flows/grants/authorization_code.ts";
import type { Client } from "../../flows/protocol/client.ts";
import { type CliHome, makeCliHome, startClauth } from "./cli.ts";

/** Runs the browser login with a programmatic browser that follows every redirect. */
export async function loginAsAlice(
  client: Client,
  scope = "openid offline_access api:read",
): Promise<AuthorizationCodeResult> {
  let browsing: Promise<unknown> = Promise.resolve();
  try {
    return await authorizationCodeFlow(client, {
      scope,
      openBrowser: (url) => {
        browsing = followAuthorization(url);
        return Promise.resolve(true);
      },
    });
  } finally {
    await browsing.catch(() => {});
  }
}

/**
 * A CLI home whose profile "web" (the default) is logged in as alice through the real CLI
 * and a programmatic browser; `scope` is the profile's scope.
 */
export async function loggedInHome(
  issuer: string,
  scope = "openid profile email offline_access api:read",
): Promise<CliHome> {
  const home = await makeCliHome();
  await home.writeConfig({
    default_profile: "web",
    profiles: { web: { issuer, client_id: "demo-cli", flow: "browser", scope } },
  });
  // The address clauth prints is followed in this process (no browser process to start).
  const login = startClauth(["login", "--no-browser"], { env: home.env });
  const [, url] = await login.waitForStderr(
    /^Open this address in a browser to log in:\n {2}(\S+)\n/m,
  );
  await followAuthorization(url!);
  const result = await login.result();
  if (result.code !== 0) throw new Error(`login failed (exit ${result.code}):\n${result.stderr}`);
  return home;
}
