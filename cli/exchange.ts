/**
 * `clauth exchange`: RFC 8693 token exchange. The subject token is the profile's current
 * access token (through the orchestrator, like `clauth token`), or one given on the command
 * line, on stdin, in a file, or GitHub Actions' own OIDC token. The issued token is printed
 * in the formats of `clauth token` and never cached.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import { gitHubActionsIdToken } from "../flows/grants/github_actions.ts";
import { TOKEN_TYPES, tokenExchangeFlow, tokenTypeUri } from "../flows/grants/token_exchange.ts";
import { normalizeScope, toStoredTokens } from "../storage/token_store.ts";
import type { CommandContext } from "./context.ts";
import { bindingOf } from "./settings.ts";
import { currentTokens } from "./token.ts";
import { formatToken, type OutputFormat } from "./token_output.ts";
import { readUserFile } from "./user_files.ts";
import { readStdin } from "./token_argument.ts";

/** Where `--subject-token-from` can take the subject token from. */
export const SUBJECT_TOKEN_SOURCES = ["github-actions"] as const;

/** Short token type names accepted by the `--*-token-type` options, for help and errors. */
export const TOKEN_TYPE_NAMES = Object.keys(TOKEN_TYPES);

/** Options of `clauth exchange`. */
export interface ExchangeOptions {
  /** The subject token itself, or "-" for stdin. */
  subjectToken?: string | undefined;
  subjectTokenFile?: string | undefined;
  subjectTokenFrom?: typeof SUBJECT_TOKEN_SOURCES[number] | undefined;
  /** The `aud` to ask GitHub for (with `subjectTokenFrom: "github-actions"`). */
  githubAudience?: string | undefined;
  subjectTokenType?: string | undefined;
  /** The actor token itself, or "-" for stdin. */
  actorToken?: string | undefined;
  actorTokenFile?: string | undefined;
  actorTokenType?: string | undefined;
  audience: string[];
  resource: string[];
  /** The scope asked for the new token. */
  scope?: string | undefined;
  requestedTokenType?: string | undefined;
  output: OutputFormat;
}

/** Runs `clauth exchange`. */
export async function exchangeCommand(
  context: CommandContext,
  options: ExchangeOptions,
): Promise<void> {
  const { terminal } = context;
  const fromGitHub = options.subjectTokenFrom === "github-actions";
  const subjectTokenType = options.subjectTokenType === undefined
    ? (fromGitHub ? TOKEN_TYPES.jwt : TOKEN_TYPES.access_token)
    : parseTokenType(options.subjectTokenType, "--subject-token-type");
  const actorTokenType = options.actorTokenType === undefined
    ? undefined
    : parseTokenType(options.actorTokenType, "--actor-token-type");
  const requestedTokenType = options.requestedTokenType === undefined
    ? undefined
    : parseTokenType(options.requestedTokenType, "--requested-token-type");
  for (const resource of options.resource) checkResource(resource);
  checkSources(options);

  const actorToken = await readToken("actor", options.actorToken, options.actorTokenFile, context);
  let subjectToken: string;
  let fromProfile = false;
  if (fromGitHub) {
    subjectToken = await gitHubToken(context, options.githubAudience);
  } else {
    const given = await readToken(
      "subject",
      options.subjectToken,
      options.subjectTokenFile,
      context,
    );
    fromProfile = given === undefined;
    subjectToken = given ?? await profileToken(context);
  }

  let result;
  try {
    result = await tokenExchangeFlow(await exchangingClient(context), {
      subjectToken,
      subjectTokenType,
      ...(actorToken === undefined ? {} : { actorToken }),
      ...(actorTokenType === undefined ? {} : { actorTokenType }),
      audience: options.audience,
      resource: options.resource,
      ...(options.scope === undefined ? {} : { scope: options.scope }),
      ...(requestedTokenType === undefined ? {} : { requestedTokenType }),
    });
  } catch (error) {
    if (fromProfile && error instanceof ClauthError && error.setting === "subject_token") {
      const { oauthError, status, endpoint, setting } = error;
      throw new ClauthError(
        error.code,
        `${error.message} It is the profile's stored token: get a new one with "clauth token --force-refresh --profile ${context.settings.profile}" or "clauth login".`,
        { cause: error.cause, oauthError, status, endpoint, setting },
      );
    }
    throw error;
  }

  // The result goes through the same formats as `clauth token`, which work on stored tokens.
  const now = context.now();
  const binding = { ...bindingOf(context.settings), scope: normalizeScope(options.scope) };
  const tokens = toStoredTokens(result.response, binding, now);
  if (tokens.token_type === "n_a") tokens.token_type = "N_A";
  const issued = result.issuedTokenType;
  terminal.info(
    `Issued token type: ${issued ?? "not given by the server"} (exchanged tokens are not cached).`,
  );
  await terminal.out(
    formatToken(tokens, options.output, { extra: { issued_token_type: issued ?? null } }),
  );
}

