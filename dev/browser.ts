/**
 * A "fake browser" for the demo and the tests: opens an authorization URL, keeps cookies,
 * follows every redirect through the dev provider's (auto-approved) interaction, and
 * finally delivers the redirect to the client's loopback listener.
 *
 * As a script it stands in for a real browser: `BROWSER="deno run --allow-net dev/browser.ts"`
 * (clauth runs `$BROWSER URL`). Exit 0 when the flow left the authorization server and the
 * last page answered below 400; otherwise exit 1 with a message on stderr.
 */

import { navigate } from "./_http.ts";
import { errorMessageOf, PAGE, pageOf } from "./_pages.ts";

export interface FollowAuthorizationOptions {
  fetch?: typeof fetch;
  /** Redirects to follow before giving up (default 20). */
  maxRedirects?: number;
}

export interface FollowAuthorizationResult {
  /** URL of the last response: normally the client's redirect_uri with `code` (or `error`). */
  finalUrl: string;
  /** HTTP status of that last response (the loopback listener's answer). */
  status: number;
}

/**
 * GETs `url` with a cookie jar and follows redirects (relative and absolute) until a response
 * is not a redirect; that includes the last hop to the client's loopback redirect_uri.
 */
export async function followAuthorization(
  url: string,
  options: FollowAuthorizationOptions = {},
): Promise<FollowAuthorizationResult> {
  const page = await navigate(url, {}, {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.maxRedirects !== undefined ? { maxRedirects: options.maxRedirects } : {}),
  });
  return { finalUrl: page.url, status: page.status };
}

async function main(args: string[]): Promise<number> {
  const [url, ...rest] = args;
  if (url === undefined || rest.length > 0 || url === "-h" || url === "--help") {
    console.error("usage: deno run --allow-net dev/browser.ts AUTHORIZATION_URL");
    return url === "-h" || url === "--help" ? 0 : 1;
  }
  let start: URL;
  try {
    start = new URL(url);
  } catch {
    console.error(`browser.ts: not a URL: ${url}`);
    return 1;
  }
  try {
    const page = await navigate(start, {});
    const final = new URL(page.url);
    if (final.origin === start.origin) {
      const where = pageOf(page.text);
      const hint = where === PAGE.login || where === PAGE.consent
        ? " (the provider shows a login/consent page: start it with autoApprove / --auto-approve)"
        : "";
      const detail = errorMessageOf(page.text);
      console.error(
        `browser.ts: stopped at ${page.url} (HTTP ${page.status})${
          detail ? `: ${detail}` : ""
        }${hint}`,
      );
      return 1;
    }
    if (page.status >= 400) {
      console.error(`browser.ts: ${page.url} answered HTTP ${page.status}`);
      return 1;
    }
    return 0;
  } catch (error) {
    console.error(`browser.ts: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
