import assert from "node:assert/strict";
import { ENV_VARIABLES } from "../../release/permissions.ts";

const CLI = new URL("../../cli/", import.meta.url);

Deno.test("release/permissions.ts lists every environment variable cli/ reads (a binary may read no other)", async () => {
  const allowed = (name: string) =>
    ENV_VARIABLES.some((entry) =>
      entry.endsWith("*") ? name.startsWith(entry.slice(0, -1)) : name === entry
    );
  const unlisted = new Set<string>();
  for await (const entry of Deno.readDir(CLI)) {
    if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
    const source = await Deno.readTextFile(new URL(entry.name, CLI));
    // `runtime.env("NAME")`, `env("NAME")`, `get("NAME")`: the ways cli/ reads a variable.
    for (const [, name] of source.matchAll(/\b(?:env|get)\("([A-Z][A-Z0-9_]*)"\)/g)) {
      if (!allowed(name!)) unlisted.add(`${name} (cli/${entry.name})`);
    }
  }
  // Under --allow-env=<list>, reading another variable throws (NotCapable) in the binary.
  assert.deepEqual([...unlisted], []);
});
