/**
 * The GitHub Action's step (action.yml -> .github/actions/clauth-token.sh), run the way the
 * runner runs it: inputs as INPUT_* variables, GITHUB_OUTPUT / GITHUB_ENV files, RUNNER_TEMP,
 * and for the OIDC path the ACTIONS_ID_TOKEN_REQUEST_* variables.
 */

import assert from "node:assert/strict";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { introspect, withProvider } from "../helpers/dev_provider.ts";
import { GITHUB_SUBJECT, startGitHubOidc } from "../helpers/github_oidc.ts";
import { platformEnv } from "../helpers/platform_env.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCRIPT = join(ROOT, ".github", "actions", "clauth-token.sh");
const SECRET = "demo-service-secret";

interface StepResult {
  code: number;
  stdout: string;
  stderr: string;
  output: string;
  env: string;
  /** What the step left in RUNNER_TEMP. */
  leftovers: string[];
}

/** Runs the step with a clean environment plus `inputs` (INPUT_* names) and `extra`. */
async function runStep(
  inputs: Record<string, string>,
  extra: Record<string, string> = {},
): Promise<StepResult> {
  const runner = await Deno.makeTempDir({ prefix: "clauth-runner-" });
  const files = { GITHUB_OUTPUT: `${runner}/output`, GITHUB_ENV: `${runner}/env` };
  await Deno.mkdir(`${runner}/temp`);
  for (const file of Object.values(files)) await Deno.writeTextFile(file, "");
  try {
    const result = await new Deno.Command("bash", {
      args: [SCRIPT],
      cwd: runner, // a job runs in its own repository, not in the action's checkout
      clearEnv: true,
      env: {
        ...platformEnv(),
        PATH: [dirname(Deno.execPath()), Deno.env.get("PATH") ?? "/usr/bin:/bin"].join(delimiter),
        GITHUB_ACTIONS: "true",
        RUNNER_TEMP: `${runner}/temp`,
        ...files,
        ...inputs,
        ...extra,
      },
      stdin: "null",
    }).output();
    const decoder = new TextDecoder();
    return {
      code: result.code,
      stdout: decoder.decode(result.stdout),
      stderr: decoder.decode(result.stderr),
      output: await Deno.readTextFile(files.GITHUB_OUTPUT),
      env: await Deno.readTextFile(files.GITHUB_ENV),
      leftovers: (await Array.fromAsync(Deno.readDir(`${runner}/temp`))).map((e) => e.name),
    };
  } finally {
    await Deno.remove(runner, { recursive: true });
  }
}

/** The token is masked before anything prints it, and printed nowhere else. */
function assertMasked(result: StepResult, token: string): void {
  const lines = result.stdout.split("\n");
  assert.equal(lines[0], `::add-mask::${token}`, "the mask command comes first");
  const elsewhere = [...lines.slice(1), result.stderr].filter((line) => line.includes(token));
  assert.deepEqual(elsewhere, [], "the token is printed only in the mask command");
}

