/** What loading a module evaluates, from `deno info --json`: for the start-up budget tests. */

import { fileURLToPath } from "node:url";

/** The repository's root folder, with a trailing slash. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface InfoModule {
  specifier: string;
  dependencies?: { specifier: string; code?: { specifier?: string }; isDynamic?: boolean }[];
}

/**
 * The modules evaluated when `entry` (a path from the root) loads: its static, non-type
 * imports, transitively, as specifiers. With `literalDynamic`, also those of literal dynamic
 * imports, which `deno run` reads ahead.
 */
export async function evaluatedWith(entry: string, literalDynamic = false): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
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
      if (target && (literalDynamic || !dependency.isDynamic)) visit(target);
    }
  };
  visit(info.roots[0]!);
  return [...seen];
}
