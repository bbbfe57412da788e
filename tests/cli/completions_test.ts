import assert from "node:assert/strict";
import { evaluatedWith } from "../helpers/module_graph.ts";
import { fileURLToPath } from "node:url";
import { completeWords, type Completion } from "../../cli/completion_engine.ts";
import { COMPLETION_SHELLS } from "../../cli/completion_scripts.ts";
import { COMPLETION_SPEC } from "../../cli/completion_spec.ts";
import { FLOWS } from "../../cli/config.ts";
import { OUTPUT_FORMATS } from "../../cli/token_output.ts";
import { PRESETS } from "../../flows/presets/registry.ts";
import { renderCompletionSpec } from "../../release/completion_spec.ts";
import { makeCliHome, runClauth } from "../helpers/cli.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The candidates a TAB offers after `words` (the last one is under the cursor). */
async function complete(...words: string[]): Promise<Completion> {
  return await completeWords(COMPLETION_SPEC, words, {
    profiles: () => Promise.resolve([["work", "https://login.example.com"], ["ci", ""]]),
  });
}

const values = (completion: Completion) => completion.candidates.map(([value]) => value);

Deno.test("cli/completion_spec.ts is the command tree as it is now", () => {
  assert.deepEqual(
    JSON.parse(JSON.stringify(COMPLETION_SPEC)),
    JSON.parse(JSON.stringify(renderCompletionSpec())),
    'the command tree changed: run "deno task completion-spec"',
  );
});

Deno.test("every option that names a file completes paths, and the value lists are the CLI's", () => {
  const options = [
    ...COMPLETION_SPEC.options,
    ...COMPLETION_SPEC.commands.flatMap((c) => c.options),
  ];
  const fileOptions = options.filter((o) => o.long.endsWith("-file"));
  assert.ok(fileOptions.length >= 5, fileOptions.map((o) => o.long).join(" "));
  for (const option of fileOptions) {
    assert.deepEqual(option.values, { source: "files" }, option.long);
  }
  const valuesOf = (long: string) => options.find((o) => o.long === long)?.values;
  assert.deepEqual(valuesOf("--profile"), { source: "profiles" });
  const choices = (long: string) => {
    const found = valuesOf(long);
    return found && "choices" in found ? found.choices.map(([value]) => value) : [];
  };
  assert.deepEqual(choices("--flow"), [...FLOWS]);
  assert.deepEqual(choices("--output"), [...OUTPUT_FORMATS]);
  assert.deepEqual(choices("--provider"), PRESETS.map((p) => p.name));
});

Deno.test("completeWords() offers global options after a command too, with the command's own", async () => {
  assert.deepEqual(values(await complete("token", "--pro")), ["--profile", "--provider"]);
  const afterLogin = values(await complete("login", "--"));
  for (const option of ["--profile", "--issuer", "--ca-file", "--flow", "--dpop", "--help"]) {
    assert.ok(afterLogin.includes(option), option);
  }
  assert.ok(!afterLogin.includes("--version"), "--version belongs to the program alone");
  assert.ok(!afterLogin.includes("--output"), "token's option is not login's");
  assert.deepEqual(values(await complete("--ver")), ["--version", "--verbose"]);
});

Deno.test("completeWords() offers commands, then each command's arguments", async () => {
  assert.deepEqual(values(await complete("lo")), ["login", "logout"]);
  assert.deepEqual(values(await complete("--profile", "work", "who")), ["whoami"]);
  assert.deepEqual(values(await complete("profile", "")), [
    "list",
    "show",
    "use",
    "save",
    "remove",
    "move",
  ]);
  assert.deepEqual(values(await complete("profile", "use", "")), ["work", "ci"]);
  assert.deepEqual(values(await complete("completions", "")), [...COMPLETION_SHELLS]);
  assert.ok(values(await complete("help", "to")).includes("token"));
  assert.deepEqual(await complete("exec", "--", "kubectl", ""), {
    candidates: [],
    files: { prefix: "" },
  });
  assert.deepEqual(await complete("nope", ""), { candidates: [] });
});

