import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import * as oauth from "oauth4webapi";
import { browserCommands, canOpenBrowser, openBrowser } from "../../../cli/browser_opener.ts";
import { followAuthorization } from "../../../dev/browser.ts";
import type { DevProvider } from "../../../dev/provider.ts";
import {
  authorizationCodeFlow,
  type AuthorizationCodeOptions,
} from "../../../flows/grants/authorization_code.ts";
import { type Client, createClient } from "../../../flows/protocol/client.ts";
import { decodeJwt } from "../../../flows/tokens/jwt.ts";
import type { FlowDependencies } from "../../../flows/protocol/dependencies.ts";
import { rejectsWith } from "../../helpers/assertions.ts";
import { withProvider } from "../../helpers/dev_provider.ts";

function clientFor(idp: DevProvider, deps: FlowDependencies = {}): Promise<Client> {
  return createClient({ issuer: idp.issuer, clientId: "demo-cli" }, deps);
}

/**
 * A stand-in for the user's browser: runs `act` with the authorization URL and keeps track of
 * it, so a test can wait for its last request before the sanitizers look.
 */
function fakeBrowser(act: (url: URL) => Promise<unknown>, opened = true) {
  const runs: Promise<unknown>[] = [];
  const urls: URL[] = [];
  return {
    urls,
    openBrowser(url: string): Promise<boolean> {
      urls.push(new URL(url));
      const run = act(new URL(url));
      runs.push(run);
      return run.then(() => opened);
    },
    async finished(): Promise<void> {
      await Promise.allSettled(runs);
    },
  };
}

/**
 * Most tests here read the plain authorization request off the URL (its state, redirect URI,
 * nonce), so they turn PAR off: the dev provider offers it, and clauth then pushes the request
 * (see the PAR tests).
 */
const PLAIN = "never" as const;

/** The redirect URI and state of an authorization URL. */
function callbackBase(url: URL): { redirectUri: string; state: string } {
  return {
    redirectUri: url.searchParams.get("redirect_uri") ?? "",
    state: url.searchParams.get("state") ?? "",
  };
}

async function getStatus(url: string): Promise<number> {
  const response = await fetch(url);
  await response.body?.cancel();
  return response.status;
}

Deno.test("authorizationCodeFlow() logs in through the browser and returns access, refresh and ID tokens", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const client = await clientFor(idp);
    const browser = fakeBrowser((url) => followAuthorization(url.href));
    const printed: string[] = [];
    const result = await authorizationCodeFlow(client, {
      par: PLAIN,
      scope: "openid offline_access api:read",
      openBrowser: browser.openBrowser,
      onAuthorizationUrl: (url) => printed.push(url),
    });
    await browser.finished();

    assert.equal(typeof result.response.access_token, "string");
    assert.equal(typeof result.response.refresh_token, "string");
    assert.equal(typeof result.response.id_token, "string");
    assert.equal(result.response.scope, "openid offline_access api:read");
    assert.equal(result.authMethod, "none");
    // The flow hands back oauth4webapi's own response object, typed as clauth's TokenResponse.
    const response = result.response as oauth.TokenEndpointResponse;
    const claims = oauth.getValidatedIdTokenClaims(response);
    assert.equal(claims?.sub, "alice");
    assert.equal(typeof result.nonce, "string");
    assert.equal(claims?.nonce, result.nonce);

    assert.equal(printed.length, 1);
    const url = new URL(printed[0]!);
    assert.equal(url.href, browser.urls[0]?.href, "the printed URL is the opened one");
    assert.equal(url.origin + url.pathname, `${idp.issuer}/auth`);
    assert.equal(url.searchParams.get("client_id"), "demo-cli");
    assert.equal(url.searchParams.get("response_type"), "code");
    assert.equal(url.searchParams.get("code_challenge_method"), "S256");
    assert.match(url.searchParams.get("code_challenge") ?? "", /^[\w-]{43}$/);
    assert.equal(url.searchParams.get("prompt"), "consent");
    assert.equal(url.searchParams.get("nonce"), result.nonce);
    assert.ok((url.searchParams.get("state") ?? "").length >= 22);
    assert.match(
      url.searchParams.get("redirect_uri") ?? "",
      /^http:\/\/127\.0\.0\.1:\d+\/callback$/,
    );
    assert.equal(idp.counts["authorization_code"], 1);
    // The listener is gone once the flow returns.
    await assert.rejects(fetch(url.searchParams.get("redirect_uri")!));
  });
});

