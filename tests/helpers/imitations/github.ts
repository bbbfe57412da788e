/**
 * A local imitation of GitHub's OAuth endpoints and of the REST API's "Get the authenticated
 * user", written from GitHub's docs, for tests of the github preset through the real CLI:
 *
 * - GET /login/oauth/authorize: approves at once as the user (or denies) and redirects with
 *   `code` and `state` (no `iss`); callback URL rules, PKCE S256.
 *   https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#web-application-flow
 * - POST /login/device/code, and polling POST /login/oauth/access_token with its errors in
 *   HTTP 200, `slow_down` adding 5 s to the interval and naming it (./github_grants.ts).
 *   https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#device-flow
 * - POST /login/oauth/access_token: the code needs the client secret; GitHub App user tokens
 *   expire (8 h) with a refresh token (6 months) that rotates on use, and refresh needs the
 *   secret unless the token came from the device flow; OAuth app tokens never expire.
 *   https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
 * - GET /api/v3/user (as on GitHub Enterprise Server) with a token; DELETE
 *   /api/v3/applications/{client_id}/grant with the app's Basic credentials.
 *   https://docs.github.com/en/rest/users/users#get-the-authenticated-user
 *   https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-authorization
 *
 * Answers are form-encoded unless the request accepts JSON (./github_wire.ts). It listens on
 * 127.0.0.1 (port 0): the preset reaches it with the host "127.0.0.1:PORT".
 */

import { hex, type ImitatedApp, parametersOf, redirectAllowed } from "./github_wire.ts";
import { type Answer, answerer, GitHubGrants, type ImitatedRequest } from "./github_grants.ts";

export type { ImitatedApp } from "./github_wire.ts";
export type { ImitatedRequest } from "./github_grants.ts";

const CALLBACK = "http://127.0.0.1/callback";
/** An OAuth app with the device flow on; callback http://127.0.0.1/callback. */
export const OAUTH_APP: ImitatedApp = {
  clientId: "Ov23liOAuthAppClient1",
  clientSecret: "oauth-app-secret-0123456789abcdef01234567",
  kind: "oauth-app",
  callbackUrls: [CALLBACK],
  deviceFlow: true,
};
/** A GitHub App with the device flow on and expiring user tokens. */
export const GITHUB_APP: ImitatedApp = {
  clientId: "Iv23liGitHubAppClient",
  clientSecret: "github-app-secret-0123456789abcdef0123456",
  kind: "github-app",
  callbackUrls: [CALLBACK],
  deviceFlow: true,
};
/** An OAuth app whose owner never ticked "Enable Device Flow". */
export const NO_DEVICE_APP: ImitatedApp = {
  ...OAUTH_APP,
  clientId: "Ov23liNoDeviceFlow001",
  deviceFlow: false,
};

/** The user every approval is for, as /user shows them. */
export const OCTOCAT = {
  login: "octocat",
  id: 583231,
  node_id: "MDQ6VXNlcjU4MzIzMQ==",
  type: "User",
  site_admin: false,
  name: "The Octocat",
  company: "@github",
  email: "octocat@github.com",
};

export interface GitHubImitationOptions {
  /** The registered apps (default: OAUTH_APP, GITHUB_APP, NO_DEVICE_APP). */
  apps?: ImitatedApp[];
  /** The device flow's polling interval in seconds (GitHub: 5). */
  interval?: number;
  /** The clock, in milliseconds (intervals, expiries). */
  now?: () => number;
  /** Whether the user denies in the browser. */
  deny?: boolean;
}