Deno.test("action step: client credentials -> masked step output and environment variable", async () => {
  await withProvider({}, async (idp) => {
    const result = await runStep({
      INPUT_ISSUER: idp.issuer,
      INPUT_CLIENT_ID: "demo-service",
      INPUT_CLIENT_SECRET: SECRET,
      INPUT_SCOPE: "api:read",
      INPUT_OUTPUT_ENV_VAR: "API_TOKEN",
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const token = /^token=(\S+)\n$/.exec(result.output)?.[1];
    assert.ok(token, `GITHUB_OUTPUT: ${result.output}`);
    assert.equal(result.env, `API_TOKEN=${token}\n`);
    assertMasked(result, token);
    assert.match(result.stdout, /token ready in the step output "token" and in \$API_TOKEN/);
    assert.doesNotMatch(result.stdout + result.stderr, new RegExp(SECRET), "secret never echoed");
    assert.deepEqual(result.leftovers, [], "no config or token cache left behind");

    const info = await introspect(idp, token);
    assert.equal(info.body.active, true);
    assert.equal(info.body.client_id, "demo-service");
    assert.equal(info.body.scope, "api:read");
  });
});

Deno.test("action step: subject-token-from github-actions exchanges the job's OIDC token, no secret", async () => {
  const github = await startGitHubOidc();
  try {
    await withProvider({ trustedJwtIssuers: [github.trusted("clauth-dev")] }, async (idp) => {
      const result = await runStep({
        INPUT_ISSUER: idp.issuer,
        INPUT_CLIENT_ID: "demo-cli",
        INPUT_SCOPE: "api:read",
        INPUT_AUDIENCE: "https://orders.example, https://billing.example",
        INPUT_SUBJECT_TOKEN_FROM: "github-actions",
        INPUT_GITHUB_AUDIENCE: "clauth-dev",
      }, github.env);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const token = /^token=(\S+)\n$/.exec(result.output)?.[1];
      assert.ok(token, `GITHUB_OUTPUT: ${result.output}`);
      assertMasked(result, token);
      assert.equal(result.env, "", "no environment variable unless asked");
      assert.deepEqual(github.audiences, ["clauth-dev"]);
      assert.doesNotMatch(result.stdout + result.stderr, new RegExp(github.requestToken));

      const info = await introspect(idp, token);
      assert.equal(info.body.sub, GITHUB_SUBJECT);
      assert.equal(info.body.scope, "api:read");
      assert.deepEqual(info.body.aud, ["https://orders.example", "https://billing.example"]);
    });
  } finally {
    await github.close();
  }
});

Deno.test("action step: failures exit non-zero with an ::error:: line and write no output", async () => {
  await withProvider({}, async (idp) => {
    const base = { INPUT_ISSUER: idp.issuer, INPUT_CLIENT_ID: "demo-service" };
    const cases: [Record<string, string>, number, RegExp][] = [
      [
        { INPUT_CLIENT_ID: "demo-service" },
        2,
        /::error title=clauth::the issuer input is required/,
      ],
      [
        { ...base, INPUT_CLIENT_SECRET: SECRET, INPUT_OUTPUT_ENV_VAR: "BAD-NAME" },
        2,
        /output-env-var must be an environment variable name, not "BAD-NAME"/,
      ],
      [
        { ...base, INPUT_CLIENT_SECRET: SECRET, INPUT_AUDIENCE: "https://orders.example" },
        2,
        /the audience input needs subject-token-from/,
      ],
      [{ ...base, INPUT_SUBJECT_TOKEN_FROM: "gitlab" }, 2, /subject-token-from must be/],
      // clauth's own failures keep clauth's exit code and message.
      [
        { ...base, INPUT_CLIENT_SECRET: "wrong-secret" },
        2,
        /clauth: The token endpoint refused the request: invalid_client[^]*::error title=clauth::clauth token failed with exit code 2/,
      ],
      [
        { ...base, INPUT_SUBJECT_TOKEN_FROM: "github-actions" },
        2,
        /permissions: id-token: write/,
      ],
    ];
    for (const [inputs, code, pattern] of cases) {
      const result = await runStep(inputs);
      assert.equal(result.code, code, JSON.stringify(inputs) + result.stdout + result.stderr);
      assert.match(result.stderr + result.stdout, pattern);
      assert.equal(result.output, "");
      assert.equal(result.env, "");
      assert.doesNotMatch(result.stdout + result.stderr, /wrong-secret|demo-service-secret/);
      assert.deepEqual(result.leftovers, []);
    }
  });
});

Deno.test("action step: the job's CLAUTH_* variables have no effect, only the inputs decide", async () => {
  await withProvider({}, async (idp) => {
    const inputs = { INPUT_ISSUER: idp.issuer, INPUT_CLIENT_ID: "demo-service" };
    // An empty client-secret input means no secret, even with one in the job's environment.
    const unsent = await runStep(inputs, { CLAUTH_CLIENT_SECRET: SECRET });
    assert.notEqual(unsent.code, 0, unsent.stdout + unsent.stderr);
    assert.equal(unsent.output, "", "no token from the job's secret");

    // Each of these, inherited, would change the request or break the step.
    const job: Record<string, string>[] = [
      { CLAUTH_SCOPE: "api:write" },
      { CLAUTH_TIMEOUT: "soon" },
      { CLAUTH_PRIVATE_KEY_FILE: "/nonexistent/job-key.pem" },
    ];
    for (const extra of job) {
      const result = await runStep({ ...inputs, INPUT_CLIENT_SECRET: SECRET }, extra);
      assert.equal(result.code, 0, JSON.stringify(extra) + result.stdout + result.stderr);
      const token = /^token=(\S+)\n$/.exec(result.output)?.[1];
      assert.ok(token, `GITHUB_OUTPUT: ${result.output}`);
      const info = await introspect(idp, token);
      assert.equal(info.body.client_id, "demo-service");
      assert.equal(info.body.scope, undefined, "no scope input, no scope asked for");
    }
  });
});

Deno.test("action step: values in ::error:: lines are escaped, so inputs cannot inject commands", async () => {
  const injected = "gitlab\n::set-output name=token::stolen\r\n::add-mask::%";
  const result = await runStep({
    INPUT_ISSUER: "https://idp.example",
    INPUT_CLIENT_ID: "demo-service",
    INPUT_SUBJECT_TOKEN_FROM: injected,
  });
  assert.equal(result.code, 2);
  assert.equal(
    result.stdout,
    '::error title=clauth::subject-token-from must be github-actions or empty, not "gitlab' +
      '%0A::set-output name=token::stolen%0D%0A::add-mask::%25"\n',
  );
});

Deno.test("action.yml passes every input through env (never into the script) to the tested step", async () => {
  const yaml = await Deno.readTextFile(join(ROOT, "action.yml"));
  assert.match(yaml, /using: composite/);
  assert.match(yaml, /uses: denoland\/setup-deno@v2\n\s+with:\n\s+deno-version: v2\.9\.6/);
  assert.match(yaml, /run: bash "\$GITHUB_ACTION_PATH\/\.github\/actions\/clauth-token\.sh"/);
  assert.match(yaml, /CLAUTH_MAIN: \$\{\{ github\.action_path \}\}\/main\.ts/);
  assert.match(
    yaml,
    /token:\n\s+description: .*\n\s+value: \$\{\{ steps\.clauth\.outputs\.token \}\}/,
  );
  const inputSection = yaml.slice(yaml.indexOf("\ninputs:\n"), yaml.indexOf("\noutputs:\n"));
  const inputs = [...inputSection.matchAll(/^ {2}([a-z-]+):\n {4}description:/gm)].map((m) =>
    m[1]!
  );
  assert.deepEqual(inputs, [
    "issuer",
    "client-id",
    "client-secret",
    "scope",
    "audience",
    "subject-token-from",
    "github-audience",
    "output-env-var",
  ]);
  for (const input of inputs) {
    const name = `INPUT_${input.toUpperCase().replaceAll("-", "_")}`;
    assert.match(yaml, new RegExp(`\\n {8}${name}: \\$\\{\\{ inputs\\.${input} \\}\\}\\n`), name);
  }
  // Expressions only in env values and the output mapping: none inside a run script.
  for (const line of yaml.split("\n").filter((l) => l.includes("${{"))) {
    assert.match(line, /^\s+(?:[A-Z_]+|value): \$\{\{ [a-z_.-]+ \}\}(?:\/main\.ts)?$/, line);
  }
});
