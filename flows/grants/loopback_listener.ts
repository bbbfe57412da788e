/**
 * The loopback redirect listener of the browser login: a one-shot HTTP server on 127.0.0.1
 * that waits for the authorization server to send the browser back with a code.
 *
 * This is the one place in flows/ that uses `Deno.serve`: a native app receives the
 * authorization response on a loopback redirect URI (RFC 8252 §7.3), so the listener is part of
 * the protocol, not of the terminal.
 *
 * @module
 */

import { ClauthError } from "../../errors.ts";

/** The redirect URI used when none is configured; the port is picked at random. */
export const DEFAULT_REDIRECT_URI = "http://127.0.0.1/callback";

/** Options for {@linkcode startLoopbackListener}. */
export interface LoopbackListenerOptions {
  /**
   * Redirect URIs to listen on, tried in order until one can be bound. Each is
   * `http://127.0.0.1`, `http://[::1]` or `http://localhost` with a path; without a port the
   * listener takes a free one (RFC 8252 §7.3). Default: {@linkcode DEFAULT_REDIRECT_URI}.
   */
  redirectUris?: readonly string[];
  /**
   * The `state` sent with the authorization request. A request without it is turned away with
   * an error page and does not end the wait: the real callback may still come.
   */
  expectedState: string;
  /**
   * Further checks on a callback that carries the expected state (issuer, error, ...).
   * Throwing settles {@linkcode LoopbackListener.callback} with that error and the browser
   * shows the error's message.
   */
  check?: (url: URL) => void;
  /** Closes the listener when aborted. */
  signal?: AbortSignal;
}

/** A listening loopback redirect endpoint. */
export interface LoopbackListener {
  /** The redirect URI with the bound port: send exactly this one to the server. */
  readonly redirectUri: string;
  /**
   * Settles with the first callback that carries the expected state: its full URL, or the
   * error {@linkcode LoopbackListenerOptions.check} threw. Rejects with an AbortError when the
   * listener is closed before that.
   */
  readonly callback: Promise<URL>;
  /** Stops listening and waits until the last page has been sent. Safe to call twice. */
  close(): Promise<void>;
  /** Resolves once the listener has stopped: after `close()`, or by itself after the callback. */
  readonly closed: Promise<void>;
}

interface Candidate {
  uri: URL;
  /** Address to bind. */
  hostname: string;
  /** 0 for "any free port". */
  port: number;
}

/**
 * Starts listening on the first redirect URI whose port is free and resolves once it listens
 * (so the browser may be opened). The listener answers only the redirect path; anything else
 * gets 404 and changes nothing. It shuts down by itself right after answering the callback.
 *
 * `authorizationCodeFlow` runs one for you; use it directly only to build another
 * browser-based flow.
 *
 * @example Receive a callback (here the "browser" is a fetch)
 * ```ts
 * import assert from "node:assert/strict";
 * import { startLoopbackListener } from "@clauth/clauth";
 *
 * const listener = await startLoopbackListener({ expectedState: "xyz" });
 * // Send listener.redirectUri as redirect_uri, then open the authorization URL.
 * const page = await fetch(`${listener.redirectUri}?code=abc&state=xyz`);
 * await page.body?.cancel();
 * const callback = await listener.callback;
 * assert.equal(callback.searchParams.get("code"), "abc");
 * await listener.close();
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
// deno-lint-ignore require-await -- async so that every failure is a rejection
export async function startLoopbackListener(
  options: LoopbackListenerOptions,
): Promise<LoopbackListener> {
  const candidates = (options.redirectUris?.length ? options.redirectUris : [DEFAULT_REDIRECT_URI])
    .map(parseRedirectUri);
  if (options.signal?.aborted) throw options.signal.reason;

  let settle: { resolve(url: URL): void; reject(error: unknown): void } | undefined;
  const callback = new Promise<URL>((resolve, reject) => (settle = { resolve, reject }));
  // Nobody may be waiting when the listener closes early: never an unhandled rejection.
  callback.catch(() => {});
  let settled = false;
  let redirectPath = "/";
  let server: Deno.HttpServer<Deno.NetAddr> | undefined;
  let closing: Promise<void> | undefined;

  const close = (): Promise<void> => {
    if (!settled) {
      settled = true;
      settle?.reject(new DOMException("The loopback listener was closed.", "AbortError"));
    }
    closing ??= (async () => {
      options.signal?.removeEventListener("abort", onAbort);
      await server?.shutdown();
    })();
    return closing;
  };
  const onAbort = () => void close();

  const handler = (request: Request): Response => {
    const url = new URL(request.url);
    if (url.pathname !== redirectPath) return page(404, "Not found", "Nothing to see here.");
    if (request.method !== "GET") {
      return page(405, "Method not allowed", "The sign-in answer must come as a GET request.");
    }
    if (settled) {
      return page(409, "Already done", "This sign-in is already complete. Close this tab.");
    }
    const states = url.searchParams.getAll("state");
    if (states.length !== 1 || states[0] !== options.expectedState) {
      return page(
        400,
        "Sign-in not recognized",
        states.length === 0
          ? "This address has no state parameter, so it does not belong to the sign-in the terminal is waiting for. The terminal keeps waiting."
          : "This address does not belong to the sign-in the terminal is waiting for (its state does not match). The terminal keeps waiting; use the link it printed last.",
      );
    }
    settled = true;
    let response: Response;
    try {
      options.check?.(url);
      settle?.resolve(url);
      response = url.searchParams.has("error")
        ? errorPage(url.searchParams, undefined)
        : page(200, "Signed in", "You can close this tab and return to the terminal.");
    } catch (error) {
      settle?.reject(error);
      response = errorPage(url.searchParams, error);
    }
    // Shut down after this response is on its way: shutdown() lets it finish.
    setTimeout(() => void close(), 0);
    return response;
  };

  const failures: string[] = [];
  for (const candidate of candidates) {
    try {
      server = Deno.serve({
        hostname: candidate.hostname,
        port: candidate.port,
        onListen() {},
      }, handler);
    } catch (error) {
      failures.push(bindFailure(candidate, error));
      continue;
    }
    redirectPath = candidate.uri.pathname;
    const uri = new URL(candidate.uri);
    uri.port = String(server.addr.port);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    return { redirectUri: uri.href, callback, close, closed: server.finished };
  }
  throw new ClauthError(
    "usage",
    `Cannot listen for the login callback: ${
      failures.join("; ")
    }. Free the port, or use another redirect URI registered at the server.`,
    { setting: "redirect_uri" },
  );
}

/** The setting a refused redirect URI is fixed in. */
const REDIRECT_URI = { setting: "redirect_uri" } as const;