/** A token type URN from a short name or URN; a usage error listing the valid ones otherwise. */
export function parseTokenType(value: string, flag: string): string {
  const uri = tokenTypeUri(value);
  if (uri === undefined) {
    throw new ClauthError(
      "usage",
      `Unknown token type "${value}" for ${flag}: use one of ${
        TOKEN_TYPE_NAMES.join(", ")
      }, or the full URN (urn:ietf:params:oauth:token-type:<name>).`,
    );
  }
  return uri;
}

/** RFC 8707 §2: a resource is an absolute URI without a fragment. */
function checkResource(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ClauthError(
      "usage",
      `--resource "${value}" is not an absolute URI: give the full address, e.g. https://api.example.com.`,
    );
  }
  if (url.hash) {
    throw new ClauthError("usage", `--resource "${value}" must not have a fragment (#...).`);
  }
}

function checkSources(options: ExchangeOptions): void {
  const subjectSources = [
    options.subjectToken === undefined ? undefined : "--subject-token",
    options.subjectTokenFile === undefined ? undefined : "--subject-token-file",
    options.subjectTokenFrom === undefined ? undefined : "--subject-token-from",
  ].filter((flag) => flag !== undefined);
  if (subjectSources.length > 1) {
    throw new ClauthError(
      "usage",
      `Give the subject token one way, not with ${subjectSources.join(" and ")}.`,
    );
  }
  if (options.actorToken !== undefined && options.actorTokenFile !== undefined) {
    throw new ClauthError(
      "usage",
      "Give the actor token one way, not with --actor-token and --actor-token-file.",
    );
  }
  if (options.subjectToken === "-" && options.actorToken === "-") {
    throw new ClauthError(
      "usage",
      "Only one token can come from stdin: give the other with --subject-token-file or --actor-token-file.",
    );
  }
  if (
    options.actorTokenType !== undefined && options.actorToken === undefined &&
    options.actorTokenFile === undefined
  ) {
    throw new ClauthError("usage", "--actor-token-type needs --actor-token or --actor-token-file.");
  }
  if (options.githubAudience !== undefined && options.subjectTokenFrom !== "github-actions") {
    throw new ClauthError("usage", "--github-audience needs --subject-token-from github-actions.");
  }
}

/** A token from argv, stdin ("-") or a file; undefined when none was given. */
async function readToken(
  role: "subject" | "actor",
  literal: string | undefined,
  file: string | undefined,
  context: CommandContext,
): Promise<string | undefined> {
  const flag = `--${role}-token`;
  let token: string;
  let where: string;
  if (file !== undefined) {
    token = await readUserFile(file, `${role} token`, { signal: context.signal });
    where = `the file ${file}`;
  } else if (literal === "-") {
    if (context.terminal.interactive) {
      context.terminal.info(`Paste the ${role} token, then press Ctrl-D.`);
    }
    token = await readStdin(context.runtime, { signal: context.signal });
    where = "stdin";
  } else if (literal !== undefined) {
    context.terminal.info(
      `Warning: a token given with ${flag} is visible to other users of this machine (ps, /proc). Pass "${flag} -" and the token on stdin, or ${flag}-file PATH.`,
    );
    token = literal;
    where = flag;
  } else {
    return undefined;
  }
  token = token.trim();
  if (token === "" || /\s/.test(token)) {
    throw new ClauthError(
      "usage",
      `The ${role} token from ${where} is ${
        token === "" ? "empty" : "not one token (it has spaces or lines)"
      }.`,
    );
  }
  return token;
}

/** The profile's usable access token, through the orchestrator exactly as `clauth token`. */
/**
 * The client that asks for the exchange: with DPoP when the profile uses it, signing with the
 * key of the profile's stored tokens (a new one when it has none), so that the new token is
 * bound to a key clauth holds.
 */
async function exchangingClient(context: CommandContext) {
  if (!context.settings.request.dpop) return await context.client();
  const { profile } = context.settings;
  const slot = await context.store.get(profile, bindingOf(context.settings)).catch(() => undefined);
  return await context.requestingClient(slot?.auth_method, slot?.dpop_key);
}

async function profileToken(context: CommandContext): Promise<string> {
  const tokens = await currentTokens(context); // with --verbose, says where the token came from
  if (context.options.verbose) {
    context.terminal.info(`Subject token: profile "${context.settings.profile}".`);
  }
  return tokens.access_token;
}

/** The job's OIDC token from the GitHub Actions runtime. */
async function gitHubToken(
  context: CommandContext,
  audience: string | undefined,
): Promise<string> {
  const { runtime } = context;
  const names = ["ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"] as const;
  const [url, token] = names.map((name) => runtime.env(name));
  if (url === undefined || token === undefined) {
    const missing = names.filter((name) => runtime.env(name) === undefined);
    throw new ClauthError(
      "usage",
      `--subject-token-from github-actions needs ${
        missing.join(" and ")
      }, which GitHub sets only in jobs allowed to request an OIDC token: add "permissions: id-token: write" to the job (or workflow).`,
    );
  }
  const value = await gitHubActionsIdToken(
    { url, token },
    { ...(audience === undefined ? {} : { audience }), deps: context.deps },
  );
  if (context.options.verbose) context.terminal.info("Subject token: GitHub Actions OIDC token.");
  return value;
}
