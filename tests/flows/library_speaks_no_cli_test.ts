import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** What only the CLI may say: its environment variables, its flags, its commands. */
const CLI_WORDS = [
  /CLAUTH_[A-Z]/,
  /["'`\s(]--[a-z][a-z-]{2,}/,
  /clauth (login|token|logout|status)\b/,
];

/** The .ts files under `dir`, recursively, relative to the repository root. */
async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) files.push(...await sourceFiles(path));
    else if (entry.isFile && entry.name.endsWith(".ts")) files.push(path);
  }
  return files.sort();
}

/**
 * The code of each line, comments blanked: doc comments may name the CLI (they explain how
 * it uses a function); what the library says and does may not. Line-based, which is enough
 * for this code base: block comments start a line, and `//` comments follow whitespace.
 */
function codeLines(text: string): string[] {
  let inBlock = false;
  return text.split("\n").map((line) => {
    let code = "";
    let rest = line;
    while (rest) {
      if (inBlock) {
        const end = rest.indexOf("*/");
        if (end < 0) return code;
        inBlock = false;
        rest = rest.slice(end + 2);
        continue;
      }
      const start = rest.search(/\/\*|(^|\s)\/\//);
      if (start < 0) return code + rest;
      code += rest.slice(0, start);
      if (rest.slice(start).trimStart().startsWith("//")) return code;
      inBlock = true;
      rest = rest.slice(start + 2);
    }
    return code;
  });
}

/** Lines of flows/ and storage/ that name a CLAUTH_ variable, a --flag or a clauth command. */
async function offenders(): Promise<string[]> {
  const found: string[] = [];
  for (const file of [...await sourceFiles("flows"), ...await sourceFiles("storage")]) {
    const lines = codeLines(await Deno.readTextFile(`${ROOT}${file}`));
    lines.forEach((code, index) => {
      if (CLI_WORDS.some((word) => word.test(code))) {
        found.push(`${file}:${index + 1}: ${code.trim()}`);
      }
    });
  }
  return found;
}

Deno.test("codeLines() keeps code and blanks comments, but not URLs in strings", () => {
  const lines = codeLines([
    '/** Run "clauth login". */',
    'const url = "https://as.example"; // set CLAUTH_ISSUER',
    "/* a block",
    "   --timeout */ const x = 1;",
    '  throw new Error("pass --issuer");',
  ].join("\n"));
  assert.deepEqual(lines, [
    "",
    'const url = "https://as.example";',
    "",
    " const x = 1;",
    '  throw new Error("pass --issuer");',
  ]);
});

Deno.test("flows/ and storage/ name no CLI flag, CLAUTH_ variable or clauth command outside comments", async () => {
  const lines = await offenders();
  assert.deepEqual(
    lines,
    [],
    `library code speaks in library words (cli/ adds the flags, see cli/error_hints.ts):\n${
      lines.join("\n")
    }`,
  );
});
