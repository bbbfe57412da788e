import assert from "node:assert/strict";
import { evaluatedWith } from "../helpers/module_graph.ts";

/** The modules `deno run main.ts` loads before the program starts. */
const startupModules = () => evaluatedWith("main.ts");

// The budget behind bench/cached_token.ts: clauth token on a cached token must load little.
Deno.test("the cached-token path loads no npm package, no node: module and at most 14 files", async () => {
  const modules = await startupModules();
  const heavy = modules.filter((s) => s.startsWith("npm:") || s.startsWith("node:"));
  assert.deepEqual(
    heavy,
    [],
    "commander, oauth4webapi and Node compatibility load only when needed",
  );
  assert.ok(
    modules.length <= 14,
    `startup loads ${modules.length} modules:\n${modules.join("\n")}`,
  );
  assert.ok(
    !modules.some((s) => s.endsWith("/cli/run.ts") || s.endsWith("/cli/program.ts")),
    "the command tree loads lazily",
  );
});