Deno.test("authorizationCodeFlow() sends no nonce or prompt without openid and offline_access", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const client = await clientFor(idp);
    const browser = fakeBrowser((url) => followAuthorization(url.href));
    const result = await authorizationCodeFlow(client, {
      par: PLAIN,
      scope: "api:read",
      openBrowser: browser.openBrowser,
      extraParameters: { login_hint: "alice" },
    });
    await browser.finished();
    const url = browser.urls[0]!;
    assert.equal(url.searchParams.has("nonce"), false);
    assert.equal(url.searchParams.has("prompt"), false);
    assert.equal(url.searchParams.get("login_hint"), "alice");
    assert.equal(result.nonce, undefined);
    assert.equal(result.response.id_token, undefined);
    assert.equal(result.response.refresh_token, undefined);
    assert.equal(typeof result.response.access_token, "string");
  });
});

Deno.test("authorizationCodeFlow() reports access_denied as denied, with the description", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const client = await clientFor(idp);
    let pageStatus = 0;
    const browser = fakeBrowser(async (url) => {
      const { redirectUri, state } = callbackBase(url);
      const query = new URLSearchParams({
        error: "access_denied",
        error_description: "End-User aborted interaction",
        state,
        iss: idp.issuer,
      });
      pageStatus = await getStatus(`${redirectUri}?${query}`);
    });
    const error = await rejectsWith(
      authorizationCodeFlow(client, {
        par: PLAIN,
        scope: "openid",
        openBrowser: browser.openBrowser,
      }),
      "denied",
      /denied.*access_denied.*End-User aborted interaction/,
    );
    await browser.finished();
    assert.equal(pageStatus, 403);
    assert.ok(error.cause instanceof oauth.AuthorizationResponseError);
  });
});

Deno.test("authorizationCodeFlow() reports other error callbacks as server errors", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const client = await clientFor(idp);
    const browser = fakeBrowser(async (url) => {
      const { redirectUri, state } = callbackBase(url);
      const query = new URLSearchParams({
        error: "invalid_scope",
        error_description: "scope\u001b[31m not allowed",
        state,
        iss: idp.issuer,
      });
      await getStatus(`${redirectUri}?${query}`);
    });
    const error = await rejectsWith(
      authorizationCodeFlow(client, {
        par: PLAIN,
        scope: "nope",
        openBrowser: browser.openBrowser,
      }),
      "server",
      /refused the login: invalid_scope \(scope\\u001b\[31m not allowed\)/,
    );
    await browser.finished();
    assert.ok(!error.message.includes("\u001b"), "control characters are escaped");
  });
});

Deno.test("authorizationCodeFlow() ignores stray requests and callbacks with the wrong state", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const client = await clientFor(idp);
    const statuses: number[] = [];
    const browser = fakeBrowser(async (url) => {
      const { redirectUri } = callbackBase(url);
      const origin = new URL(redirectUri).origin;
      statuses.push(await getStatus(`${origin}/favicon.ico`));
      statuses.push(await getStatus(`${redirectUri}?code=forged&state=wrong&iss=${idp.issuer}`));
      statuses.push(await getStatus(`${redirectUri}?code=forged&iss=${idp.issuer}`));
      const final = await followAuthorization(url.href);
      statuses.push(final.status);
    });
    const result = await authorizationCodeFlow(client, {
      par: PLAIN,
      scope: "openid api:read",
      openBrowser: browser.openBrowser,
    });
    await browser.finished();
    assert.deepEqual(statuses, [404, 400, 400, 200]);
    assert.equal(typeof result.response.access_token, "string");
    assert.equal(idp.counts["authorization_code"], 1, "the forged code never reached the server");
  });
});

Deno.test("authorizationCodeFlow() times out as expired when no callback comes", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const client = await clientFor(idp);
    let redirectUri = "";
    const started = performance.now();
    const error = await rejectsWith(
      authorizationCodeFlow(client, {
        par: PLAIN,
        openBrowser: (url) => {
          redirectUri = callbackBase(new URL(url)).redirectUri;
          return Promise.resolve(true);
        },
        timeoutMs: 150,
      }),
      "expired",
      /login timed out: no answer came back from the browser within 150 ms/,
    );
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 140 && elapsed < 2000, `took ${elapsed} ms`);
    assert.match(error.message, /Run the login again/);
    await assert.rejects(fetch(redirectUri), "the listener is closed after the timeout");
  });
});

