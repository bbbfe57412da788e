/**
 * `clauth setup-git --host HOST [--path PREFIX] [--remove]`: makes this clauth git's
 * credential helper for one host (and path) only, in the user's global git config:
 *
 * ```
 * [credential "https://git.example.com"]
 *     helper =
 *     helper = !'/usr/local/bin/clauth' token --profile work --output git --git-url https://git.example.com
 * ```
 *
 * The empty value first drops the helpers configured before it for that URL (a keychain
 * would otherwise keep clauth's short-lived token; gh auth setup-git does the same). The
 * helper itself answers only requests for that URL (`--git-url`), should it ever be asked for
 * another. Running it again changes nothing; `--remove` takes out what it added.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import { childEnvironment } from "./child_environment.ts";
import type { GlobalOptions, Session } from "./context.ts";
import { carriedFlags, selfCommand } from "./self_command.ts";

/** Options of `clauth setup-git`. */
export interface SetupGitOptions {
  /** `git.example.com`, `git.example.com:8443`, or a URL (http only for a loopback address). */
  host: string;
  /** Only repositories under this path (`org` or `org/repo.git`). */
  path?: string | undefined;
  /** Undo the setup. */
  remove: boolean;
}

/**
 * Runs `clauth setup-git`. `globals` are the global options but --host, which is git's host
 * here; the profile they name must resolve, except to --remove.
 */
export async function setupGitCommand(
  session: Session,
  globals: GlobalOptions,
  options: SetupGitOptions,
): Promise<void> {
  const { terminal } = session;
  const url = credentialUrl(options.host, options.path);
  const key = `credential.${url}.helper`;
  const git = (args: string[], options?: { quiet: true }) =>
    runGit(session, ["config", "--global", ...args], options);
  const values = (await git(["--get-all", key])).lines;
  const ours = (value: string) => value === "" || value.includes(" --git-url ");

  if (options.remove) {
    if (!values.some((value) => value !== "" && ours(value))) {
      terminal.info(`clauth is not git's credential helper for ${url}: nothing to remove.`);
      return;
    }
    await git(["--unset-all", key]);
    for (const value of values.filter((value) => !ours(value))) await git(["--add", key, value]);
    await git(["--unset", `credential.${url}.useHttpPath`]);
    // Leave no empty [credential "<url>"] section behind (newer gits remove it themselves).
    const left = await git(["--get-regexp", `^credential\\.${escapeRegExp(url)}\\.`]);
    if (left.lines.length === 0) {
      await git(["--remove-section", `credential.${url}`], { quiet: true });
    }
    terminal.info(`git no longer asks clauth for credentials for ${url}.`);
    return;
  }

  const { CommandContext } = await import("./context.ts");
  const context = await CommandContext.create(globals, session);
  const self = selfCommand(context.runtime);
  const helper = "!" + [
    self.command,
    ...self.args,
    "token",
    ...carriedFlags(context.settings.profile, globals, context.runtime),
    "--output",
    "git",
    "--git-url",
    url,
  ].map(shellWord).join(" ");
  const usePath = options.path !== undefined;
  const pathSetting = (await git(["--get", `credential.${url}.useHttpPath`])).lines[0];
  if (
    values.length === 2 && values[0] === "" && values[1] === helper &&
    (pathSetting === "true") === usePath
  ) {
    terminal.info(`git already asks clauth for credentials for ${url}.`);
    return;
  }
  await git(["--replace-all", key, ""]);
  await git(["--add", key, helper]);
  // git sends the repository's path to a helper only with useHttpPath (git-credential(1)).
  if (usePath) await git([`credential.${url}.useHttpPath`, "true"]);
  else if (pathSetting !== undefined) await git(["--unset", `credential.${url}.useHttpPath`]);
  terminal.info(
    `git now asks clauth (profile ${context.settings.profile}) for credentials for ${url}, and only there. Undo with: clauth setup-git --host ${options.host}${
      options.path === undefined ? "" : ` --path ${options.path}`
    } --remove`,
  );
}

/**
 * The URL git matches `credential.<url>.*` against: https://HOST[:PORT][/PATH]; http only for
 * a literal loopback address, as clauth allows for issuers.
 */
export function credentialUrl(host: string, path?: string): string {
  let url: URL;
  try {
    url = new URL(host.includes("://") ? host : `https://${host}`);
  } catch {
    throw new ClauthError("usage", `--host "${host}" is not a host name or URL.`);
  }
  const loopback = /^(127(\.\d{1,3}){3}|\[::1\])$/.test(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new ClauthError(
      "usage",
      `--host "${host}": git credentials go only over https (http only to a loopback address such as 127.0.0.1).`,
    );
  }
  if (url.username || url.password || url.search || url.hash || url.pathname !== "/") {
    throw new ClauthError(
      "usage",
      `--host "${host}" must be a host, with a port if needed: give a path with --path.`,
    );
  }
  const prefix = (path ?? "").replace(/^\/+|\/+$/g, "");
  if (path !== undefined && (prefix === "" || /[\s?#]/.test(prefix))) {
    throw new ClauthError("usage", `--path "${path}" is not a repository path such as org/repo.`);
  }
  return `${url.protocol}//${url.host}${prefix ? `/${prefix}` : ""}`;
}

/** A word for the shell git runs "!" helpers with (sh, on Windows too: Git for Windows'). */
function shellWord(word: string): string {
  const text = Deno.build.os === "windows" ? word.replaceAll("\\", "/") : word;
  return /^[A-Za-z0-9_\/.:=@%+,-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Runs git with clauth's environment (HOME and GIT_CONFIG_GLOBAL say which config); `lines`
 * is its output. Exit codes 1 and 5 (nothing found, nothing to unset) are answers, not errors;
 * with `quiet`, so is any failure.
 */
async function runGit(
  session: Session,
  args: string[],
  options: { quiet?: true } = {},
): Promise<{ code: number; lines: string[] }> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("git", {
      args,
      clearEnv: true,
      env: childEnvironment(session.runtime.environment()),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: session.signal,
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new ClauthError("usage", "git is not installed (or not on PATH).");
    }
    throw error;
  }
  const decoder = new TextDecoder();
  if (output.code !== 0 && output.code !== 1 && output.code !== 5 && !options.quiet) {
    throw new ClauthError(
      "usage",
      `git config ${args.slice(1).join(" ")} failed: ${decoder.decode(output.stderr).trim()}`,
    );
  }
  const text = decoder.decode(output.stdout).replace(/\r?\n$/, "");
  return { code: output.code, lines: output.code === 0 ? text.split(/\r?\n/) : [] };
}
