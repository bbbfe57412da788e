/**
 * Benchmark: `clauth token` on a cached token kept in the OS keyring, as a ratio to the same
 * token kept in a file (issue 19: aim for at most 1.5x). Linux: a private Secret Service
 * (gnome-keyring unlocked with a test password in dbus-run-session, as the tests use) read
 * through secret-tool.
 *
 *   deno run --allow-all bench/keyring.ts [--runs 21]
 *
 * Both run as fresh processes with the same Deno flags from the same neutral folder,
 * alternating; prints the medians, the spreads and the ratio.
 */

import { fileURLToPath } from "node:url";
import { alternatingSamples, machineLine, median, runsOption, spread } from "./_samples.ts";
import { ChosenStore } from "../storage/chosen_store.ts";
import { processRunner, secretToolBackend } from "../storage/keyring_backend.ts";
import { secretServiceMissing, withSecretService } from "../tests/helpers/secret_service.ts";

const runs = runsOption(21);
const missing = await secretServiceMissing();
if (missing) {
  console.log(`cannot run: ${missing}`);
  Deno.exit(1);
}

const root = await Deno.makeTempDir({ prefix: "clauth-bench-" });
const issuer = "https://login.example.com";
const profile = { issuer, client_id: "bench", flow: "client-credentials" };
await Deno.mkdir(`${root}/config`, { recursive: true });
await Deno.writeTextFile(
  `${root}/config/config.json`,
  JSON.stringify({ profiles: { files: profile, keyring: { ...profile, storage: "keyring" } } }),
);
const now = Math.floor(Date.now() / 1000);
const tokens = {
  issuer,
  client_id: "bench",
  scope: "",
  grant: "client-credentials" as const,
  access_token: "bench-token-" + "x".repeat(800),
  token_type: "bearer",
  obtained_at: now,
  expires_at: now + 86400,
};
const main = fileURLToPath(new URL("../main.ts", import.meta.url));

await withSecretService(async (bus) => {
  const env = {
    CLAUTH_CONFIG_DIR: `${root}/config`,
    CLAUTH_STATE_DIR: `${root}/state`,
    ...bus,
  };
  const store = new ChosenStore(`${root}/state`, "keyring", {
    keyring: () => secretToolBackend(processRunner("secret-tool", 3000, bus)),
  });
  await store.files.set("files", tokens);
  await store.set("keyring", tokens);

  const time = async (name: string): Promise<number> => {
    const start = performance.now();
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", "--quiet", main, "token"],
      env: { ...env, CLAUTH_PROFILE: name },
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const elapsed = performance.now() - start;
    if (!output.success || !new TextDecoder().decode(output.stdout).startsWith("bench-token-")) {
      throw new Error(`clauth token (${name}) failed: ${new TextDecoder().decode(output.stderr)}`);
    }
    return elapsed;
  };
  const [files, keyring] = await alternatingSamples(["files", "keyring"], runs, time);
  console.log(machineLine(runs));
  console.log(
    `clauth token, token file: median ${median(files!).toFixed(1)} ms (IQR ${spread(files!)})`,
  );
  console.log(
    `clauth token, keyring:    median ${median(keyring!).toFixed(1)} ms (IQR ${spread(keyring!)})`,
  );
  console.log(`ratio: ${(median(keyring!) / median(files!)).toFixed(2)}x (aim <= 1.5x)`);
});
await Deno.remove(root, { recursive: true });
