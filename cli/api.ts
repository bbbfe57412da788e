/**
 * `clauth api [--method M] URL [-H 'Name: value']... [--data @file|-|TEXT] [--include]`: one
 * authenticated HTTP request, like `gh api` for any OAuth-protected API. The profile's token
 * goes as `Authorization: Bearer`, or as `Authorization: DPoP` with a proof for this method
 * and URL (RFC 9449 §7). A 401 that says the token is invalid gets one refresh and one retry;
 * a `use_dpop_nonce` challenge one retry with the server's nonce (§9). Redirects are followed
 * only within the URL's origin: the token never goes anywhere else.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import { ClauthError } from "../errors.ts";
import { checkEndpointUrl, isLoopbackHost } from "../flows/protocol/endpoints.ts";
import { describeUrl, timedFetch } from "../flows/protocol/http.ts";
import { safeJson, safeText } from "../flows/protocol/safe_text.ts";
import { type DPoPProofs, dpopProofs } from "../flows/tokens/dpop.ts";
import type { StoredTokens } from "../storage/token_store.ts";
import type { CommandContext } from "./context.ts";
import { currentTokens } from "./token.ts";
import { readStdinText, readUserFile } from "./user_files.ts";

/** Options of `clauth api`. */
export interface ApiOptions {
  url: string;
  /** The HTTP method; default GET, or POST with --data. */
  method?: string;
  /** `Name: value` headers, as given. */
  headers: string[];
  /** The body: TEXT, `@FILE`, or `-` for stdin. */
  data?: string;
  /** Print the status line and headers to stderr. */
  include: boolean;
}

/** The most clauth api reads of an answer: an API call's, not a download's. */
export const MAX_API_ANSWER_BYTES = 16 * 1024 * 1024;
/** Redirects followed within the origin before giving up. */
const MAX_REDIRECTS = 5;
/** Headers clauth sets itself. */
const OWN_HEADERS = new Set(["authorization", "dpop"]);

/** One request as sent (a redirect may change it). */
interface ApiRequest {
  method: string;
  url: string;
  headers: Headers;
  body: string | undefined;
}

/** Runs `clauth api`; returns the exit code: 0 for a 2xx answer, 1 otherwise. */
export async function apiCommand(context: CommandContext, options: ApiOptions): Promise<number> {
  const url = requestUrl(options.url, "API URL");
  const headers = parseHeaders(options.headers);
  const body = options.data === undefined ? undefined : await readData(context, options.data);
  if (body !== undefined && !headers.has("content-type")) {
    headers.set("content-type", looksLikeJson(body) ? "application/json" : "text/plain");
  }
  const method = requestMethod(options.method ?? (body === undefined ? "GET" : "POST"));
  const request: ApiRequest = { method, url, headers, body };

  let tokens = await currentTokens(context);
  let answer = await send(context, tokens, request);
  if (answer.challenges.some((c) => c.parameters.error === "invalid_token")) {
    // The API says the token is no good (revoked, expired early): renew it once and retry.
    tokens = await currentTokens(context, { forceRefresh: true });
    answer = await send(context, tokens, request);
  }
  const { response } = answer;
  const { terminal, runtime } = context;
  if (options.include) {
    terminal.info(`HTTP ${response.status} ${safeText(response.statusText, 100)}`);
    for (const [name, value] of response.headers) {
      terminal.info(`${safeText(name, 100)}: ${safeText(value, 2000)}`);
    }
  }
  const text = await response.text();
  await terminal.out(shown(text, response, runtime.stdout.isTerminal));
  if (!response.ok && !options.include) {
    terminal.info(
      `clauth: ${describeUrl(response.url || request.url)} answered HTTP ${response.status}.`,
    );
  }
  return response.ok ? 0 : 1;
}

/** What came back: the answer, and its WWW-Authenticate challenges (RFC 9110 §11.6.1). */
interface Answer {
  response: Response;
  challenges: oauth.WWWAuthenticateChallenge[];
}

/** Proofs per DPoP key for this run: each remembers the servers' nonces. */
const proofsByKey = new Map<string, Promise<DPoPProofs>>();

/**
 * Sends `request` with `tokens`, following redirects within its origin, and retrying once on
 * `use_dpop_nonce`. A redirect elsewhere is refused: the token must not follow it.
 */
