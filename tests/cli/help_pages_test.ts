import assert from "node:assert/strict";
import { evaluatedWith, ROOT } from "../helpers/module_graph.ts";
import { HELP_PAGES } from "../../cli/help_pages.ts";
import { renderHelpPages } from "../../release/help_pages.ts";
import { runClauth } from "../helpers/cli.ts";

Deno.test("cli/help_pages.ts is commander's help for the command tree as it is now", async () => {
  assert.deepEqual(
    { ...HELP_PAGES },
    await renderHelpPages(),
    'the command tree changed: run "deno task help-pages"',
  );
  assert.ok(HELP_PAGES[""]?.startsWith("Usage: clauth [options] [command]"));
  assert.ok(HELP_PAGES["token"]?.startsWith("Usage: clauth token [options] [git-action]"));
});

Deno.test("every way of asking for help prints its page, exit 0", async () => {
  // A terminal wider than the pages' 80 columns: commander would wrap to 120, so getting the
  // page itself shows it came from cli/help_pages.ts.
  const wide = { tty: { stdout: true }, columns: 120 };
  const forms: [string[], string][] = [
    [["--help"], ""],
    [["-h"], ""],
    [["help"], ""],
    [["help", "login"], "login"],
    [["token", "--help"], "token"],
    [["exchange", "-h"], "exchange"],
  ];
  for (const [args, page] of forms) {
    const result = await runClauth(args, wide);
    assert.equal(result.code, 0, args.join(" "));
    assert.equal(result.stdout, HELP_PAGES[page], args.join(" "));
    assert.equal(result.stderr, "", args.join(" "));
  }
});

Deno.test("a terminal narrower than the pages gets commander's help, wrapped to fit", async () => {
  const result = await runClauth(["token", "--help"], { tty: { stdout: true }, columns: 60 });
  assert.equal(result.code, 0);
  assert.notEqual(result.stdout, HELP_PAGES["token"]);
  assert.match(result.stdout, /^Usage: clauth token \[options\] \[git-action\]/);
});

Deno.test("help for a command that does not exist is commander's usage error", async () => {
  const result = await runClauth(["help", "nope"]);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, "");
});

Deno.test("the help pages load no npm package and no Node module", async () => {
  const modules = await evaluatedWith("cli/help_pages.ts", true);
  assert.deepEqual(modules.map((m) => m.replace(`file://${ROOT}`, "")), [
    "cli/help_pages.ts",
  ]);
});
