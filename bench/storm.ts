/**
 * Benchmark: 24 concurrent `clauth token` processes on a stale token (one renews, the others
 * wait for it) against the same 24 on a fresh token. Target: at most 1.2x.
 *
 *   deno run --allow-all bench/storm.ts [--rounds 5] [--processes 24]
 *
 * Runs the dev provider in this process and a client-credentials profile for demo-service.
 * Each round times the whole storm, from the first spawn to the last exit, and checks that
 * every process printed the same token and that a stale round fetched exactly one token.
 * Fresh and stale rounds alternate, so machine noise hits both alike; prints the medians and
 * the ratio.
 */

import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startDevProvider } from "../dev/provider.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "5" },
    processes: { type: "string", default: "24" },
  },
});
const rounds = Number(values.rounds);
const processes = Number(values.processes);

const idp = await startDevProvider({});
const root = await Deno.makeTempDir({ prefix: "clauth-storm-" });
const env = {
  CLAUTH_CONFIG_DIR: `${root}/config`,
  CLAUTH_STATE_DIR: `${root}/state`,
  CLAUTH_CLIENT_SECRET: "demo-service-secret",
};
await Deno.mkdir(`${root}/config`, { recursive: true });
await Deno.mkdir(`${root}/state/tokens`, { recursive: true, mode: 0o700 });
await Deno.writeTextFile(
  `${root}/config/config.json`,
  JSON.stringify({
    profiles: {
      default: { issuer: idp.issuer, client_id: "demo-service", flow: "client-credentials" },
    },
  }),
);
const tokenFile = `${root}/state/tokens/default.json`;
const main = fileURLToPath(new URL("../main.ts", import.meta.url));
const args = ["run", "--allow-all", "--quiet", main, "token"];

/** Writes a token file whose token expires in `ttl` seconds (negative: already expired). */
async function writeToken(ttl: number, value: string) {
  const now = Math.floor(Date.now() / 1000);
  const slot = {
    issuer: idp.issuer,
    client_id: "demo-service",
    scope: "",
    grant: "client-credentials",
    access_token: value,
    token_type: "bearer",
    obtained_at: now - 3600,
    expires_at: now + ttl,
  };
  await Deno.writeTextFile(tokenFile, JSON.stringify({ slots: [slot] }), { mode: 0o600 });
}

/** Runs the storm; returns its wall time and the distinct tokens printed. */
async function storm(): Promise<{ ms: number; tokens: Set<string> }> {
  const start = performance.now();
  const outputs = await Promise.all(
    Array.from({ length: processes }, () =>
      new Deno.Command(Deno.execPath(), {
        args,
        env,
        cwd: root,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output()),
  );
  const ms = performance.now() - start;
  for (const output of outputs) {
    if (!output.success) {
      throw new Error(`clauth token failed: ${new TextDecoder().decode(output.stderr)}`);
    }
  }
  return { ms, tokens: new Set(outputs.map((o) => new TextDecoder().decode(o.stdout))) };
}

async function freshRound(): Promise<number> {
  await writeToken(86400, "storm-fresh-token");
  const { ms, tokens } = await storm();
  if (tokens.size !== 1 || [...tokens][0]!.trim() !== "storm-fresh-token") {
    throw new Error(`fresh round: ${tokens.size} distinct outputs, expected the cached token`);
  }
  return ms;
}

async function staleRound(): Promise<number> {
  await writeToken(-10, "storm-stale-token");
  const count = () => idp.counts.client_credentials ?? 0;
  const before = count();
  const { ms, tokens } = await storm();
  const fetched = count() - before;
  if (fetched !== 1) throw new Error(`stale round: ${fetched} token requests, expected 1`);
  if (tokens.size !== 1 || [...tokens][0]!.trim() === "storm-stale-token") {
    throw new Error(`stale round: ${tokens.size} distinct outputs, expected 1 new token`);
  }
  return ms;
}

try {
  // Warm the module cache and the OS file cache.
  await freshRound();
  await staleRound();
  const fresh: number[] = [];
  const stale: number[] = [];
  for (let i = 0; i < rounds; i++) {
    fresh.push(await freshRound());
    stale.push(await staleRound());
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(" ");
  console.log(
    `${rounds} rounds of ${processes} processes, ${Deno.build.target}, deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs`,
  );
  console.log(`fresh token: median ${median(fresh).toFixed(0)} ms (${list(fresh)})`);
  console.log(
    `stale token: median ${median(stale).toFixed(0)} ms (${
      list(stale)
    }), one fetch and ${processes}/${processes} identical tokens each round`,
  );
  console.log(
    `ratio stale/fresh: ${(median(stale) / median(fresh)).toFixed(2)}x (target <= 1.20x)`,
  );
} finally {
  await idp.close();
  await Deno.remove(root, { recursive: true });
}
