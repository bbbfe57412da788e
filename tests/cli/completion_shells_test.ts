/**
 * The completion scripts in the real shells: bash (called as readline would, with and without
 * the bash-completion package), zsh (a TAB typed into an interactive zsh through zpty) and
 * fish (`complete -C`). Each runs a `clauth` on PATH that is this checkout's main.ts. A shell
 * that is not installed has its tests ignored, and says so.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { makeCliHome } from "../helpers/cli.ts";
import { platformEnv } from "../helpers/platform_env.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const BASH_COMPLETION = "/usr/share/bash-completion/bash_completion";

/** The path of `name` on PATH, or undefined. */
function onPath(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
    } catch {
      // not here
    }
  }
  return undefined;
}

// The scripts are POSIX-shell scripts; Windows runs PowerShell's (not tested here).
const posix = Deno.build.os !== "windows";
const shells = {
  bash: posix && onPath("bash"),
  zsh: posix && onPath("zsh"),
  fish: posix && onPath("fish"),
};
for (const [shell, path] of Object.entries(shells)) {
  if (!path) console.log(`${shell} is not installed here: its completion tests are ignored.`);
}
const bashCompletion = (() => {
  try {
    return Deno.statSync(BASH_COMPLETION).isFile;
  } catch {
    return false;
  }
})();
if (shells.bash && !bashCompletion) {
  console.log("the bash-completion package is not installed: that test is ignored.");
}

