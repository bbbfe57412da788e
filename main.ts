/**
 * The clauth command.
 *
 * @module
 */

import { main, type ProgramModule } from "./cli/main.ts";
import { processRuntime } from "./cli/process_runtime.ts";

// `deno run` loads the whole graph of a dynamic import written as a literal before the
// program starts (about 7 ms here, and growing with every dependency). A computed specifier
// keeps the command tree off the cached-token path; release/compile.ts --include's it.
const program = "./cli/run.ts";
Deno.exit(
  await main(Deno.args, processRuntime(), () => import(program) as Promise<ProgramModule>),
);
