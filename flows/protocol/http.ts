/**
 * The fetch every flow uses: one timeout per request, the caller's abort signal, and
 * network failures turned into clear errors. Proxies (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) are
 * honoured by Deno's fetch itself.
 *
 * @module
 */

import { ClauthError } from "../../errors.ts";
import type { FlowDependencies } from "./dependencies.ts";

/** Default per-request timeout. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Wraps the dependencies' fetch with the timeout and error mapping. */
export function timedFetch(deps: FlowDependencies): typeof fetch {
  const inner = deps.fetch ?? globalThis.fetch;
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const signals = [AbortSignal.timeout(timeoutMs)];
    if (deps.signal) signals.push(deps.signal);
    if (init?.signal) signals.push(init.signal);
    try {
      const response = await inner(input, { ...init, signal: AbortSignal.any(signals) });
      return await labelJsonErrors(withUrl(response, url));
    } catch (error) {
      if (deps.signal?.aborted) throw deps.signal.reason ?? error;
      const where = describeUrl(url);
      if (error instanceof DOMException && error.name === "TimeoutError") {
        throw new ClauthError(
          "network",
          `No answer from ${where} within ${
            timeoutMs / 1000
          } s. Check the network, or allow a longer request timeout.`,
          { cause: error, setting: "timeout" },
        );
      }
      throw new ClauthError(
        "network",
        `Cannot reach ${where}: ${
          errorText(error)
        }. Check the URL, the network and any proxy settings (HTTPS_PROXY, NO_PROXY).`,
        { cause: error },
      );
    }
  };
}

/**
 * Some servers send RFC 6749 error JSON labelled text/html or text/plain; oauth4webapi then
 * sees no OAuth error. Relabel a 4xx body that parses as `{ "error": ... }` as JSON.
 */
async function labelJsonErrors(response: Response): Promise<Response> {
  const type = response.headers.get("content-type") ?? "";
  if (response.status < 400 || response.status > 499 || /json/i.test(type)) return response;
  const text = await response.text();
  const headers = new Headers(response.headers);
  try {
    const body = JSON.parse(text);
    if (typeof body?.error === "string") headers.set("content-type", "application/json");
  } catch {
    // not JSON: leave the label alone, the caller reports the status
  }
  return replaceBody(response, text, headers);
}

/** A copy of `response` with another body and headers, keeping status and `url`. */
export function replaceBody(
  response: Response,
  text: string,
  headers: Headers = response.headers,
): Response {
  const copy = new Response(text, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
  return withUrl(copy, response.url);
}

/** Sets `url` on a response that lacks it (`new Response` and injected fetches leave it ""). */
function withUrl(response: Response, url: string): Response {
  if (!response.url) Object.defineProperty(response, "url", { value: url });
  return response;
}

/** Redirect hops {@linkcode followSameOriginRedirects} follows before giving up. */
const MAX_REDIRECTS = 5;

/**
 * Wraps `fetchFn` so a GET follows redirects only within the same origin (and scheme): a
 * redirect elsewhere is returned as is, for the caller to report. Used for discovery and the
 * issuer's keys, where following a redirect off-site (or to http) would let others answer.
 */
export function followSameOriginRedirects(fetchFn: typeof fetch) {
  return async (url: string, init: { headers?: HeadersInit; signal?: AbortSignal | null } = {}) => {
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const response = await fetchFn(current, { ...init, method: "GET", redirect: "manual" });
      const location = response.headers.get("location");
      if (response.status < 300 || response.status > 399 || !location) return response;
      const next = new URL(location, current);
      if (next.origin !== new URL(current).origin) return response;
      await response.body?.cancel();
      current = next.href;
    }
    throw new ClauthError("server", `Too many redirects while fetching ${describeUrl(url)}.`);
  };
}

/** A URL without query or fragment, safe to show (no codes or tokens in it). */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

/**
 * The most specific message in `error`'s chain of causes. Deno's fetch throws TypeError("fetch
 * failed") with the real failure as `cause`: "error sending request for url (...): client
 * error (Connect): tcp connect error: Connection refused (os error 111)". The wrappers (and
 * the URL, which may carry a query) are dropped; "invalid peer certificate: ..." or "dns
 * error: ..." is kept whole.
 */
function errorText(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  let cause = error instanceof Error ? error.cause : undefined;
  for (let depth = 0; depth < 8 && cause instanceof Error; depth++) {
    if (cause.message.trim()) message = cause.message;
    cause = cause.cause;
  }
  let text = message.trim();
  for (;;) {
    const shorter = text.replace(WRAPPER, "");
    if (shorter === text || !shorter) break;
    text = shorter;
  }
  return text.replace(/\s+for url \(\S*\)/g, "").replace(/\s*\(os error \d+\)$/, "")
    .replace(/\.$/, "") || message; // the caller adds its own full stop
}

/** A leading layer of Deno's (hyper's, reqwest's) network error messages, with its ": ". */
const WRAPPER =
  /^(?:error sending request(?: for url \(\S*\))?|client error \([^)]*\)|tcp connect error|fetch failed):\s+/i;
