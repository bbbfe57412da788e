/**
 * How `clauth token` (and `exchange`) print a token: raw, JSON, an HTTP header, a shell
 * variable, a kubectl ExecCredential, or a git credential-helper answer.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import { jwtLifetime, type StoredTokens } from "../storage/token_store.ts";

/** The output formats of `clauth token --output`. */
export const OUTPUT_FORMATS = ["raw", "json", "header", "env", "k8s", "git"] as const;
/** One output format. */
export type OutputFormat = typeof OUTPUT_FORMATS[number];

/**
 * The tokens `clauth token --token-type` prints: the access token, or the ID token (what a
 * Kubernetes API server with OIDC authentication checks, and kubelogin's default).
 */
export const TOKEN_TYPES = ["access_token", "id_token"] as const;
/** One token type. */
export type TokenType = typeof TOKEN_TYPES[number];

/** The ExecCredential versions clauth answers in; kubectl expects the one it announced. */
const EXEC_VERSIONS = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"];

/**
 * What kubectl says about the exec plugin run in KUBERNETES_EXEC_INFO: the ExecCredential
 * version to answer with, and whether a person can answer prompts (`spec.interactive`, false
 * when kubectl has no terminal or the kubeconfig says `interactiveMode: Never`). Anything
 * unreadable counts as no information: v1, and no say on interaction.
 *
 * @see https://kubernetes.io/docs/reference/access-authn-authz/authentication/#input-and-output-formats
 */
export function kubernetesExecInfo(
  text: string | undefined,
): { apiVersion: string; interactive?: boolean } {
  let info: { apiVersion?: unknown; spec?: { interactive?: unknown } } | undefined;
  try {
    info = text === undefined ? undefined : JSON.parse(text);
  } catch {
    info = undefined;
  }
  const apiVersion = typeof info?.apiVersion === "string" && EXEC_VERSIONS.includes(info.apiVersion)
    ? info.apiVersion
    : EXEC_VERSIONS[0]!;
  const interactive = info?.spec?.interactive;
  return typeof interactive === "boolean" ? { apiVersion, interactive } : { apiVersion };
}

/** What git asks of a credential helper (`clauth token --output git` is one). */
export const GIT_ACTIONS = ["get", "store", "erase"] as const;

/**
 * git's request to a credential helper: `key=value` lines (protocol, host, path, ...) ending
 * with a blank line or the end of input (git-credential(1), "INPUT/OUTPUT FORMAT").
 */
export type GitRequest = ReadonlyMap<string, string>;

const gitRequests = new WeakMap<object, Promise<GitRequest>>();

/**
 * Reads git's request from `stdin`, once per stream: the cached-token path and the full
 * command may both ask. At most 64 KiB are read; git sends a few short lines.
 */
export function readGitRequest(stdin: { readonly readable: ReadableStream<Uint8Array> }) {
  let request = gitRequests.get(stdin);
  if (!request) {
    request = (async () => {
      const lines = new Map<string, string>();
      let text = "";
      const reader = stdin.readable.getReader();
      try {
        // Until the blank line that ends the request, or the end of input.
        while (text.length < 65536 && !`\n${text}`.includes("\n\n")) {
          const { value, done } = await reader.read();
          if (done) break;
          text += new TextDecoder().decode(value, { stream: true });
        }
      } finally {
        reader.releaseLock();
      }
      for (const line of text.split("\n")) {
        if (line === "") break;
        const eq = line.indexOf("=");
        if (eq > 0 && !lines.has(line.slice(0, eq))) {
          lines.set(line.slice(0, eq), line.slice(eq + 1));
        }
      }
      return lines;
    })();
    gitRequests.set(stdin, request);
  }
  return request;
}

/**
 * Whether a helper set up for `url` (`clauth setup-git`) answers git's `request`: same
 * protocol and host (with port), and, when `url` has a path, a request path at or under it in
 * whole segments, as git matches `credential.<url>.*` settings (git-config(1),
 * `http.<url>.*`). git sends the path only with `credential.useHttpPath`, which setup-git
 * turns on with --path.
 */
export function gitRequestMatches(url: URL, request: GitRequest): boolean {
  if (request.get("protocol") !== url.protocol.slice(0, -1)) return false;
  if (request.get("host")?.toLowerCase() !== url.host) return false;
  const prefix = url.pathname.replace(/^\/+|\/+$/g, "");
  if (prefix === "") return true;
  const path = (request.get("path") ?? "").replace(/^\/+/, "");
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** Checks a `--token-type` value. */
export function parseTokenType(value: string): TokenType {
  if (!(TOKEN_TYPES as readonly string[]).includes(value)) {
    throw new ClauthError(
      "usage",
      `Unknown token type "${value}": use one of ${TOKEN_TYPES.join(", ")}.`,
    );
  }
  return value as TokenType;
}

/** Checks an `--output` value. */
export function parseOutputFormat(value: string): OutputFormat {
  if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) {
    throw new ClauthError(
      "usage",
      `Unknown output format "${value}": use one of ${OUTPUT_FORMATS.join(", ")}.`,
    );
  }
  return value as OutputFormat;
}

