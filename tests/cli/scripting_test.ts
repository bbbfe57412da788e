import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runClauth, runClauthProcess, startClauthProcess } from "../helpers/cli.ts";
import { serviceHome, withProvider } from "../helpers/dev_provider.ts";
import { platformEnv } from "../helpers/platform_env.ts";

const ciEnv = async (issuer: string) => (await serviceHome(issuer, { scope: "api:read" })).env;

const printEnv = (
  name: string,
) => [Deno.execPath(), "eval", `console.log(Deno.env.get("${name}"))`];

Deno.test("clauth exec runs the command with the token in its environment, not its arguments", async () => {
  await withProvider({}, async (idp) => {
    const env = await ciEnv(idp.issuer);
    const token = (await runClauth(["token"], { env })).stdout;
    const result = await runClauthProcess(["exec", "--", ...printEnv("CLAUTH_ACCESS_TOKEN")], {
      env,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, token);
    const named = await runClauthProcess([
      "exec",
      "--env-var",
      "API_TOKEN",
      "--",
      ...printEnv("API_TOKEN"),
    ], { env });
    assert.equal(named.stdout, token);
    assert.equal(idp.counts.client_credentials, 1, "exec uses the cached token");
    // The client secret clauth used is not handed on to the command.
    const secret = await runClauthProcess(["exec", "--", ...printEnv("CLAUTH_CLIENT_SECRET")], {
      env,
    });
    assert.equal(secret.stdout, "undefined\n");
  });
});

Deno.test("clauth exec exits with the command's exit code, 127 when it is missing, 2 when there is none", async () => {
  await withProvider({}, async (idp) => {
    const env = await ciEnv(idp.issuer);
    const failing = await runClauth(["exec", "--", Deno.execPath(), "eval", "Deno.exit(7)"], {
      env,
    });
    assert.equal(failing.code, 7);
    const missing = await runClauth(["exec", "--", "clauth-no-such-program"], { env });
    assert.equal(missing.code, 127, missing.stderr);
    assert.match(
      missing.stderr,
      /Cannot run "clauth-no-such-program": no such program \(looked for it in PATH\)\./,
    );
    const none = await runClauth(["exec", "--env-var", "X", "--"], { env });
    assert.equal(none.code, 2, none.stderr);
  });
});

Deno.test("clauth exec exits 126, as a shell would, for a file it cannot execute", {
  ignore: Deno.build.os === "windows", // no execute permission bit
}, async () => {
  await withProvider({}, async (idp) => {
    const env = await ciEnv(idp.issuer);
    const script = await Deno.makeTempFile({ suffix: ".sh" });
    await Deno.writeTextFile(script, "#!/bin/sh\nexit 0\n");
    await Deno.chmod(script, 0o644);
    const result = await runClauth(["exec", "--", script], { env });
    assert.equal(result.code, 126, result.stderr);
    assert.match(
      result.stderr,
      /Cannot run ".*\.sh": permission denied \(is it an executable file\?\)/,
    );
  });
});

Deno.test("clauth exec exits 128 + N when a signal N ends the command", {
  ignore: Deno.build.os === "windows", // no POSIX signals
}, async () => {
  await withProvider({}, async (idp) => {
    const env = await ciEnv(idp.issuer);
    const bsd = Deno.build.os === "darwin" || Deno.build.os === "freebsd";
    const expected = { PIPE: 141, QUIT: 131, USR1: bsd ? 158 : 138, BUS: bsd ? 138 : 135 };
    for (const [signal, code] of Object.entries(expected)) {
      const result = await runClauth(["exec", "--", "sh", "-c", `kill -${signal} $$`], { env });
      assert.equal(result.code, code, `SIG${signal}: ${result.stderr}`);
    }
  });
});

Deno.test(
  "clauth exec passes SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGINT and SIGTERM on to the command",
  {
    ignore: Deno.build.os === "windows", // Deno cannot send a child these signals on Windows
  },
  async () => {
    await withProvider({}, async (idp) => {
      const env = await ciEnv(idp.issuer);
      const traps = ["HUP", "QUIT", "USR1", "USR2", "INT"]
        .map((name) => `trap 'echo got ${name} >&2' ${name};`).join(" ");
      // Bounded, so that a command the signal never reached does not outlive the test.
      const script = `${traps} trap 'exit 7' TERM; echo ready >&2; ` +
        `i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; exit 9`;
      // A real process: the signals go to clauth's pid, and clauth passes them on.
      const exec = startClauthProcess(["exec", "--", "sh", "-c", script], { env });
      await exec.waitForStderr(/ready/);
      for (const name of ["HUP", "QUIT", "USR1", "USR2", "INT"] as const) {
        exec.kill(`SIG${name}`);
        await exec.waitForStderr(new RegExp(`^got ${name}$`, "m"));
      }
      exec.kill("SIGTERM");
      const result = await exec.result();
      const got = [...result.stderr.matchAll(/^got (\w+)$/gm)].map((match) => match[1]);
      assert.deepEqual(got, ["HUP", "QUIT", "USR1", "USR2", "INT"], result.stderr);
      assert.equal(result.code, 7, "SIGTERM reached the command, and clauth exits with its code");
    });
  },
);

/**
 * Runs `clauth ...args` with a stdout whose reader is gone before clauth writes, as in
 * `clauth token | true`. With `lightPathOnly`, loading the full command fails loudly.
 */
async function runWithClosedStdout(
  args: string[],
  env: Record<string, string>,
  lightPathOnly = false,
) {
  const root = new URL("../../", import.meta.url);
  const entry = lightPathOnly
    ? [
      "eval",
      `import { main } from "${new URL("cli/main.ts", root)}";
       import { processRuntime } from "${new URL("cli/process_runtime.ts", root)}";
       Deno.exit(await main(Deno.args, processRuntime(), () => { throw new Error("the full command ran"); }));`,
      "--",
    ]
    : ["run", "--allow-all", "--quiet", fileURLToPath(new URL("main.ts", root))];
  const child = new Deno.Command(Deno.execPath(), {
    args: [...entry, ...args],
    env: { ...platformEnv(), ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  await child.stdout.cancel(); // closes the read end: clauth's first write fails
  const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
  return { code: status.code, stderr };
}

Deno.test("clauth exits 141 without a word when the reader of its output has gone", async () => {
  await withProvider({}, async (idp) => {
    const env = await ciEnv(idp.issuer);
    assert.equal((await runClauth(["token"], { env })).code, 0);
    // The cached-token path does not go on to the full command.
    for (const args of [["token"], ["token", "--output", "json"]]) {
      const result = await runWithClosedStdout(args, env, true);
      assert.deepEqual(result, { code: 141, stderr: "" }, `clauth ${args.join(" ")}`);
    }
    // The full command, and another command's data.
    for (const args of [["token", "--force-refresh"], ["status", "--json"]]) {
      const result = await runWithClosedStdout(args, env);
      assert.deepEqual(result, { code: 141, stderr: "" }, `clauth ${args.join(" ")}`);
    }
    assert.equal(idp.counts.client_credentials, 2, "only --force-refresh fetched a token");
  });
});

Deno.test("clauth completions prints shell scripts, and completion requests list commands and values", async () => {
  for (const shell of ["bash", "zsh", "fish"]) {
    const script = await runClauth(["completions", shell]);
    assert.equal(script.code, 0, script.stderr);
    assert.match(script.stdout, /clauth/);
  }
  const commands = await runClauth(["complete", "--", "lo"]);
  assert.match(commands.stdout, /^login\t/m);
  assert.match(commands.stdout, /^logout\t/m);
  const formats = await runClauth(["complete", "--", "token", "--output", ""]);
  for (const format of ["raw", "json", "header", "env", "k8s", "git"]) {
    assert.match(formats.stdout, new RegExp(`^${format}$`, "m"));
  }
});

Deno.test("clauth token --output git works as git's credential helper (get, store, erase)", async () => {
  await withProvider({}, async (idp) => {
    const env = await ciEnv(idp.issuer);
    const token = (await runClauth(["token"], { env })).stdout.trim();
    const main = fileURLToPath(new URL("../../main.ts", import.meta.url));
    // git runs "!" helpers through sh: quote the paths, with forward slashes for Windows.
    const quoted = (path: string) => `'${path.replaceAll("\\", "/")}'`;
    const helper = `!${quoted(Deno.execPath())} run --allow-all --quiet ${
      quoted(main)
    } token --output git`;
    const git = (action: string) =>
      new Deno.Command("git", {
        // The empty helper first drops the system's own (a keychain would keep the token).
        args: [
          "-c",
          "credential.helper=",
          "-c",
          `credential.helper=${helper}`,
          "credential",
          action,
        ],
        env: { ...env, GIT_TERMINAL_PROMPT: "0" },
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    const fill = git("fill");
    const writer = fill.stdin.getWriter();
    await writer.write(new TextEncoder().encode("protocol=https\nhost=git.example.com\n\n"));
    await writer.close();
    const filled = await fill.output();
    assert.equal(filled.code, 0, new TextDecoder().decode(filled.stderr));
    const answer = new TextDecoder().decode(filled.stdout);
    assert.match(answer, /^username=oauth2$/m);
    assert.ok(answer.includes(`\npassword=${token}\n`), answer);

    const approve = git("approve");
    const approveWriter = approve.stdin.getWriter();
    await approveWriter.write(new TextEncoder().encode(answer + "\n"));
    await approveWriter.close();
    const approved = await approve.output();
    assert.equal(approved.code, 0, new TextDecoder().decode(approved.stderr));
    assert.equal(idp.counts.client_credentials, 1);
  });
});
