/**
 * Smoke test of a built clauth: `--version`, `--help`, a TAB, and a client-credentials token
 * against the dev provider, with the release permissions. Exits 0 when all pass.
 *
 *   deno run -A release/smoke_test.ts ./dist/clauth-x86_64-unknown-linux-gnu   # a binary
 *   deno run -A release/smoke_test.ts --bundle dist/clauth.js                   # a bundle
 */

import denoJson from "../deno.json" with { type: "json" };
import { startDevProvider } from "../dev/provider.ts";
import { PERMISSION_FLAGS } from "./permissions.ts";

const [first, second] = Deno.args;
const command = first === "--bundle"
  ? [Deno.execPath(), "run", "--no-config", "--no-npm", "--no-remote", ...PERMISSION_FLAGS, second!]
  : [first!];
if (!command.at(-1)) {
  console.error("usage: smoke_test.ts BINARY | --bundle FILE");
  Deno.exit(2);
}

const home = await Deno.makeTempDir({ prefix: "clauth-smoke-" });
const idp = await startDevProvider();
let failed = 0;

// The caller's environment minus NO_COLOR and CLAUTH_*: the binary must also work (help
// output included) where colour is allowed, and only the settings below may reach it.
const baseEnv = Object.fromEntries(
  Object.entries(Deno.env.toObject()).filter(([name]) =>
    name !== "NO_COLOR" && !name.startsWith("CLAUTH_")
  ),
);

async function run(args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(command[0]!, {
    args: [...command.slice(1), ...args],
    clearEnv: true,
    env: {
      ...baseEnv,
      CLAUTH_CONFIG_DIR: `${home}/config`,
      CLAUTH_STATE_DIR: `${home}/state`,
      ...env,
    },
    stdin: "null",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: text(output.stdout), stderr: text(output.stderr) };
}

function check(name: string, ok: boolean, detail: string) {
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${ok ? "" : `\n${detail}`}`);
  if (!ok) failed++;
}

try {
  const version = await run(["--version"]);
  check(
    "--version",
    // "clauth 0.1.0 (deno 2.9.6, x86_64-unknown-linux-gnu)"
    version.code === 0 && version.stdout.startsWith(`clauth ${denoJson.version} (deno `),
    version.stderr + version.stdout,
  );
  const help = await run(["--help"]);
  check("--help", help.code === 0 && help.stdout.includes("Usage: clauth"), help.stderr);
  // A TAB's answer: cli/completions.ts is loaded by a computed import, so it must be included.
  const tab = await run(["complete", "--", "token", "--pro"]);
  check("a TAB (complete)", tab.code === 0 && tab.stdout.startsWith("--profile\t"), tab.stderr);
  const env = {
    CLAUTH_ISSUER: idp.issuer,
    CLAUTH_CLIENT_ID: "demo-service",
    CLAUTH_CLIENT_SECRET: "demo-service-secret",
    CLAUTH_FLOW: "client-credentials",
    CLAUTH_SCOPE: "api:read",
  };
  const token = await run(["token"], env);
  check(
    "client-credentials token",
    token.code === 0 && /^\S{20,}\n$/.test(token.stdout),
    token.stderr,
  );
  const cached = await run(["token"], env);
  check(
    "cached token",
    cached.code === 0 && cached.stdout === token.stdout && idp.counts.client_credentials === 1,
    cached.stderr,
  );
  const usage = await run(["token", "--issuer", "http://example.com"], env);
  check("usage error exits 2", usage.code === 2, usage.stderr);
} finally {
  await idp.close();
  await Deno.remove(home, { recursive: true });
}
console.log(`${5 - failed} passed, ${failed} failed (smoke)`);
Deno.exit(failed === 0 ? 0 : 1);
