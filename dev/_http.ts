/**
 * A tiny programmatic browser: a path-aware cookie jar, redirect following with
 * `redirect: "manual"`, and HTML form reading. Shared by dev/browser.ts and
 * dev/device_approval.ts. No dependencies.
 */

import { unescapeHtml } from "./_pages.ts";

interface StoredCookie {
  name: string;
  value: string;
  /** Host the cookie belongs to (lower case). */
  domain: string;
  /** True when the cookie had no Domain attribute: sent to exactly that host only. */
  hostOnly: boolean;
  path: string;
  /** Epoch milliseconds; undefined for a session cookie. */
  expires: number | undefined;
  secure: boolean;
}

/** Cookies as RFC 6265 describes them, minus what a loopback dev setup never needs. */
export class CookieJar {
  #cookies: StoredCookie[] = [];

  /** Stores the `Set-Cookie` header values of a response to `url`. */
  store(url: URL, setCookieHeaders: readonly string[], now = Date.now()): void {
    for (const header of setCookieHeaders) {
      const cookie = parseSetCookie(url, header, now);
      if (!cookie) continue;
      this.#cookies = this.#cookies.filter((c) =>
        !(c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path)
      );
      if (cookie.expires === undefined || cookie.expires > now) this.#cookies.push(cookie);
    }
  }

  /** The `Cookie` header value for a request to `url`, or undefined when no cookie applies. */
  header(url: URL, now = Date.now()): string | undefined {
    this.#cookies = this.#cookies.filter((c) => c.expires === undefined || c.expires > now);
    const host = url.hostname.toLowerCase();
    const secureContext = url.protocol === "https:" || isLoopback(host);
    const matching = this.#cookies
      .filter((c) =>
        (c.hostOnly ? c.domain === host : domainMatches(host, c.domain)) &&
        pathMatches(url.pathname || "/", c.path) &&
        (!c.secure || secureContext)
      )
      .sort((a, b) => b.path.length - a.path.length);
    if (matching.length === 0) return undefined;
    return matching.map((c) => `${c.name}=${c.value}`).join("; ");
  }

  /** Number of cookies held (for tests and debugging). */
  get size(): number {
    return this.#cookies.length;
  }
}

function parseSetCookie(url: URL, header: string, now: number): StoredCookie | undefined {
  const [pair = "", ...attributes] = header.split(";");
  const eq = pair.indexOf("=");
  if (eq <= 0) return undefined;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  const host = url.hostname.toLowerCase();
  const cookie: StoredCookie = {
    name,
    value,
    domain: host,
    hostOnly: true,
    path: defaultPath(url.pathname),
    expires: undefined,
    secure: false,
  };
  let maxAgeSeen = false;
  for (const attribute of attributes) {
    const i = attribute.indexOf("=");
    const key = (i === -1 ? attribute : attribute.slice(0, i)).trim().toLowerCase();
    const val = i === -1 ? "" : attribute.slice(i + 1).trim();
    switch (key) {
      case "path":
        if (val.startsWith("/")) cookie.path = val;
        break;
      case "domain": {
        const domain = val.replace(/^\./, "").toLowerCase();
        if (!domain) break;
        if (!domainMatches(host, domain)) return undefined;
        cookie.domain = domain;
        cookie.hostOnly = false;
        break;
      }
      case "max-age": {
        const seconds = Number(val);
        if (Number.isInteger(seconds)) {
          cookie.expires = now + seconds * 1000;
          maxAgeSeen = true;
        }
        break;
      }
      case "expires": {
        const time = Date.parse(val);
        if (!maxAgeSeen && !Number.isNaN(time)) cookie.expires = time;
        break;
      }
      case "secure":
        cookie.secure = true;
        break;
      default:
    }
  }
  return cookie;
}

function defaultPath(pathname: string): string {
  if (!pathname.startsWith("/")) return "/";
  const last = pathname.lastIndexOf("/");
  return last <= 0 ? "/" : pathname.slice(0, last);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/";
}

function domainMatches(host: string, domain: string): boolean {
  return host === domain || (host.endsWith(`.${domain}`) && !/^[\d.]+$/.test(host));
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host.startsWith("127.") || host === "[::1]";
}