/** Checks one redirect URI against RFC 8252 §7.3 and works out what to bind. */
function parseRedirectUri(value: string): Candidate {
  let uri: URL;
  try {
    uri = new URL(value);
  } catch {
    throw new ClauthError("usage", `The redirect URI "${value}" is not a URL.`, REDIRECT_URI);
  }
  const host = uri.hostname.toLowerCase();
  const hostname = host === "localhost" ? "127.0.0.1" : host === "[::1]" ? "::1" : host;
  if (uri.protocol !== "http:" || !["127.0.0.1", "::1"].includes(hostname)) {
    throw new ClauthError(
      "usage",
      `The redirect URI "${value}" is not a loopback address: use http://127.0.0.1, http://[::1] or http://localhost with a path, e.g. ${DEFAULT_REDIRECT_URI} (RFC 8252 §7.3).`,
      REDIRECT_URI,
    );
  }
  if (uri.hash || value.includes("#")) {
    throw new ClauthError(
      "usage",
      `The redirect URI "${value}" must not have a fragment.`,
      REDIRECT_URI,
    );
  }
  if (uri.username || uri.password) {
    throw new ClauthError(
      "usage",
      `The redirect URI "${value}" must not contain credentials.`,
      REDIRECT_URI,
    );
  }
  // URL drops a default port (":80"), which here still means "this fixed port".
  const explicit = /^http:\/\/(?:\[[^\]]*\]|[^/?#:]*):(\d+)/i.exec(value)?.[1];
  const port = explicit === undefined ? 0 : Number(explicit);
  return { uri, hostname, port };
}

function bindFailure(candidate: Candidate, error: unknown): string {
  const where = `${
    candidate.hostname.includes(":") ? `[${candidate.hostname}]` : candidate.hostname
  }:${candidate.port}`;
  if (error instanceof Deno.errors.AddrInUse) return `port ${where} is in use`;
  if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable) {
    return `not allowed to listen on ${where}`;
  }
  if (error instanceof Deno.errors.AddrNotAvailable) return `${where} is not available here`;
  return `cannot listen on ${where} (${error instanceof Error ? error.message : String(error)})`;
}

function errorPage(params: URLSearchParams, error: unknown): Response {
  const code = params.get("error");
  if (code !== null) {
    const description = params.get("error_description");
    return page(
      code === "access_denied" ? 403 : 400,
      "Sign-in failed",
      "The authorization server answered with an error:",
      `<p><code>${escapeHtml(truncate(code))}</code></p>${
        description ? `<p>${escapeHtml(truncate(description))}</p>` : ""
      }<p>Return to the terminal for details.</p>`,
    );
  }
  const message = error instanceof Error ? error.message : "The sign-in answer was refused.";
  return page(
    400,
    "Sign-in failed",
    "The sign-in answer was refused:",
    `<p>${escapeHtml(truncate(message))}</p><p>Return to the terminal for details.</p>`,
  );
}

const STYLE =
  "body{font-family:system-ui,sans-serif;margin:3rem auto;max-width:32rem;padding:0 1rem;color:#222}h1{font-weight:400}code{font-size:1.1rem}";

function page(status: number, title: string, text: string, extraHtml = ""): Response {
  const html = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${
    escapeHtml(title)
  } - clauth</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(text)}</p>
${extraHtml}
</body>
</html>
`;
  return new Response(html, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      // The page URL holds the code: never send it on as a Referer.
      "referrer-policy": "no-referrer",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
      "x-content-type-options": "nosniff",
    },
  });
}

function truncate(value: string, max = 500): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/** Escapes text for HTML element content and attribute values. */
function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}
