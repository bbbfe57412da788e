/**
 * `clauth kubeconfig`: a kubeconfig user entry whose exec block runs this clauth
 * (client.authentication.k8s.io/v1 exec credential plugin), printed, or with --write merged
 * into the kubeconfig kubectl would change. With --context, a context that uses it too.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import {
  join,
  parentDir,
  readTextIfExists,
  storageError,
  writeFileAtomic,
} from "../storage/private_files.ts";
import type { CommandContext, GlobalOptions } from "./context.ts";
import {
  findEntry,
  type NamedEntry,
  setTopLevelString,
  topLevelString,
  upsertEntry,
} from "./kubeconfig_yaml.ts";
import type { Runtime } from "./runtime.ts";
import { carriedFlags, selfCommand } from "./self_command.ts";
import type { TokenType } from "./token_output.ts";

/** Options of `clauth kubeconfig`. */
export interface KubeconfigOptions {
  /** The cluster the context points at. */
  cluster?: string | undefined;
  /** The user entry's name (default `clauth-<profile>`). */
  user?: string | undefined;
  /** A context to add or update, using the user entry (default: the cluster's name). */
  context?: string | undefined;
  /** Merge into the kubeconfig instead of printing. */
  write: boolean;
  /** The token kubectl sends (default the ID token, as kubelogin). */
  tokenType?: TokenType | undefined;
}

/** The largest kubeconfig clauth edits (kubeconfigs with many clusters run to a few MB). */
const KUBECONFIG_LIMIT = 16 * 1024 * 1024;

/** Runs `clauth kubeconfig`. */
export async function kubeconfigCommand(
  context: CommandContext,
  globals: GlobalOptions,
  options: KubeconfigOptions,
): Promise<void> {
  const { settings, runtime, terminal } = context;
  const tokenType = options.tokenType ?? "id_token";
  const scopes = settings.scope?.split(/\s+/);
  if (tokenType === "id_token" && scopes && !scopes.includes("openid")) {
    terminal.info(
      `Warning: profile "${settings.profile}" does not ask for the openid scope, so its logins carry no ID token: add openid to its scope, or use --token-type access_token.`,
    );
  }
  const user = userEntry(context, globals, options.user ?? `clauth-${settings.profile}`, tokenType);
  const contextName = options.context ?? options.cluster;

  /** The kubeconfig `text` (of the file `path`, "" when printing) with the entries. */
  const merged = (text: string, path?: string): string => {
    let result = upsertEntry(text, "users", user, path);
    if (contextName === undefined) return result;
    const old = (findEntry(text, "contexts", contextName, path)?.context ?? {}) as Record<
      string,
      unknown
    >;
    const cluster = options.cluster ?? (typeof old.cluster === "string" ? old.cluster : undefined);
    if (cluster === undefined) {
      throw new ClauthError(
        "usage",
        `Context "${contextName}" is new: name its cluster with --cluster (kubectl config get-clusters lists them).`,
      );
    }
    // The context's other settings (namespace, extensions) and comments stay.
    const entry = { name: contextName, context: { cluster, user: user.name } };
    result = upsertEntry(result, "contexts", entry, path, true);
    // A kubeconfig that has a current context keeps it.
    return topLevelString(text, "current-context", path) === undefined
      ? setTopLevelString(result, "current-context", contextName, path)
      : result;
  };

  if (!options.write) {
    await terminal.out(merged(""));
    return;
  }
  const path = await targetFile(runtime, user.name);
  await changeKubeconfig(path, (text) => merged(text, path));
  terminal.info(
    `Wrote user "${user.name}"${
      contextName === undefined ? "" : ` and context "${contextName}"`
    } to ${path}.${
      contextName === undefined
        ? ` Use it in a context: kubectl config set-context NAME --cluster CLUSTER --user ${user.name}`
        : ` Try: kubectl --context ${contextName} get --raw /api`
    }`,
  );
}

/** The user entry: an exec block that runs this clauth with this run's settings. */
function userEntry(
  context: CommandContext,
  globals: GlobalOptions,
  name: string,
  tokenType: TokenType,
): NamedEntry {
  const self = selfCommand(context.runtime);
  const args = [
    ...self.args,
    // `token` first: that is the form the cached-token path answers without loading more.
    "token",
    ...carriedFlags(context.settings.profile, globals, context.runtime),
    "--output",
    "k8s",
    "--token-type",
    tokenType,
  ];
  return {
    name,
    user: {
      exec: {
        apiVersion: "client.authentication.k8s.io/v1",
        command: self.command,
        args,
        // kubectl hands clauth its terminal when it has one (a login can then start), and
        // says interactive: false otherwise, when clauth exits 4 with what to run.
        interactiveMode: "IfAvailable",
        provideClusterInfo: false,
        installHint:
          `This kubeconfig entry runs clauth with ${self.command}, which is not there: install clauth, then run "clauth kubeconfig --write" again.`,
      },
    },
  };
}

/**
 * The kubeconfig to change, as kubectl chooses (client-go's PathOptions): $KUBECONFIG's list
 * (":" between paths, ";" on Windows): the file that already has the user entry, else the
 * first that exists, else the last; without $KUBECONFIG, ~/.kube/config.
 */
async function targetFile(runtime: Pick<Runtime, "env">, user: string): Promise<string> {
  const list = (runtime.env("KUBECONFIG") ?? "").split(Deno.build.os === "windows" ? ";" : ":")
    .filter(Boolean);
  if (list.length === 0) {
    const home = runtime.env("HOME") ?? runtime.env("USERPROFILE");
    if (!home) {
      throw new ClauthError("usage", "Cannot find the kubeconfig: set KUBECONFIG or HOME.");
    }
    return join(home, ".kube", "config");
  }
  const present: { path: string; text: string }[] = [];
  for (const path of list) {
    const text = await readKubeconfig(path);
    if (text !== "") present.push({ path, text });
  }
  return present.find(({ path, text }) => findEntry(text, "users", user, path))?.path ??
    present[0]?.path ?? list.at(-1)!;
}

async function readKubeconfig(path: string): Promise<string> {
  return await readTextIfExists(path, { limit: KUBECONFIG_LIMIT, what: "the kubeconfig" }) ?? "";
}

/**
 * Reads, changes and replaces the kubeconfig atomically (readers see the old file or the new,
 * whole), under client-go's lock: kubectl creates `<file>.lock` while it changes the file and
 * fails when it exists. A symbolic link (a kubeconfig kept with dotfiles) is followed, and
 * stays a link. The file is written 0600, as kubectl writes it.
 */
async function changeKubeconfig(path: string, change: (text: string) => string): Promise<void> {
  const real = await Deno.realPath(path).catch(() => path);
  await Deno.mkdir(parentDir(real), { recursive: true, mode: 0o700 }).catch((error) => {
    throw storageError("create the folder", parentDir(real), error);
  });
  let lock: Deno.FsFile;
  try {
    lock = await Deno.open(`${real}.lock`, { write: true, createNew: true, mode: 0o600 });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw storageError("write", real, error);
    throw new ClauthError(
      "storage",
      `${real}.lock exists: kubectl (or another program) is changing ${real}. Try again; remove the lock file if nothing is.`,
    );
  }
  try {
    await writeFileAtomic(real, change(await readKubeconfig(real)));
  } finally {
    lock.close();
    await Deno.remove(`${real}.lock`).catch(() => {});
  }
}
