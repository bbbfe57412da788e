import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runClauth } from "../helpers/cli.ts";
import { serviceHome, withProvider } from "../helpers/dev_provider.ts";

const ciEnv = async (issuer: string) => (await serviceHome(issuer, { scope: "api:read" })).env;

const printEnv = (
  name: string,
) => [Deno.execPath(), "eval", `console.log(Deno.env.get("${name}"))`];

Deno.test("clauth exec runs the command with the token in its environment, not its arguments", async () => {
  await withProvider({}, async (idp) => {
    const env = await ciEnv(idp.issuer);
    const token = (await runClauth(["token"], { env })).stdout;
    const result = await runClauth(["exec", "--", ...printEnv("CLAUTH_ACCESS_TOKEN")], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, token);
    const named = await runClauth([
      "exec",
      "--env-var",
      "API_TOKEN",
      "--",
      ...printEnv("API_TOKEN"),
    ], { env });
    assert.equal(named.stdout, token);
    assert.equal(idp.counts.client_credentials, 1, "exec uses the cached token");
    // The client secret clauth used is not handed on to the command.
    const secret = await runClauth(["exec", "--", ...printEnv("CLAUTH_CLIENT_SECRET")], { env });
    assert.equal(secret.stdout, "\n");
  });
});

Deno.test("clauth exec exits with the command's exit code, and 2 when there is no command", async () => {
  await withProvider({}, async (idp) => {
    const env = await ciEnv(idp.issuer);
    const failing = await runClauth(["exec", "--", Deno.execPath(), "eval", "Deno.exit(7)"], {
      env,
    });
    assert.equal(failing.code, 7);
    const missing = await runClauth(["exec", "--", "clauth-no-such-program"], { env });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Cannot run "clauth-no-such-program"/);
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
    assert.match(formats.stdout, new RegExp(`^${format}\\t`, "m"));
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
