import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const CLI = new URL("../../cli/", import.meta.url);
/** The seam's one real implementation: the only file in cli/ allowed to touch the process. */
const SEAM = "process_runtime.ts";
/** What reads the clock, the environment, the standard streams, signals or the exit code. */
const PROCESS_ACCESS =
  /\bDate\.now\(|new Date\(\)|\bDeno\.(env|stdin|stdout|stderr|exit|exitCode|addSignalListener|removeSignalListener|consoleSize)\b|\bprocess\.(env|stdout|stderr|stdin|exit|argv)\b|\bconsole\.(log|error|warn|info)\(/;

/** Code lines only: comments may name what they avoid. */
function codeLines(text: string): [number, string][] {
  return text.split("\n").map((line, i) => [i + 1, line] as [number, string])
    .filter(([, line]) => !/^\s*(\/\/|\/\*|\*)/.test(line));
}

Deno.test("cli/ reaches the clock, environment, streams, signals and exit only through the runtime seam", async () => {
  const offending: string[] = [];
  let files = 0;
  for await (const entry of Deno.readDir(CLI)) {
    if (!entry.isFile || !entry.name.endsWith(".ts") || entry.name === SEAM) continue;
    files++;
    const text = await Deno.readTextFile(fileURLToPath(new URL(entry.name, CLI)));
    for (const [number, line] of codeLines(text)) {
      if (PROCESS_ACCESS.test(line)) offending.push(`cli/${entry.name}:${number}: ${line.trim()}`);
    }
  }
  assert.ok(files > 10, "the cli/ files were read");
  assert.deepEqual(offending, [], "go through the Runtime (cli/runtime.ts) instead");
});

Deno.test("the runtime seam check catches each kind of direct access", () => {
  for (
    const line of [
      "const now = Date.now();",
      'const home = Deno.env.get("HOME");',
      "Deno.stdout.writeSync(bytes);",
      "Deno.exit(1);",
      "Deno.exitCode = 2;",
      'Deno.addSignalListener("SIGINT", stop);',
      'console.log("token");',
    ]
  ) {
    assert.ok(PROCESS_ACCESS.test(line), line);
  }
  assert.equal(codeLines(" * Date.now() in a comment").length, 0);
});