/** A `clauth` on PATH, profiles in config.json and in the token folder, and some files. */
async function setUp() {
  const home = await makeCliHome();
  await home.writeConfig({
    default_profile: "work",
    profiles: { work: { issuer: "https://login.example.com" }, ci: { provider: "github" } },
  });
  await Deno.mkdir(home.stateDir, { recursive: true });
  await Deno.writeTextFile(`${home.stateDir}/alice.json`, "{}");
  const root = `${home.configDir}/..`;
  await Deno.mkdir(`${root}/bin`);
  await Deno.writeTextFile(
    `${root}/bin/clauth`,
    `#!/bin/sh\nexec '${Deno.execPath()}' run --allow-all --quiet '${MAIN}' "$@"\n`,
  );
  await Deno.chmod(`${root}/bin/clauth`, 0o755);
  const files = `${root}/files`;
  await Deno.mkdir(`${files}/my dir`, { recursive: true });
  await Deno.writeTextFile(`${files}/secret.txt`, "");
  await Deno.writeTextFile(`${files}/my dir/ca.pem`, "");
  const env = {
    ...platformEnv(),
    ...home.env,
    PATH: `${root}/bin:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
    HOME: root,
    XDG_CONFIG_HOME: `${root}/xdg-config`,
    XDG_DATA_HOME: `${root}/xdg-data`,
  };
  return { env, files };
}

async function run(program: string, args: string[], env: Record<string, string>, cwd: string) {
  const output = await new Deno.Command(program, {
    args,
    env,
    clearEnv: true,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    // A safety net only: zsh waits for the expected listing, which a broken script never prints.
    signal: AbortSignal.timeout(60_000),
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  return new TextDecoder().decode(output.stdout);
}

/**
 * What bash's `_clauth` puts in COMPREPLY for `words` (the last one under the cursor), set up
 * as readline would when `line` is given (COMP_LINE, COMP_POINT), else with COMP_WORDS alone.
 */
async function bashReplies(
  words: string[],
  options: { line?: string; withPackage?: boolean } = {},
): Promise<string[]> {
  const { env, files } = await setUp();
  const script = `
${options.withPackage ? `source ${BASH_COMPLETION}` : ""}
if [[ -z "${options.withPackage ? "yes" : ""}" ]] &&
  { declare -F _get_comp_words_by_ref || declare -F _init_completion; }; then
  echo "bash-completion is loaded" >&2; exit 9
fi
# bash 3.2 (macOS) cannot source a process substitution.
if (( BASH_VERSINFO[0] >= 4 )); then source <(clauth completions bash); else eval "$(clauth completions bash)"; fi
COMP_WORDS=(clauth "$@"); COMP_CWORD=$#
${options.line === undefined ? "" : 'COMP_LINE="$LINE"; COMP_POINT=${#COMP_LINE}'}
_clauth
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const output = await run(
    shells.bash as string,
    ["--norc", "--noprofile", "-c", script, "bash", ...words],
    { ...env, LINE: options.line ?? "" },
    files,
  );
  return output.split("\n").filter((line) => line !== "");
}

Deno.test({
  name: "bash completes options after a command, values and paths, without bash-completion",
  ignore: !shells.bash,
  async fn() {
    assert.deepEqual(await bashReplies(["token", "--pro"]), ["--profile", "--provider"]);
    assert.deepEqual(await bashReplies(["token", "--profile", ""]), ["work", "ci", "alice"]);
    assert.deepEqual(await bashReplies(["login", "--flow", ""]), [
      "auto",
      "browser",
      "device",
      "client-credentials",
    ]);
    assert.deepEqual(await bashReplies(["--provider", "g"]), ["github", "google", "gitlab"]);
    // Readline splits "--output=j" at "=" and replaces only what follows it.
    assert.deepEqual(
      await bashReplies(["token", "--output", "=", "j"], { line: "clauth token --output=j" }),
      ["json"],
    );
    assert.deepEqual(await bashReplies(["token", "--output", "=", "j"]), ["json"]);
    assert.deepEqual(await bashReplies(["--ca-file", "se"]), ["secret.txt"]);
    assert.deepEqual(await bashReplies(["--client-secret-file", "my"]), ["my dir"]);
    // After "@" readline cannot tell a path: the script quotes it and ends a folder with "/".
    assert.deepEqual(await bashReplies(["api", "URL", "--data", "@my"]), ["@my\\ dir/"]);
    assert.deepEqual(
      await bashReplies(["api", "URL", "--data", "@", "my"], { line: "clauth api URL --data @my" }),
      ["@my\\ dir/"],
    );
    // Free text offers nothing, not even file names.
    assert.deepEqual(await bashReplies(["--scope", ""]), []);
  },
});

Deno.test({
  name: "bash completes the same with the bash-completion package loaded",
  ignore: !shells.bash || !bashCompletion,
  async fn() {
    const withPackage = true;
    assert.deepEqual(await bashReplies(["token", "--pro"], { withPackage }), [
      "--profile",
      "--provider",
    ]);
    assert.deepEqual(await bashReplies(["--profile", "a"], { withPackage }), ["alice"]);
  },
});

/**
 * Types `line` and a TAB into an interactive zsh (compinit, then the script sourced) and
 * returns the screen output once `expected` (a zsh pattern) has appeared in it.
 */
async function zshScreen(line: string, expected: string): Promise<string> {
  const { env, files } = await setUp();
  const script = `
zmodload zsh/zpty || exit 3
zpty z 'zsh -f -i'
zpty -w z 'PS1="> "; setopt list_rows_first; autoload -U compinit; compinit -u -D; source <(clauth completions zsh); print RE""ADY'
zpty -r z out '*READY*'
zpty -w -n z "$LINE"$'\\t'
zpty -r z out "$EXPECTED"
print -r -- "$out"
zpty -d z`;
  return await run(shells.zsh as string, ["-f", "-c", script], {
    ...env,
    LINE: line,
    EXPECTED: expected,
  }, files);
}

Deno.test({
  name: "zsh lists options after a command, values with descriptions, and paths",
  ignore: !shells.zsh,
  async fn() {
    const options = await zshScreen("clauth token --pro", "*--provider*");
    assert.match(options, /--profile +-- profile to use/);
    const profiles = await zshScreen("clauth --profile ", "*\\(default\\)*");
    assert.match(profiles, /alice +-- stored tokens/);
    assert.match(profiles, /work +-- https:\/\/login\.example\.com \(default\)/);
    // zsh sorts what it lists; the pattern waited for is the assertion.
    await zshScreen("clauth token --output=", "*env*git*header*json*k8s*raw*");
    await zshScreen("clauth --flow ", "*auto*browser*client-credentials*device*");
    await zshScreen("clauth --ca-file ", "*my*dir/*secret.txt*");
    await zshScreen("clauth api URL --data @", "*my*dir/*secret.txt*");
  },
});

/** What fish offers for `line`, as `complete -C` prints it: VALUE<TAB>DESCRIPTION lines. */
async function fishCompletions(line: string): Promise<string[]> {
  const { env, files } = await setUp();
  const output = await run(
    shells.fish as string,
    ["--no-config", "-c", 'clauth completions fish | source; complete -C"$LINE"'],
    { ...env, LINE: line },
    files,
  );
  return output.split("\n").filter((text) => text !== "");
}

Deno.test({
  name: "fish completes options after a command, values with descriptions, and paths",
  ignore: !shells.fish,
  async fn() {
    assert.deepEqual(await fishCompletions("clauth token --pro"), [
      "--profile\tprofile to use (env: CLAUTH_PROFILE)",
      "--provider\ta provider preset: clauth providers lists them (env: CLAUTH_PROVIDER)",
    ]);
    assert.deepEqual(await fishCompletions("clauth --profile "), [
      "alice\tstored tokens",
      "ci\tgithub",
      "work\thttps://login.example.com (default)",
    ]);
    assert.deepEqual(await fishCompletions("clauth token --output=j"), ["--output=json"]);
    assert.deepEqual(await fishCompletions("clauth --ca-file se"), ["secret.txt"]);
    assert.deepEqual(await fishCompletions("clauth api URL --data @my"), ["@my dir/"]);
    assert.deepEqual(await fishCompletions("clauth --scope "), []);
  },
});
