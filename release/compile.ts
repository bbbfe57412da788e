/**
 * Compiles clauth for one target with the release permissions:
 *
 *   deno run -A release/compile.ts x86_64-unknown-linux-gnu
 *
 * Writes dist/clauth-<target>[.exe] and dist/clauth-<target>[.exe].sha256, prints the path.
 */

import { PERMISSION_FLAGS } from "./permissions.ts";

const target = Deno.args[0];
if (!target) {
  console.error("usage: compile.ts TARGET (e.g. x86_64-unknown-linux-gnu)");
  Deno.exit(2);
}
const output = `dist/clauth-${target}${target.includes("windows") ? ".exe" : ""}`;
const result = await new Deno.Command(Deno.execPath(), {
  // main.ts loads the command tree, and cli/run.ts its commands, through computed imports:
  // include them explicitly.
  args: [
    "compile",
    "--target",
    target,
    ...PERMISSION_FLAGS,
    ...[
      "run",
      "program",
      "status",
      "context",
      "whoami",
      "token",
      "help_pages",
      "completions",
    ].flatMap((name) => [
      "--include",
      `cli/${name}.ts`,
    ]),
    "--output",
    output,
    "main.ts",
  ],
  stdout: "inherit",
  stderr: "inherit",
}).output();
if (!result.success) Deno.exit(result.code || 1);
// A checksum line in sha256sum's format, published beside the binary.
const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(output));
const name = output.slice("dist/".length);
await Deno.writeTextFile(`${output}.sha256`, `${new Uint8Array(digest).toHex()}  ${name}\n`);
console.log(output);
