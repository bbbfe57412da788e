/**
 * The fetch every flow uses: one timeout per request (reading the body included), the
 * caller's abort signal, a size limit on every answer, and network failures turned into clear
 * errors. Proxies (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) are honoured by Deno's fetch itself.
 *
 * Size limits: a successful answer (a discovery document, a key set, a token response, a
 * JWT) may be at most {@linkcode MAX_DOCUMENT_BYTES} (1 MiB), an error answer (HTTP 4xx, 5xx)
 * at most {@linkcode MAX_ERROR_BODY_BYTES} (64 KiB); a redirect's body is not read. A larger
 * answer is refused (a "server" error naming the URL and the limit) as soon as its
 * content-length says so, or as soon as the bytes read pass the limit: nothing past the limit
 * is ever held in memory.
 *
 * @module
 */

import { abortable, ClauthError } from "../../errors.ts";
import type { FlowDependencies } from "./dependencies.ts";

/** Default per-request timeout. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** The most clauth reads of a successful answer (JSON documents, JWTs): 1 MiB. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;

/** The most clauth reads of an error answer (HTTP 4xx and 5xx): 64 KiB. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * What made an answer too large, carried as the `cause` of the "server" error: the answer's
 * URL (without query), its HTTP status, the limit, and the size its content-length declared.
 */
export class ResponseTooLarge extends Error {
  /** The answer's URL without query or fragment. */
  readonly where: string;
  /** The answer's HTTP status. */
  readonly status: number;
  /** The limit it passed, in bytes. */
  readonly limit: number;
  /** The size its content-length declared, if it declared one above the limit. */
  readonly declared: number | undefined;

  constructor(where: string, status: number, limit: number, declared?: number) {
    super(`The answer is larger than ${sizeText(limit)}.`);
    this.name = "ResponseTooLarge";
    this.where = where;
    this.status = status;
    this.limit = limit;
    this.declared = declared;
  }
}

/**
 * The message for an answer that is too large; `endpoint` names it in words ("the token
 * endpoint") when the caller knows which endpoint it is.
 */
export function tooLargeMessage(detail: ResponseTooLarge, endpoint?: string): string {
  const who = endpoint ? `The ${endpoint} (${detail.where})` : detail.where;
  const size = detail.declared === undefined
    ? `more than ${sizeText(detail.limit)}`
    : `${detail.declared} bytes (its content-length)`;
  const kind = detail.status >= 400 ? "an error answer" : "an answer";
  return `${who} sent ${size} in ${kind} (HTTP ${detail.status}); clauth reads at most ${
    sizeText(detail.limit)
  } of ${kind}, so it stopped reading. The server (or something in front of it) is misbehaving; check the URL.`;
}

