/**
 * Entry of the single-file bundle (`deno task bundle`): main.ts with the command tree
 * imported statically, since a bundle is one file and cannot load it lazily.
 */

import { main } from "../cli/main.ts";
import { processRuntime } from "../cli/process_runtime.ts";
import * as program from "../cli/run.ts";
import * as tree from "../cli/program.ts";
import * as status from "../cli/status.ts";
import * as context from "../cli/context.ts";
import * as whoami from "../cli/whoami.ts";
import * as token from "../cli/token.ts";
import * as helpPages from "../cli/help_pages.ts";
import * as completions from "../cli/completions.ts";

program.provideModules({
  "./program.ts": tree,
  "./status.ts": status,
  "./context.ts": context,
  "./whoami.ts": whoami,
  "./token.ts": token,
  "./help_pages.ts": helpPages,
  "./completions.ts": completions,
});

Deno.exit(await main(Deno.args, processRuntime(), () => Promise.resolve(program)));
