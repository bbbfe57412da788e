/**
 * Entry of the single-file bundle (`deno task bundle`): main.ts with the command tree
 * imported statically, since a bundle is one file and cannot load it lazily.
 */

import { main } from "../cli/main.ts";
import { processRuntime } from "../cli/process_runtime.ts";
import * as program from "../cli/run.ts";

Deno.exit(await main(Deno.args, processRuntime(), () => Promise.resolve(program)));