export interface NavigateOptions {
  /** fetch implementation (default: the global fetch). */
  fetch?: typeof fetch;
  /** Redirects to follow before giving up (default 20). */
  maxRedirects?: number;
  /** Cookie jar shared across requests (default: a fresh one per call). */
  jar?: CookieJar;
}

export interface NavigateRequest {
  method?: "GET" | "POST";
  /** Form body (sent as application/x-www-form-urlencoded). */
  form?: URLSearchParams;
}

export interface Page {
  /** URL of the last response (after redirects). */
  url: string;
  status: number;
  headers: Headers;
  /** Body of the last response, as text. */
  text: string;
  /** URLs visited, in order, starting with the requested one. */
  visited: string[];
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Requests `url` like a browser would: sends and stores cookies, follows redirects (relative
 * and absolute Location headers) until a response is not a redirect, and returns that last
 * response with its body read. Every intermediate body is consumed, so nothing leaks.
 */
export async function navigate(
  url: string | URL,
  request: NavigateRequest = {},
  options: NavigateOptions = {},
): Promise<Page> {
  const doFetch = options.fetch ?? fetch;
  const maxRedirects = options.maxRedirects ?? 20;
  const jar = options.jar ?? new CookieJar();
  let current = new URL(url);
  let method = request.method ?? (request.form ? "POST" : "GET");
  let form = request.form;
  const visited: string[] = [];

  for (let redirects = 0;; redirects++) {
    visited.push(current.href);
    const headers = new Headers({ accept: "text/html,application/xhtml+xml,*/*;q=0.8" });
    const cookie = jar.header(current);
    if (cookie) headers.set("cookie", cookie);
    const init: RequestInit = { method, headers, redirect: "manual" };
    if (method === "POST" && form) {
      headers.set("content-type", "application/x-www-form-urlencoded");
      init.body = form.toString();
    }
    const response = await doFetch(current, init);
    jar.store(current, response.headers.getSetCookie());

    const location = response.headers.get("location");
    if (!REDIRECT_STATUSES.has(response.status) || location === null) {
      const text = await response.text();
      return {
        url: current.href,
        status: response.status,
        headers: response.headers,
        text,
        visited,
      };
    }
    await response.body?.cancel();
    if (redirects >= maxRedirects) {
      throw new Error(`Too many redirects (more than ${maxRedirects}) starting at ${visited[0]}`);
    }
    const next = new URL(location, current);
    if (next.protocol !== "http:" && next.protocol !== "https:") {
      throw new Error(`Cannot follow a redirect to ${next.protocol} URL ${next.href}`);
    }
    current = next;
    if (
      response.status === 303 ||
      ((response.status === 301 || response.status === 302) && method === "POST")
    ) {
      method = "GET";
      form = undefined;
    }
  }
}

export interface HtmlForm {
  id: string | undefined;
  /** Absolute URL the form submits to. */
  action: string;
  method: string;
  /** name -> value of its `<input>` elements that have a name and a value. */
  fields: URLSearchParams;
}

/** Reads the `<form>` elements of an HTML page (enough for the dev provider's own pages). */
export function readForms(html: string, pageUrl: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attributes = readAttributes(match[1] ?? "");
    const fields = new URLSearchParams();
    for (const input of (match[2] ?? "").matchAll(/<input\b([^>]*)>/gi)) {
      const inputAttributes = readAttributes(input[1] ?? "");
      const name = inputAttributes.get("name");
      const value = inputAttributes.get("value");
      if (name !== undefined && value !== undefined) fields.append(name, value);
    }
    forms.push({
      id: attributes.get("id"),
      action: new URL(attributes.get("action") ?? "", pageUrl).href,
      method: (attributes.get("method") ?? "get").toUpperCase(),
      fields,
    });
  }
  return forms;
}

function readAttributes(source: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (
    const match of source.matchAll(/([^\s"'<>/=]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/g)
  ) {
    const name = (match[1] ?? "").toLowerCase();
    attributes.set(name, unescapeHtml(match[2] ?? match[3] ?? match[4] ?? ""));
  }
  return attributes;
}