Deno.test("authorizationCodeFlow() uses the injected sleep for its timeout", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    let requested = 0;
    const client = await clientFor(idp, {
      sleep: (ms) => {
        requested = ms;
        return Promise.resolve();
      },
    });
    await rejectsWith(
      authorizationCodeFlow(client, { par: PLAIN, openBrowser: () => Promise.resolve(true) }),
      "expired",
      /within 5 minutes/,
    );
    assert.equal(requested, 5 * 60_000);
  });
});

Deno.test("authorizationCodeFlow() stops at once when its signal aborts (Ctrl-C)", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const controller = new AbortController();
    const client = await clientFor(idp, { signal: controller.signal });
    const reason = new Error("interrupted");
    const started = performance.now();
    await assert.rejects(
      authorizationCodeFlow(client, {
        par: PLAIN,
        // The browser "opened": the flow now waits for the callback, and Ctrl-C comes.
        openBrowser: () => {
          controller.abort(reason);
          return Promise.resolve(true);
        },
      }),
      (error) => error === reason,
    );
    // Not stopped, it would wait for its 5-minute login timeout: 10 s is a generous margin.
    assert.ok(performance.now() - started < 10_000);
  });
});

Deno.test("authorizationCodeFlow() refuses a callback whose iss names another issuer (RFC 9207)", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const client = await clientFor(idp);
    let page = "";
    const browser = fakeBrowser(async (url) => {
      const { redirectUri, state } = callbackBase(url);
      const query = new URLSearchParams({ code: "stolen", state, iss: "https://evil.example" });
      page = await (await fetch(`${redirectUri}?${query}`)).text();
    });
    const error = await rejectsWith(
      authorizationCodeFlow(client, {
        par: PLAIN,
        scope: "openid",
        openBrowser: browser.openBrowser,
      }),
      "server",
      /iss is https:\/\/evil\.example, expected http:\/\/127\.0\.0\.1:\d+\. The login was refused/,
    );
    await browser.finished();
    assert.doesNotMatch(error.message, /stolen/, "the code is never quoted");
    assert.match(page, /Sign-in failed/);
    assert.match(page, /evil\.example/);
    assert.equal(idp.counts["authorization_code"], undefined, "no token request was made");
  });
});

Deno.test("authorizationCodeFlow() refuses a callback without iss when the server advertises it", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const client = await clientFor(idp);
    assert.equal(client.as.authorization_response_iss_parameter_supported, true);
    const browser = fakeBrowser(async (url) => {
      const { redirectUri, state } = callbackBase(url);
      await getStatus(`${redirectUri}?code=c&state=${state}`);
    });
    await rejectsWith(
      authorizationCodeFlow(client, { par: PLAIN, openBrowser: browser.openBrowser }),
      "server",
      /no iss parameter.*authorization_response_iss_parameter_supported/,
    );
    await browser.finished();
  });
});

Deno.test("authorizationCodeFlow() takes a pasted redirect URL when no browser could be opened", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const client = await clientFor(idp);
    let authorizationUrl = "";
    let listenerOrigin = "";
    // The browser runs on another machine: its last hop to 127.0.0.1 never reaches us.
    const capture: typeof fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.origin === listenerOrigin) {
        return Promise.resolve(new Response("connection refused", { status: 502 }));
      }
      return fetch(input, init);
    };
    const problems: (string | undefined)[] = [];
    const options: AuthorizationCodeOptions = {
      par: PLAIN,
      scope: "openid offline_access",
      openBrowser: () => Promise.resolve(false),
      onAuthorizationUrl: (url) => {
        authorizationUrl = url;
        listenerOrigin = new URL(callbackBase(new URL(url)).redirectUri).origin;
      },
      readPastedRedirect: async (signal, problem) => {
        assert.equal(signal.aborted, false);
        problems.push(problem);
        if (problems.length === 1) return "  not a url  ";
        if (problems.length === 2) return `${listenerOrigin}/callback?code=x&state=old-login`;
        const final = await followAuthorization(authorizationUrl, { fetch: capture });
        return `  ${final.finalUrl}\n`;
      },
    };
    const result = await authorizationCodeFlow(client, options);
    assert.equal(typeof result.response.refresh_token, "string");
    assert.equal(problems.length, 3);
    assert.equal(problems[0], undefined);
    assert.match(problems[1] ?? "", /not the address/);
    assert.match(problems[2] ?? "", /another login/);
  });
});

