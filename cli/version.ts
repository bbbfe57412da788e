/**
 * What `clauth --version` prints: clauth's version (deno.json's), and the Deno and target it
 * runs on, which say what a bug report needs to know about the build.
 *
 * @module
 */

import denoJson from "../deno.json" with { type: "json" };

/** "clauth 0.1.0 (deno 2.9.6, x86_64-unknown-linux-gnu)". */
export function versionText(): string {
  // Constants of the running binary, not the process's state: no runtime seam needed.
  return `clauth ${denoJson.version} (deno ${Deno.version.deno}, ${Deno.build.target})`;
}
