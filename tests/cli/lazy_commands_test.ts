import assert from "node:assert/strict";
import { evaluatedWith } from "../helpers/module_graph.ts";
import { buildProgram, SUBJECT_TOKEN_SOURCES, TOKEN_TYPE_NAMES } from "../../cli/program.ts";
import { lightCommand } from "../../cli/run.ts";
import { terminalOf } from "../../cli/terminal.ts";
import * as exchange from "../../cli/exchange.ts";
import { fakeRuntime } from "../helpers/fake_runtime.ts";

// What --help and every command but the light forms pay before their action runs.
Deno.test("the command tree evaluates commander and no command module, flow or other npm package", async () => {
  const modules = await evaluatedWith("cli/program.ts");
  const commands = modules.filter((s) =>
    /\/cli\/(token|login|logout|status|whoami|decode|inspect|exchange|exec|context|device_prompt|browser_opener)\.ts$/
      .test(s)
  );
  assert.deepEqual(commands, [], "each command's module loads when its action runs");
  const npm = modules.filter((s) => s.startsWith("npm:")).map((s) => s.replace(/@[\d.]+.*$/, ""));
  assert.deepEqual(
    [...new Set(npm)].sort(),
    ["npm:@commander-js/extra-typings"],
    "jose, oauth4webapi and uqr load only when used",
  );
  assert.ok(!modules.some((s) => s.includes("/flows/grants/")), "no grant flow loads for help");
  const run = await evaluatedWith("cli/run.ts");
  assert.deepEqual(
    run.filter((s) => s.startsWith("npm:") || s.startsWith("node:") || s.endsWith("/program.ts")),
    [],
    "status, whoami and token run without commander and its Node compatibility",
  );
  assert.deepEqual(
    (await evaluatedWith("cli/run.ts", true)).filter((s) => s.startsWith("npm:")),
    [],
    "run.ts reads no npm package ahead: status needs none",
  );
});

/** What commander hands the action of `args`: the command, its globals and its options. */
async function parsedByCommander(args: string[]) {
  const runtime = fakeRuntime();
  const session = { runtime, terminal: terminalOf(runtime), signal: new AbortController().signal };
  const program = buildProgram(session, () => {});
  let parsed: { command: string; globals: object; options: object } | undefined;
  program.hook("preAction", (_program, action) => {
    const options = action.opts() as Record<string, unknown>;
    parsed = {
      command: action.name(),
      globals: Object.fromEntries(
        Object.entries(action.optsWithGlobals()).filter(([key]) => !(key in options)),
      ),
      options,
    };
    throw new Error("parsed"); // stop before the action
  });
  await assert.rejects(program.parseAsync(args, { from: "user" }), /parsed/);
  return parsed!;
}

Deno.test("the light forms parse as commander does", async () => {
  const forms = [
    ["status"],
    ["status", "--json"],
    ["--json", "status", "--profile", "work"],
    ["whoami"],
    ["--profile", "alice", "whoami", "--verbose"],
    ["token"],
    ["token", "--force-refresh"],
    ["--profile", "ci", "--json", "token", "--force-refresh", "--verbose"],
  ];
  for (const args of forms) {
    const light = lightCommand(args);
    assert.ok(light, args.join(" "));
    const commander = await parsedByCommander(args);
    assert.equal(light.command, commander.command, args.join(" "));
    assert.deepEqual(light.globals, commander.globals, args.join(" "));
    if (light.command === "token") {
      assert.deepEqual(commander.options, { output: "raw", forceRefresh: light.forceRefresh });
    } else {
      assert.deepEqual(commander.options, {}, args.join(" "));
    }
  }
});

Deno.test("anything but a light form goes to commander", () => {
  for (
    const args of [
      [],
      ["--help"],
      ["status", "--help"],
      ["token", "--output", "json"],
      ["token", "get"],
      ["token", "--min-ttl", "60"],
      ["--profile=work", "status"],
      ["--profile"],
      ["--profile", "--json", "status"],
      ["status", "extra"],
      ["status", "--force-refresh"],
      ["--force-refresh", "token"],
      ["whoami", "token"],
      ["--issuer", "https://login.example.com", "token"],
      ["login"],
    ]
  ) {
    assert.equal(lightCommand(args), undefined, args.join(" "));
  }
});

Deno.test("a forced token refresh does not evaluate the login, browser or QR modules", async () => {
  const modules = await evaluatedWith("cli/token.ts");
  const interactive = modules.filter((s) =>
    /\/cli\/(login|device_prompt|browser_opener|paste_prompt)\.ts$/.test(s) || s.includes("uqr")
  );
  assert.deepEqual(interactive, [], "interactive login loads only when a login is needed");
  const context = await evaluatedWith("cli/context.ts");
  assert.ok(
    !context.some((s) => s.endsWith("/flows/tokens/private_key.ts") || s === "node:crypto"),
    "the private key parser (jose, node:crypto) loads only for a key file",
  );
});

Deno.test("the option lists written out for help match the exchange command's", () => {
  assert.deepEqual(TOKEN_TYPE_NAMES, exchange.TOKEN_TYPE_NAMES);
  assert.deepEqual(SUBJECT_TOKEN_SOURCES, exchange.SUBJECT_TOKEN_SOURCES);
});