async function send(
  context: CommandContext,
  tokens: StoredTokens,
  request: ApiRequest,
): Promise<Answer> {
  const key = tokens.token_type === "dpop" ? tokens.dpop_key : undefined;
  if (tokens.token_type === "dpop" && !key) {
    throw new ClauthError("storage", "The stored DPoP-bound tokens have no key.");
  }
  const proofs = key
    ? await (proofsByKey.get(key.jkt) ?? proofsByKey.set(key.jkt, dpopProofs(key)).get(key.jkt)!)
    : undefined;
  let { method, url, body } = request;
  for (let hop = 0;; hop++) {
    let answer = await call(
      context,
      tokens.access_token,
      { ...request, method, url, body },
      proofs,
    );
    const nonce = answer.challenges.some((c) =>
      c.scheme === "dpop" && c.parameters.error === "use_dpop_nonce"
    );
    if (proofs && nonce) {
      answer = await call(context, tokens.access_token, { ...request, method, url, body }, proofs);
    }
    const { status, headers } = answer.response;
    const location = headers.get("location");
    if (![301, 302, 303, 307, 308].includes(status) || location === null) return answer;
    const next = new URL(location, url);
    if (next.origin !== new URL(url).origin) {
      throw new ClauthError(
        "server",
        `${describeUrl(url)} redirected to ${
          describeUrl(next.href)
        }, another origin: clauth does not follow it, so the token stays with ${
          new URL(url).origin
        }. Call that address directly if you trust it with this token.`,
      );
    }
    if (hop === MAX_REDIRECTS) {
      throw new ClauthError("server", `Too many redirects from ${describeUrl(request.url)}.`);
    }
    // RFC 9110 §15.4: 303 (and, as browsers do, 301/302 after a POST) continue with GET.
    if (status === 303 || ((status === 301 || status === 302) && method === "POST")) {
      method = "GET";
      body = undefined;
    }
    url = requestUrl(next.href, "API URL");
  }
}

/** One request through oauth4webapi, which adds the proof and learns nonces. */
async function call(
  context: CommandContext,
  accessToken: string,
  request: ApiRequest,
  proofs: DPoPProofs | undefined,
): Promise<Answer> {
  const target = new URL(request.url);
  const fetchFn = timedFetch(context.deps, {
    document: MAX_API_ANSWER_BYTES,
    error: MAX_API_ANSWER_BYTES,
  });
  const headers = new Headers(request.headers);
  if (request.body !== undefined && request.method === "GET") headers.delete("content-type");
  try {
    const response = await oauth.protectedResourceRequest(
      accessToken,
      request.method,
      target,
      headers,
      request.method === "GET" || request.method === "HEAD" ? null : request.body ?? null,
      {
        [oauth.customFetch]: (url, init) => fetchFn(url, init as RequestInit),
        [oauth.allowInsecureRequests]: isLoopbackHost(target.hostname),
        signal: context.signal,
        ...(proofs ? { DPoP: proofs.handle } : {}),
      },
    );
    return { response, challenges: [] };
  } catch (error) {
    // Any answer with a challenge comes back as this error; it is still the answer.
    if (error instanceof oauth.WWWAuthenticateChallengeError) {
      return { response: error.response, challenges: error.cause };
    }
    throw error;
  }
}

/** An HTTP method as given, upper-cased; a usage error for anything else. */
export function requestMethod(text: string): string {
  const method = text.toUpperCase();
  if (!/^[A-Z]+$/.test(method)) {
    throw new ClauthError("usage", "--method takes an HTTP method such as GET or POST.");
  }
  return method;
}

/**
 * `url`, if clauth may send a token (or a proof, which goes with one) there: https, or http
 * on loopback only; `name` says what it is in the refusal.
 */
export function requestUrl(url: string, name: string): string {
  try {
    checkEndpointUrl(name, url);
  } catch (error) {
    throw new ClauthError("usage", (error as Error).message, { cause: error });
  }
  return new URL(url).href;
}

/** `Name: value` lines into headers; clauth's own (Authorization, DPoP) are refused. */
function parseHeaders(lines: string[]): Headers {
  const headers = new Headers();
  for (const line of lines) {
    const at = line.indexOf(":");
    const name = at > 0 ? line.slice(0, at).trim() : "";
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new ClauthError("usage", `-H takes "Name: value", not "${safeText(line, 80)}".`);
    }
    if (OWN_HEADERS.has(name.toLowerCase())) {
      throw new ClauthError(
        "usage",
        `clauth sets the ${name} header itself, from the profile's token: leave it out.`,
      );
    }
    try {
      headers.append(name, line.slice(at + 1).trim());
    } catch {
      throw new ClauthError("usage", `The value of header ${name} is not allowed in HTTP.`);
    }
  }
  return headers;
}

/** --data: `@FILE`, `-` (stdin) or the text itself. */
async function readData(context: CommandContext, data: string): Promise<string> {
  const { signal } = context;
  if (data === "-") {
    return await readStdinText(context.runtime.stdin.readable, {
      signal,
      limit: MAX_API_ANSWER_BYTES,
      what: "a request body",
    });
  }
  if (data.startsWith("@")) {
    return await readUserFile(data.slice(1), "request body", {
      signal,
      limit: MAX_API_ANSWER_BYTES,
    });
  }
  return data;
}

function looksLikeJson(text: string): boolean {
  if (!/^\s*[[{]/.test(text)) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The body as printed: on a terminal, JSON pretty-printed and everything neutralised (an API
 * must not move the cursor or set the title); elsewhere the bytes as they came, for programs.
 */
function shown(text: string, response: Response, terminal: boolean): string {
  if (!terminal) return text;
  const type = response.headers.get("content-type") ?? "";
  if (/\bjson\b/i.test(type) || looksLikeJson(text)) {
    try {
      return safeJson(JSON.parse(text), 2) + "\n";
    } catch {
      // Not JSON after all: shown as text below.
    }
  }
  // Lines and tabs stay; every other control character is shown escaped.
  const safe = text.replace(/[^\n\t]+/g, (run) => safeText(run, Number.MAX_SAFE_INTEGER));
  return safe.endsWith("\n") || safe === "" ? safe : safe + "\n";
}