Deno.test("authorizationCodeFlow() validates a pasted URL like a callback (iss)", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const client = await clientFor(idp);
    let state = "";
    await rejectsWith(
      authorizationCodeFlow(client, {
        par: PLAIN,
        openBrowser: () => Promise.resolve(false),
        onAuthorizationUrl: (url) => (state = new URL(url).searchParams.get("state")!),
        readPastedRedirect: () =>
          Promise.resolve(
            `code=c&state=${state}&iss=${encodeURIComponent("https://evil.example")}`,
          ),
      }),
      "server",
      /iss is https:\/\/evil\.example/,
    );
  });
});

Deno.test("authorizationCodeFlow() uses PAR when the server requires it", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    // The dev provider offers PAR but does not require it: say it does, in its metadata.
    const requirePar: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = input instanceof Request ? input.url : String(input);
      if (!url.endsWith("/.well-known/openid-configuration")) return response;
      const body = { ...(await response.json()), require_pushed_authorization_requests: true };
      return Response.json(body, { headers: response.headers });
    };
    const client = await clientFor(idp, { fetch: requirePar });
    const browser = fakeBrowser((url) => followAuthorization(url.href));
    const result = await authorizationCodeFlow(client, {
      scope: "openid api:read",
      openBrowser: browser.openBrowser,
    });
    await browser.finished();
    assert.equal(typeof result.response.id_token, "string");
    const url = browser.urls[0]!;
    assert.deepEqual([...url.searchParams.keys()].sort(), ["client_id", "request_uri"]);
    assert.match(url.searchParams.get("request_uri") ?? "", /^urn:ietf:params:oauth:request_uri:/);
    assert.equal(idp.counts["pushed_authorization_request"], 1);
  });
});

Deno.test("authorizationCodeFlow() pushes the request whenever the server offers PAR (RFC 9126 §5), with resource, audience and max_age", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const client = await clientFor(idp);
    assert.equal(client.as.require_pushed_authorization_requests, undefined);
    const browser = fakeBrowser((url) => followAuthorization(url.href));
    const result = await authorizationCodeFlow(client, {
      scope: "openid api:read",
      resource: ["https://api.example.com/"],
      maxAge: 600,
      openBrowser: browser.openBrowser,
    });
    await browser.finished();
    const url = browser.urls[0]!;
    assert.deepEqual([...url.searchParams.keys()].sort(), ["client_id", "request_uri"]);
    assert.equal(idp.counts["pushed_authorization_request"], 1);
    const { claims } = decodeJwt(result.response.access_token);
    assert.equal(claims.aud, "https://api.example.com/", "the resource reached the server");
  });
});

Deno.test("authorizationCodeFlow() with par: never sends the plain request although PAR is offered", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const client = await clientFor(idp);
    const browser = fakeBrowser((url) => followAuthorization(url.href));
    await authorizationCodeFlow(client, {
      par: "never",
      scope: "openid",
      openBrowser: browser.openBrowser,
    });
    await browser.finished();
    assert.equal(browser.urls[0]!.searchParams.get("response_type"), "code");
    assert.equal(idp.counts["pushed_authorization_request"] ?? 0, 0);
  });
});

Deno.test("authorizationCodeFlow() with par: always and no PAR endpoint is a usage error naming it", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const client = await clientFor(idp);
    const { pushed_authorization_request_endpoint: _, ...withoutPar } = client.as;
    const noPar = { ...client, as: withoutPar };
    await rejectsWith(
      authorizationCodeFlow(noPar, { par: "always", openBrowser: () => Promise.resolve(true) }),
      "usage",
      /advertises no pushed_authorization_request_endpoint, which pushed authorization requests \(turned on for this login\) needs/,
    );
  });
});

Deno.test("authorizationCodeFlow() refuses extra parameters that would replace its own", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const client = await clientFor(idp);
    let opened = false;
    await rejectsWith(
      authorizationCodeFlow(client, {
        par: PLAIN,
        openBrowser: () => Promise.resolve(opened = true),
        extraParameters: { state: "mine", code_challenge: "x" },
      }),
      "usage",
      /clauth sets state, code_challenge itself/,
    );
    assert.equal(opened, false);
  });
});

