/**
 * Windows is a release target (and a CI runner): a module that finds a file beside it must turn
 * its file URL into a path with fileURLToPath. The URL's `pathname` is "/C:/work/clauth/main.ts"
 * there, a path no Windows program can open.
 */

import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SKIP = new Set([".git", "node_modules", "dist"]);
const PATHNAME_OF_MODULE_URL = /import\.meta\.(?:url|resolve\([^)]*\))\s*\)\s*\.pathname/;

async function* typeScriptFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory && !SKIP.has(entry.name)) yield* typeScriptFiles(path);
    else if (entry.isFile && entry.name.endsWith(".ts")) yield path;
  }
}

Deno.test("no module turns import.meta.url into a file path with URL.pathname", async () => {
  const offenders: string[] = [];
  for await (const file of typeScriptFiles(ROOT)) {
    const lines = (await Deno.readTextFile(file)).split("\n");
    lines.forEach((line, i) => {
      if (PATHNAME_OF_MODULE_URL.test(line)) offenders.push(`${relative(ROOT, file)}:${i + 1}`);
    });
  }
  assert.deepEqual(offenders, [], "use fileURLToPath(new URL(..., import.meta.url))");
});
