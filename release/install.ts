/**
 * `deno task install`: installs the `clauth` command from this checkout with `deno install`,
 * using the release permissions. Extra arguments go to `deno install` (e.g. `--root DIR`).
 */

import { PERMISSION_FLAGS } from "./permissions.ts";

const root = new URL("..", import.meta.url).pathname;
const result = await new Deno.Command(Deno.execPath(), {
  args: [
    "install",
    "--global",
    "--force",
    "--name",
    "clauth",
    "--config",
    `${root}deno.json`,
    ...PERMISSION_FLAGS,
    ...Deno.args,
    `${root}main.ts`,
  ],
  stdout: "inherit",
  stderr: "inherit",
}).output();
Deno.exit(result.code);