Deno.test("authorizationCodeFlow() with openBrowser() running $BROWSER (dev/browser.ts)", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const client = await clientFor(idp);
    const script = fileURLToPath(new URL("../../../dev/browser.ts", import.meta.url));
    const env = new Map([["BROWSER", `${Deno.execPath()} run --allow-net ${script}`]]);
    let opened: Promise<boolean> | undefined;
    const result = await authorizationCodeFlow(client, {
      par: PLAIN,
      scope: "openid api:read",
      openBrowser: (url) => (opened = openBrowser(url, env, "linux")),
    });
    assert.equal(typeof result.response.access_token, "string");
    assert.equal(await opened, true, "dev/browser.ts exits 0 after delivering the code");
  });
});

Deno.test("openBrowser() resolves false when the opener is missing or fails", async () => {
  const missing = new Map([["BROWSER", "/nonexistent/browser --flag"]]);
  assert.equal(await openBrowser("http://127.0.0.1:1/x?a=1&b=2", missing, "linux"), false);
  const failing = new Map([["BROWSER", `${Deno.execPath()} eval Deno.exit(1)`]]);
  assert.equal(await openBrowser("http://127.0.0.1:1/x", failing, "linux"), false);
  const succeeding = new Map([["BROWSER", `${Deno.execPath()} eval Deno.exit(0)`]]);
  assert.equal(await openBrowser("http://127.0.0.1:1/x", succeeding, "linux"), true);
});

Deno.test("browserCommands() passes the URL as one argument on every platform", () => {
  const url = "https://as.example/auth?a=1&b=2 3";
  const none = new Map<string, string>();
  assert.deepEqual(browserCommands(url, none, "darwin"), [["open", url]]);
  assert.deepEqual(browserCommands(url, none, "windows"), [
    ["rundll32", "url.dll,FileProtocolHandler", url],
  ]);
  assert.deepEqual(browserCommands(url, new Map([["WSL_DISTRO_NAME", "Debian"]]), "linux"), [
    ["wslview", url],
    ["xdg-open", url],
  ]);
  assert.deepEqual(browserCommands(url, new Map([["BROWSER", " firefox  -new-tab "]]), "linux"), [
    ["firefox", "-new-tab", url],
  ]);
  assert.deepEqual(browserCommands(url, new Map([["BROWSER", "w3m %s -dump"]]), "windows"), [
    ["w3m", url, "-dump"],
  ]);
});

Deno.test("canOpenBrowser() needs BROWSER or a display, and no bare SSH session", () => {
  const env = (entries: Record<string, string>) => new Map(Object.entries(entries));
  assert.equal(
    canOpenBrowser(env({}), "linux") || Deno.readTextFileSync("/proc/version").includes("icrosoft"),
    false,
  );
  assert.equal(canOpenBrowser(env({ DISPLAY: ":0" }), "linux"), true);
  assert.equal(canOpenBrowser(env({ WAYLAND_DISPLAY: "wayland-0" }), "linux"), true);
  assert.equal(canOpenBrowser(env({ BROWSER: "lynx" }), "linux"), true);
  assert.equal(canOpenBrowser(env({ WSL_DISTRO_NAME: "Debian" }), "linux"), true);
  assert.equal(canOpenBrowser(env({}), "darwin"), true);
  assert.equal(canOpenBrowser(env({}), "windows"), true);
  assert.equal(canOpenBrowser(env({ SSH_CONNECTION: "1.2.3.4 5 6.7.8.9 22" }), "darwin"), false);
  assert.equal(
    canOpenBrowser(env({ SSH_TTY: "/dev/pts/0", DISPLAY: "localhost:10.0" }), "linux"),
    true,
  );
  assert.equal(canOpenBrowser(env({ SSH_CLIENT: "x", BROWSER: "lynx" }), "linux"), true);
});

Deno.test("browserCommands() takes a $BROWSER that names an existing file as one program, spaces and all", async () => {
  const dir = await Deno.makeTempDir({ prefix: "with space " });
  const program = `${dir}/my browser`;
  await Deno.writeTextFile(program, "");
  const url = "https://as.example/auth?x=1&y=2";
  assert.deepEqual(browserCommands(url, new Map([["BROWSER", program]]), "linux"), [[
    program,
    url,
  ]]);
  await Deno.remove(dir, { recursive: true });
});
