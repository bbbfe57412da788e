/**
 * The help as a reader meets it: global options once (the main page and `clauth help
 * options`), examples for every command, the environment variables clauth reads, no parser
 * leftovers, `clauth` alone and `--version`.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { HELP_PAGES } from "../../cli/help_pages.ts";
import { ENVIRONMENT, EXAMPLES } from "../../cli/help_text.ts";
import { renderHelpPages } from "../../release/help_pages.ts";
import denoJson from "../../deno.json" with { type: "json" };
import { runClauth } from "../helpers/cli.ts";

const CLI = fileURLToPath(new URL("../../cli/", import.meta.url));

/** The pages as commander writes them now (HELP_PAGES may lag behind while the tree changes). */
const pages = await renderHelpPages();
/** The commands the main page lists (hidden ones are not the reader's). */
const commands = [
  ...pages[""]!.split("\nCommands:\n")[1]!.split("\n\n")[0]!.matchAll(/^ {2}([\w-]+)/gm),
]
  .map((m) => m[1]!).filter((name) => name !== "help");

/** Every `--flag <value>` or `--switch` the program's own page lists under Options. */
function globalFlags(): string[] {
  const options = pages[""]!.split("\nOptions:\n")[1]!.split("\n\n")[0]!;
  return [...options.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!)
    .filter((flag) => flag !== "--help" && flag !== "--version");
}

Deno.test("the global options are listed once: on the main page and by clauth help options", async () => {
  const flags = globalFlags();
  assert.ok(flags.includes("--profile") && flags.includes("--ca-file") && flags.length >= 11);
  for (const name of commands) {
    const page = pages[name]!;
    for (const flag of flags) {
      // A command may have an option of its own by a global's name (exchange --audience).
      assert.doesNotMatch(page, new RegExp(`^ {2}${flag} <`, "m"), `${name} repeats ${flag}`);
    }
    assert.doesNotMatch(page, /Global Options:/, name);
    assert.match(
      page,
      /\nEvery command also takes the global options .*\n.*clauth help options/,
      name,
    );
  }
  const topic = await runClauth(["help", "options"], { columns: 80 });
  assert.equal(topic.code, 0, topic.stderr);
  assert.equal(topic.stdout, HELP_PAGES["options"]);
  for (const flag of flags) assert.match(topic.stdout, new RegExp(`^ {2}${flag}\\b`, "m"), flag);
  assert.doesNotMatch(pages[""]!, /^ {2}options\b/m, "the topic is not a command to list");
});

Deno.test("every command's help ends with two or three examples", () => {
  for (const name of ["", ...commands]) {
    const examples = pages[name]!.split("\nExamples:\n")[1];
    assert.ok(examples, `${name || "clauth"} has no examples`);
    const lines = examples.split("\n\n")[0]!.split("\n").filter((line) => /^ {2}\S/.test(line));
    const runs = lines.filter((line) => !line.startsWith("  #"));
    assert.ok(runs.length >= 2 && runs.length <= 3, `${name}: ${runs.length} examples`);
    assert.ok(runs.every((line) => line.includes("clauth")), name);
    for (const line of lines) assert.ok(line.length <= 80, `${name}: too wide: ${line}`);
    assert.ok(EXAMPLES[name], name);
  }
});

Deno.test("the main help lists every environment variable clauth reads", async () => {
  // What the source reads: runtime.env("CLAUTH_...") and the like, in every file of cli/.
  const read = new Set<string>();
  for await (const entry of Deno.readDir(CLI)) {
    if (!entry.name.endsWith(".ts")) continue;
    const text = await Deno.readTextFile(`${CLI}${entry.name}`);
    for (const match of text.matchAll(/\benv\(\s*"(CLAUTH_[A-Z_]+)"/g)) read.add(match[1]!);
  }
  assert.ok(read.has("CLAUTH_CA_FILE") && read.has("CLAUTH_CONFIG_DIR") && read.size >= 10);
  const environment = pages[""]!.split("\nEnvironment:\n")[1]!;
  const listed = ENVIRONMENT.flatMap(([names]) => names.split(", "));
  for (const name of [...read, "NO_COLOR", "BROWSER", "HTTPS_PROXY", "NO_PROXY"]) {
    assert.ok(listed.includes(name), `${name} is not in ENVIRONMENT`);
    assert.match(environment, new RegExp(`\\b${name}\\b`), name);
  }
});

Deno.test("no option shows a default that says nothing ([] or false)", () => {
  for (const [name, page] of Object.entries(pages)) {
    assert.doesNotMatch(page, /default: (\[\]|false)/, name || "clauth");
  }
  // Defaults that tell the reader something stay.
  assert.match(pages["token"]!, /default: "raw"/);
});

Deno.test("clauth with no arguments prints the help on stdout and exits 0", async () => {
  const result = await runClauth([], { columns: 80 });
  assert.equal(result.code, 0);
  assert.equal(result.stderr, "");
  assert.equal(result.stdout, HELP_PAGES[""]);
  // A narrow terminal gets commander's page, still exit 0.
  const narrow = await runClauth([], { tty: { stdout: true }, columns: 60 });
  assert.equal(narrow.code, 0, narrow.stderr);
  assert.match(narrow.stdout, /^Usage: clauth \[options\] \[command\]/);
});

Deno.test("--version names clauth's version, the Deno and the target it runs on", async () => {
  const expected = `clauth ${denoJson.version} (deno ${Deno.version.deno}, ${Deno.build.target})\n`;
  assert.match(expected, /^clauth \d+\.\d+\.\d+ \(deno \d+\.\d+\.\d+, [\w-]+\)\n$/);
  for (const args of [["--version"], ["-V"], ["--verbose", "--version"]]) {
    const result = await runClauth(args); // the last goes through commander
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, expected, args.join(" "));
  }
});
