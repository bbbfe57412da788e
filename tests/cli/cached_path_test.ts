import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface InfoModule {
  specifier: string;
  dependencies?: { specifier: string; code?: { specifier?: string }; isDynamic?: boolean }[];
}

/** The modules `deno run main.ts` loads before the program starts (static, non-type imports). */
async function startupModules(): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "main.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    roots: string[];
    modules: InfoModule[];
  };
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const visit = (specifier: string) => {
    if (seen.has(specifier)) return;
    seen.add(specifier);
    for (const dependency of bySpecifier.get(specifier)?.dependencies ?? []) {
      const target = dependency.code?.specifier;
      if (target && !dependency.isDynamic) visit(target);
    }
  };
  visit(info.roots[0]!);
  return [...seen];
}

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