function sizeText(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`;
}

/** The most bytes read of an answer, by kind (see {@linkcode timedFetch}). */
export interface AnswerLimits {
  /** A successful (or redirect-free 1xx-3xx) answer. */
  document: number;
  /** An error answer (HTTP 4xx, 5xx). */
  error: number;
}

/**
 * Wraps the dependencies' fetch with the timeout, the size limits (by default
 * {@linkcode MAX_DOCUMENT_BYTES} and {@linkcode MAX_ERROR_BODY_BYTES}) and error mapping.
 */
export function timedFetch(
  deps: FlowDependencies,
  limits: AnswerLimits = { document: MAX_DOCUMENT_BYTES, error: MAX_ERROR_BODY_BYTES },
): typeof fetch {
  const inner = deps.fetch ?? globalThis.fetch;
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signals = [timeout];
    if (deps.signal) signals.push(deps.signal);
    if (init?.signal) signals.push(init.signal);
    const signal = AbortSignal.any(signals);
    let answered = false;
    try {
      const response = await inner(input, { ...init, signal });
      answered = true;
      // Read whole here, under the same timeout: a body that stalls is a timeout, not "not JSON".
      return await labelJsonErrors(await readBounded(withUrl(response, url), signal, limits));
    } catch (error) {
      if (error instanceof ClauthError) throw error;
      if (deps.signal?.aborted) throw deps.signal.reason ?? error;
      const where = describeUrl(url);
      if (
        timeout.aborted || (error instanceof DOMException && error.name === "TimeoutError")
      ) {
        throw new ClauthError(
          "network",
          `No answer from ${where} within ${
            timeoutMs / 1000
          } s. Check the network, or allow a longer request timeout.`,
          { cause: error, setting: "timeout" },
        );
      }
      if (answered) {
        throw new ClauthError(
          "network",
          `The answer from ${where} was cut off: ${
            errorText(error)
          }. Check the network and any proxy settings (HTTPS_PROXY, NO_PROXY).`,
          { cause: error },
        );
      }
      const reason = errorText(error);
      const certificate = certificateProblem(reason);
      if (certificate) {
        throw new ClauthError(
          "network",
          `The TLS certificate of ${
            originOf(url)
          } is not trusted: ${certificate.text} (${reason}).${
            certificate.advice ? ` ${certificate.advice}` : ""
          }`,
          { cause: error, ...(certificate.setting ? { setting: certificate.setting } : {}) },
        );
      }
      throw new ClauthError(
        "network",
        `Cannot reach ${where}: ${reason}. Check the URL, the network and any proxy settings (HTTPS_PROXY, NO_PROXY).`,
        { cause: error },
      );
    }
  };
}

/** Statuses whose response cannot carry a body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * A copy of `response` with its whole body read, refusing more than the limit for its status:
 * the content-length is checked first, then the bytes as they arrive. A redirect's body is
 * dropped unread. Reading stops when `signal` aborts (the timeout, Ctrl-C), whatever the
 * fetch given does with signals.
 */
async function readBounded(
  response: Response,
  signal: AbortSignal,
  limits: AnswerLimits,
): Promise<Response> {
  const { status } = response;
  const redirect = status >= 300 && status <= 399;
  if (!response.body || redirect || NULL_BODY_STATUSES.has(status)) {
    await response.body?.cancel().catch(() => {});
    return copyWithBody(response, null);
  }
  const limit = status >= 400 ? limits.error : limits.document;
  const where = describeUrl(response.url);
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isSafeInteger(declared) && declared > limit) {
    await response.body.cancel().catch(() => {});
    throw tooLarge(new ResponseTooLarge(where, status, limit, declared));
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await abortable(reader.read(), signal);
      if (done) break;
      total += value.byteLength;
      if (total > limit) throw tooLarge(new ResponseTooLarge(where, status, limit));
      chunks.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return copyWithBody(response, body);
}

function tooLarge(detail: ResponseTooLarge): ClauthError {
  return new ClauthError("server", tooLargeMessage(detail), { cause: detail });
}

function copyWithBody(response: Response, body: Uint8Array | null): Response {
  const copy = new Response(body as BodyInit | null, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  return withUrl(copy, response.url);
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

/** What is wrong with a server's TLS certificate, in words, and where the fix is. */
interface CertificateProblem {
  text: string;
  advice?: string;
  setting?: "ca_file";
}

/**
 * The certificate problem a network failure's text names (rustls's words, as Deno passes them
 * on: "invalid peer certificate: UnknownIssuer"), or undefined for other failures. There is no
 * error class to tell them apart: the text is all Deno gives.
 */
export function certificateProblem(reason: string): CertificateProblem | undefined {
  if (/UnknownIssuer|unknown issuer|self[- ]signed|CaUsedAsEndEntity/i.test(reason)) {
    return {
      text: "it is not signed by a certificate authority (CA) this program trusts",
      advice:
        "If the server's certificate comes from a private or corporate CA, trust that CA's certificate (a PEM file) for this server.",
      setting: "ca_file",
    };
  }
  if (/expired|NotValidYet|not valid (yet|before|after)/i.test(reason)) {
    return {
      text: "it has expired, or is not valid yet",
      advice: "The server's certificate must be renewed, or this machine's clock is wrong.",
    };
  }
  if (/NotValidForName|not valid for name/i.test(reason)) {
    return {
      text: "it was issued for another host name",
      advice: "Check the host name in the URL.",
    };
  }
  if (/certificate/i.test(reason)) return { text: "the certificate was refused" };
  return undefined;
}

/** "https://host:port": whom a certificate is for (no path, no query). */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid URL)";
  }
}

/** A leading layer of Deno's (hyper's, reqwest's) network error messages, with its ": ". */
const WRAPPER =
  /^(?:error sending request(?: for url \(\S*\))?|client error \([^)]*\)|tcp connect error|fetch failed):\s+/i;