/** Starts the imitation; close it at the end of the test. */
export function startGitHubImitation(options: GitHubImitationOptions = {}) {
  const grants = new GitHubGrants(
    options.apps ?? [OAUTH_APP, GITHUB_APP, NO_DEVICE_APP],
    options.now ?? Date.now,
    options.interval ?? 5,
  );
  const requests: ImitatedRequest[] = [];
  const waiters: {
    match: (request: ImitatedRequest) => boolean;
    resolve: (request: ImitatedRequest) => void;
  }[] = [];

  function authorize(params: URLSearchParams): Response {
    const app = grants.appOf(params.get("client_id"));
    if (!app) return new Response("Not Found", { status: 404 });
    const callback = params.get("redirect_uri") ?? app.callbackUrls[0]!;
    const state = params.get("state");
    const back = (target: string, answer: Record<string, string>) => {
      const location = new URL(target);
      for (const [name, value] of Object.entries(answer)) location.searchParams.set(name, value);
      if (state !== null) location.searchParams.set("state", state);
      return new Response(null, { status: 302, headers: { location: location.href } });
    };
    // A redirect_uri that does not match goes back to the registered callback with the error.
    // https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-authorization-request-errors
    if (!redirectAllowed(app, callback)) {
      return back(app.callbackUrls[0]!, { error: "redirect_uri_mismatch" });
    }
    const challenge = params.get("code_challenge") ?? undefined;
    // "Only the S256 code challenge method is accepted."
    if (challenge && params.get("code_challenge_method") !== "S256") {
      return new Response("code_challenge_method must be S256", { status: 400 });
    }
    if (options.deny) return back(callback, { error: "access_denied" });
    const code = hex(20);
    grants.codes.set(code, {
      app,
      scope: params.get("scope") ?? "",
      viaDevice: false,
      expiresAt: grants.now() + 600_000, // "The temporary code will expire after 10 minutes."
      ...(params.has("redirect_uri") ? { redirectUri: callback } : {}),
      ...(challenge ? { challenge } : {}),
    });
    return back(callback, { code });
  }

  function user(request: Request): Response {
    // "All API requests must include a valid User-Agent header."
    if (!request.headers.get("user-agent")) {
      return Response.json({ message: "Forbidden" }, { status: 403 });
    }
    const given = request.headers.get("authorization")?.match(/^(?:Bearer|token) (\S+)$/i)?.[1];
    if (!given || !grants.live(given)) {
      const body = {
        message: "Bad credentials",
        documentation_url: "https://docs.github.com/rest",
        status: "401",
      };
      return Response.json(body, { status: 401 });
    }
    return Response.json(OCTOCAT);
  }

  /** DELETE /applications/{client_id}/grant: Basic auth with the app's id and secret. */
  async function deleteGrant(request: Request, clientId: string): Promise<Response> {
    const app = grants.appOf(clientId);
    const basic = `Basic ${btoa(`${clientId}:${app?.clientSecret}`)}`;
    if (!app || request.headers.get("authorization") !== basic) {
      return Response.json({ message: "Not Found" }, { status: 404 });
    }
    const { access_token } = await request.json();
    if (!grants.live(access_token)) return new Response(null, { status: 422 });
    grants.revoke(app);
    return new Response(null, { status: 204 });
  }

  async function route(request: Request, params: URLSearchParams, answer: Answer) {
    const { pathname } = new URL(request.url);
    const where = `${request.method} ${pathname}`;
    if (where === "GET /login/oauth/authorize") return authorize(params);
    if (where === "POST /login/device/code") return grants.deviceCode(params, answer, origin);
    if (where === "GET /api/v3/user") return user(request);
    const grant = pathname.match(/^\/api\/v3\/applications\/([^/]+)\/grant$/);
    if (request.method === "DELETE" && grant) return await deleteGrant(request, grant[1]!);
    if (where !== "POST /login/oauth/access_token") {
      return new Response("Not Found", { status: 404 });
    }
    // The code exchange needs no grant_type at GitHub.
    const grantType = params.get("grant_type") ?? "authorization_code";
    if (grantType === "authorization_code") return await grants.exchangeCode(params, answer);
    if (grantType === "urn:ietf:params:oauth:grant-type:device_code") {
      return grants.pollDevice(params, answer);
    }
    if (grantType === "refresh_token") return grants.refresh(params, answer);
    return answer.error("unsupported_grant_type");
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    // The body is read here once: no route reads it again (DELETE reads its own JSON body).
    const params = request.method === "POST" ? await parametersOf(request) : url.searchParams;
    const record: ImitatedRequest = {
      method: request.method,
      path: url.pathname,
      accept: request.headers.get("accept"),
      authorization: request.headers.get("authorization"),
      params,
    };
    requests.push(record);
    const response = await route(request, params, answerer(request, record));
    record.status ??= response.status;
    for (const waiter of waiters.filter((w) => w.match(record))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(record);
    }
    return response;
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handle);
  const host = `127.0.0.1:${server.addr.port}`;
  const origin = `http://${host}`;
  return {
    /** The value for `--host`. */
    host,
    origin,
    /** Every request, in order, with what it was answered. */
    requests,
    /** The first answered request that `match` accepts, now or when it comes. */
    waitFor(match: (request: ImitatedRequest) => boolean): Promise<ImitatedRequest> {
      const seen = requests.find((r) => r.status !== undefined && match(r));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    /** The user enters `code` on the verification page and authorizes the app. */
    approve: (code: string) => grants.decide(code, "approved"),
    /** The user enters `code` and clicks Cancel. */
    deny: (code: string) => grants.decide(code, "denied"),
    /** Whether GitHub still accepts this access token. */
    accepts: (token: string) => grants.live(token) !== undefined,
    /** The user revokes the app in their settings: every token of it ends. */
    revoke: (app: ImitatedApp) => grants.revoke(app),
    close: () => server.shutdown(),
  };
}

export type GitHubImitation = ReturnType<typeof startGitHubImitation>;