Deno.test("completeWords() completes option values: choices, profiles, presets and paths", async () => {
  assert.deepEqual(values(await complete("--flow", "")), [...FLOWS]);
  assert.deepEqual(values(await complete("token", "--output", "")), [...OUTPUT_FORMATS]);
  assert.deepEqual(values(await complete("token", "--output=j")), ["--output=json"]);
  assert.deepEqual(values(await complete("--provider", "g")), ["github", "google", "gitlab"]);
  assert.deepEqual(await complete("token", "--profile", ""), {
    candidates: [["work", "https://login.example.com"], ["ci", ""]],
  });
  for (const option of ["--client-secret-file", "--private-key-file", "--ca-file"]) {
    assert.deepEqual(await complete("login", option, "./se"), {
      candidates: [],
      files: { prefix: "" },
    });
  }
  assert.deepEqual((await complete("exchange", "--subject-token-file=")).files, {
    prefix: "--subject-token-file=",
  });
  assert.deepEqual((await complete("api", "URL", "--data", "@bo")).files, { prefix: "@" });
  assert.deepEqual((await complete("api", "URL", "--data=@")).files, { prefix: "--data=@" });
  assert.deepEqual(await complete("api", "URL", "--data", "{"), { candidates: [] });
  // A value that is free text offers nothing, not even paths.
  assert.deepEqual(await complete("--scope", ""), { candidates: [] });
  // PowerShell's legacy argument passing sends "" for the empty word.
  assert.deepEqual(values(await complete("--flow", '""')), [...FLOWS]);
});

Deno.test("completeWords() skips option values and leaves out options already given", async () => {
  // "token" here is --profile's value, not the command.
  assert.deepEqual(values(await complete("--profile", "token", "st")), ["status"]);
  const afterDpop = values(await complete("login", "--dpop", "--scope", "a b", "--"));
  assert.ok(!afterDpop.includes("--dpop") && !afterDpop.includes("--scope"));
  assert.ok(values(await complete("login", "--resource", "a", "--res")).includes("--resource"));
  assert.deepEqual(values(await complete("api", "-H", "X: y", "--inc")), ["--include"]);
});

Deno.test("clauth complete offers config.json's profiles and those with stored tokens", async () => {
  const home = await makeCliHome();
  await home.writeConfig({
    default_profile: "work",
    profiles: { work: { issuer: "https://login.example.com" }, ci: { provider: "github" } },
  });
  await Deno.mkdir(home.stateDir, { recursive: true });
  for (const file of ["alice.json", "work.json", "Not-A-Profile.json", "alice.lock"]) {
    await Deno.writeTextFile(`${home.stateDir}/${file}`, "{}");
  }
  const result = await runClauth(["complete", "--", "token", "--profile", ""], { env: home.env });
  assert.deepEqual(result, {
    code: 0,
    stdout: "work\thttps://login.example.com (default)\nci\tgithub\nalice\tstored tokens\n",
    stderr: "",
  });
  // A config that does not parse still lets stored profiles be offered, silently.
  await home.writeConfig("{ not json");
  const broken = await runClauth(["complete", "--", "--profile", "a"], { env: home.env });
  assert.deepEqual(broken, { code: 0, stdout: "alice\tstored tokens\n", stderr: "" });
});

Deno.test("clauth complete prints paths as a directive, and nothing for an unknown command", async () => {
  const files = await runClauth(["complete", "--", "api", "URL", "--data", "@"]);
  assert.deepEqual(files, { code: 0, stdout: ":files @\n", stderr: "" });
  const none = await runClauth(["complete", "--", "nope", ""]);
  assert.deepEqual(none, { code: 0, stdout: "", stderr: "" });
});

Deno.test("clauth completions prints each shell's script; other shells are usage errors", async () => {
  const marks = {
    bash: "complete -F _clauth clauth",
    zsh: "#compdef clauth",
    fish: "complete -c clauth",
    powershell: "Register-ArgumentCompleter -Native -CommandName clauth",
  };
  for (const shell of COMPLETION_SHELLS) {
    for (const args of [["completions", shell], ["--verbose", "completions", shell]]) {
      const result = await runClauth(args);
      assert.equal(result.code, 0, result.stderr);
      assert.ok(result.stdout.includes(marks[shell]), args.join(" "));
      assert.ok(result.stdout.includes("clauth complete"), args.join(" "));
    }
  }
  const wrong = await runClauth(["completions", "tcsh"]);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /tcsh/);
});

Deno.test("a TAB's answer evaluates no npm package and no command module", async () => {
  // What loading it evaluates (literal dynamic imports too: deno run reads them ahead).
  const evaluated = await evaluatedWith("cli/completions.ts", true);
  const loaded = [...evaluated].map((s) => s.replace(`file://${ROOT}`, ""));
  assert.deepEqual(loaded.filter((s) => s.startsWith("npm:") || s.startsWith("node:")), []);
  assert.ok(
    !loaded.includes("cli/program.ts") && !loaded.includes("cli/context.ts"),
    loaded.join(),
  );
  assert.ok(loaded.includes("cli/completion_spec.ts"));
});
