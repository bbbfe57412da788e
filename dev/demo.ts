/**
 * `deno task demo`: starts the dev provider and runs every clauth flow against it, end to
 * end and unattended, through the real CLI. Prints what happened (token fingerprints, never
 * tokens, DPoP proofs or secrets), stops the provider, and exits 0 only if every step worked.
 * The DPoP and resource-indicator steps are in dev/_demo_api_steps.ts.
 */

import { fileURLToPath } from "node:url";
import { approveDeviceCode } from "./device_approval.ts";
import { dpopStep, resourceStep } from "./_demo_api_steps.ts";
import { GRANT_TOKEN_EXCHANGE, startDevProvider, TOKEN_TYPE_ACCESS_TOKEN } from "./provider.ts";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const FAKE_BROWSER = `${Deno.execPath()} run --allow-net ${
  fileURLToPath(new URL("./browser.ts", import.meta.url))
}`;
const decoder = new TextDecoder();

const idp = await startDevProvider({ autoApprove: true, deviceInterval: 1 });
const home = await Deno.makeTempDir({ prefix: "clauth-demo-" });
// The caller's own CLAUTH_ settings (a profile, an issuer) would beat the demo's config.
const callerEnv = Object.entries(Deno.env.toObject()).filter(([name]) => !/^CLAUTH_/i.test(name));
const env = {
  ...Object.fromEntries(callerEnv),
  CLAUTH_CONFIG_DIR: `${home}/config`,
  CLAUTH_STATE_DIR: `${home}/state`,
  BROWSER: FAKE_BROWSER,
  NO_COLOR: "1",
};
await Deno.mkdir(env.CLAUTH_CONFIG_DIR, { recursive: true });
// The CI profile reads its secret from a file, as a CI job would from its secret store.
const secretFile = `${env.CLAUTH_CONFIG_DIR}/demo-service.secret`;
await Deno.writeTextFile(secretFile, idp.clients.confidential.client_secret, { mode: 0o600 });
await Deno.writeTextFile(
  `${env.CLAUTH_CONFIG_DIR}/config.json`,
  JSON.stringify(
    {
      profiles: {
        ci: {
          issuer: idp.issuer,
          client_id: "demo-service",
          client_secret_file: secretFile,
          flow: "client-credentials",
          scope: "api:read",
        },
        laptop: {
          issuer: idp.issuer,
          client_id: "demo-cli",
          flow: "browser",
          scope: "openid profile email offline_access api:read",
        },
        ssh: {
          issuer: idp.issuer,
          client_id: "demo-cli",
          flow: "device",
          scope: "openid offline_access api:read",
        },
        // demo-dpop accepts DPoP-bound tokens only; `login --dpop` makes the key pair.
        dpop: {
          issuer: idp.issuer,
          client_id: "demo-dpop",
          flow: "browser",
          scope: "openid profile offline_access api:read",
        },
        // Tokens for one API (`login --resource`): JWTs whose `aud` is that API.
        api: {
          issuer: idp.issuer,
          client_id: "demo-cli",
          flow: "browser",
          scope: "api:read",
        },
      },
    },
    null,
    2,
  ),
);

let failures = 0;

/** Runs clauth, echoes its stderr indented, and returns stdout. */
async function clauth(args: string[], onStderrLine?: (line: string) => void): Promise<string> {
  console.log(`\n$ clauth ${args.join(" ")}`);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", MAIN, ...args],
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let pending = "";
  for await (const chunk of child.stderr) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines) {
      console.log(`  | ${line}`);
      onStderrLine?.(line);
    }
  }
  const [status, stdout] = await Promise.all([child.status, new Response(child.stdout).text()]);
  if (status.code !== 0) {
    failures++;
    console.log(`  ✗ exit code ${status.code}`);
  }
  return stdout;
}

async function fingerprint(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token.trim()));
  return `sha256:${new Uint8Array(digest).toHex().slice(0, 12)} (${token.trim().length} chars)`;
}

function check(ok: boolean, what: string): void {
  if (!ok) failures++;
  console.log(`  ${ok ? "✓" : "✗"} ${what}`);
}

try {
  console.log(
    `Dev provider: ${idp.issuer} (clients demo-cli, demo-service, demo-dpop; user alice)`,
  );
  console.log(`Config and tokens in ${home}`);

  console.log("\n== Client credentials (CI jobs, bots) ==");
  await clauth(["login", "--profile", "ci"]);
  const first = await clauth(["token", "--profile", "ci"]);
  const fetched = idp.counts.client_credentials ?? 0;
  const second = await clauth(["token", "--profile", "ci"]);
  console.log(`  token: ${await fingerprint(first)}`);
  check(
    first === second && (idp.counts.client_credentials ?? 0) === fetched,
    "second `token` served from the cache, no request to the server",
  );

  console.log("\n== Token exchange (RFC 8693): the CI token narrowed for one service ==");
  const exchanges = idp.counts[GRANT_TOKEN_EXCHANGE] ?? 0;
  const exchanged = JSON.parse(
    await clauth([
      "exchange",
      "--profile",
      "ci",
      "--scope",
      "api:read",
      "--audience",
      "https://orders.example",
      "--output",
      "json",
    ]) || "{}",
  );
  console.log(`  token: ${await fingerprint(exchanged.access_token ?? "")}`);
  check(
    exchanged.issued_token_type === TOKEN_TYPE_ACCESS_TOKEN &&
      exchanged.access_token !== first.trim() &&
      idp.counts[GRANT_TOKEN_EXCHANGE] === exchanges + 1,
    "the profile's cached token was the subject; a new access token came back (never cached)",
  );

  console.log("\n== Authorization code + PKCE (desktop, browser) ==");
  await clauth(["login", "--profile", "laptop"]);
  console.log(`  token: ${await fingerprint(await clauth(["token", "--profile", "laptop"]))}`);
  const whoami = await clauth(["whoami", "--profile", "laptop"]);
  console.log(whoami.replace(/^/gm, "  ").trimEnd());
  check(
    /^name\s+Alice Example\s+userinfo$/m.test(whoami),
    "`whoami`: the ID token verified (signature, iss, aud), merged with userinfo",
  );

  console.log("\n== Device authorization grant (SSH, headless) ==");
  let approving: Promise<void> | undefined;
  let nextIsComplete = false;
  await clauth(["login", "--profile", "ssh"], (line) => {
    if (nextIsComplete && !approving) {
      console.log("  (approving the code as alice, as a person would on their phone)");
      approving = approveDeviceCode(line.trim());
    }
    nextIsComplete = line.includes("already holds the code");
  });
  await approving;
  console.log(`  token: ${await fingerprint(await clauth(["token", "--profile", "ssh"]))}`);

  const shell = { issuer: idp.issuer, clauth, check, fingerprint };
  await dpopStep(shell);
  await resourceStep(shell);

  console.log("\n== Status of every profile (never shows tokens) ==");
  console.log((await clauth(["status"])).replace(/^/gm, "  "));
} finally {
  await idp.close();
  await Deno.remove(home, { recursive: true });
}

console.log(
  failures === 0
    ? "\nDemo finished: every flow worked."
    : `\nDemo finished with ${failures} failure(s).`,
);
Deno.exit(failures === 0 ? 0 : 1);
