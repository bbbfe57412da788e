/**
 * `deno task install`: installs the `clauth` command from this checkout with `deno install`,
 * using the release permissions. Extra arguments go to `deno install` (e.g. `--root DIR`).
 */

import { fileURLToPath } from "node:url";
import { PERMISSION_FLAGS } from "./permissions.ts";

const result = await new Deno.Command(Deno.execPath(), {
  args: [
    "install",
    "--global",
    "--force",
    "--name",
    "clauth",
    "--config",
    fileURLToPath(new URL("../deno.json", import.meta.url)),
    ...PERMISSION_FLAGS,
    ...Deno.args,
    fileURLToPath(new URL("../main.ts", import.meta.url)),
  ],
  stdout: "inherit",
  stderr: "inherit",
}).output();
Deno.exit(result.code);