/**
 * RFC 6750 §2.1 `b64token`, the characters of a Bearer token: flows refuse any other token
 * before it is stored; this refuses one stored before they did (or edited by hand), so that no
 * format ever carries a line break (header injection, an extra git `host=` line), an escape
 * sequence or a space.
 */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** How {@linkcode formatToken} renders. */
export interface FormatOptions {
  /** Fields added to the JSON format (`exchange` adds `issued_token_type`). */
  extra?: Record<string, unknown>;
  /** The token to print (default the access token). */
  tokenType?: TokenType;
  /** The ExecCredential version kubectl asked for (`k8s`; default v1). */
  execApiVersion?: string;
}

/**
 * Renders the access token (or, with `tokenType: "id_token"`, the ID token and its expiry)
 * in `format`; the text ends with a newline. Throws a "storage" error, quoting nothing, for a
 * token outside RFC 6750's characters, and a "usage" error when an ID token is asked for and
 * the login has none. An expiry no date can hold is left out of the formats that carry one.
 */
export function formatToken(
  tokens: StoredTokens,
  format: OutputFormat,
  options: FormatOptions = {},
): string {
  const idToken = options.tokenType === "id_token";
  if (idToken && tokens.id_token === undefined) {
    throw new ClauthError(
      "usage",
      "The profile's login has no ID token: its scope must include \"openid\" (OpenID Connect Core §3.1.2.1). Add it to the profile's scope and log in again.",
    );
  }
  const token = idToken ? tokens.id_token : tokens.access_token;
  if (typeof token !== "string" || !B64TOKEN.test(token)) {
    throw new ClauthError(
      "storage",
      `The stored ${
        idToken ? "ID" : "access"
      } token has characters a Bearer token cannot have (RFC 6750 §2.1), so clauth will not print it. Run "clauth login" to replace it.`,
    );
  }
  const expiry = idToken ? jwtLifetime(token)?.exp : tokens.expires_at;
  const expiresAt = isoInstant(expiry);
  switch (format) {
    case "raw":
      return `${token}\n`;
    case "header":
      // A DPoP-bound token's header goes with a proof (cli/token.ts makes the pair); an ID
      // token is never DPoP-bound.
      if (tokens.token_type === "dpop" && !idToken) {
        throw new ClauthError("usage", "A DPoP-bound token's header needs a proof.");
      }
      return `Authorization: Bearer ${token}\n`;
    case "env":
      return `export CLAUTH_${idToken ? "ID" : "ACCESS"}_TOKEN='${
        token.replaceAll("'", `'\\''`)
      }'\n`;
    case "json":
      return terminalSafeJson(
        idToken ? { id_token: token, expires_at: expiresAt } : {
          access_token: token,
          token_type: tokens.token_type,
          expires_at: expiresAt,
          scope: tokens.granted_scope ?? tokens.scope,
          ...options.extra,
        },
      ) + "\n";
    case "k8s":
      // client.authentication.k8s.io ExecCredential: kubectl caches the token until
      // expirationTimestamp (RFC 3339), then runs clauth again.
      return JSON.stringify({
        apiVersion: options.execApiVersion ?? EXEC_VERSIONS[0],
        kind: "ExecCredential",
        status: { token, expirationTimestamp: expiresAt },
      }) + "\n";
    case "git":
      return `username=oauth2\npassword=${token}\n${
        expiresAt === undefined ? "" : `password_expiry_utc=${Math.floor(expiry!)}\n`
      }`;
  }
}

/**
 * "2026-11-27T22:41:00Z", or undefined for no expiry or one no date can hold (a stored
 * `expires_at` of 1e20 seconds), where `toISOString` would throw.
 */
function isoInstant(seconds: number | undefined): string | undefined {
  if (seconds === undefined) return undefined;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * JSON.stringify, with the characters it leaves raw but a terminal must not see (DEL, C1
 * controls, bidi overrides and other format characters, in `scope` or `issued_token_type`)
 * written as JSON escapes: the same JSON to a parser. flows/protocol/safe_text.ts's safeJson,
 * inlined: the cached-token path loads this file and has a module budget.
 */
function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\u009f\p{Cf}\u2028\u2029]/gu,
    // A character above U+FFFF (tag characters) is written as its surrogate pair.
    (c) =>
      c.split("").map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`)
        .join(""),
  );
}
