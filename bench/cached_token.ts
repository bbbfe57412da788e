/**
 * Benchmark: wall time of `clauth token` on the cached path, as a ratio to a bare `deno run`
 * script that reads the same token file and prints one field. Target: at most 1.1x (issue 14).
 *
 *   deno run --allow-all bench/cached_token.ts [--runs 30]
 *
 * Both commands run as fresh processes with the same Deno flags from the same neutral folder
 * (as a user runs clauth from anywhere), alternating so machine
 * noise hits both alike; prints the medians, the ratio and the spread.
 */

import { fileURLToPath } from "node:url";
import { runsOption } from "./_samples.ts";

const runs = runsOption(30);

const root = await Deno.makeTempDir({ prefix: "clauth-bench-" });
const env = { CLAUTH_CONFIG_DIR: `${root}/config`, CLAUTH_STATE_DIR: `${root}/state` };
await Deno.mkdir(`${root}/config`, { recursive: true });
await Deno.mkdir(`${root}/state/tokens`, { recursive: true });
const issuer = "https://login.example.com";
await Deno.writeTextFile(
  `${root}/config/config.json`,
  JSON.stringify({
    profiles: { default: { issuer, client_id: "bench", flow: "client-credentials" } },
  }),
);
const tokenFile = `${root}/state/tokens/default.json`;
const now = Math.floor(Date.now() / 1000);
await Deno.writeTextFile(
  tokenFile,
  JSON.stringify({
    issuer,
    client_id: "bench",
    scope: "",
    grant: "client-credentials",
    access_token: "bench-token-" + "x".repeat(800),
    token_type: "bearer",
    obtained_at: now,
    expires_at: now + 86400,
  }),
);
const bare = `${root}/bare.ts`;
await Deno.writeTextFile(
  bare,
  `const t = JSON.parse(await Deno.readTextFile(${
    JSON.stringify(tokenFile)
  }));\nconsole.log(t.access_token);\n`,
);
const main = fileURLToPath(new URL("../main.ts", import.meta.url));

async function time(args: string[]): Promise<number> {
  const start = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    env,
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const elapsed = performance.now() - start;
  if (!output.success || !new TextDecoder().decode(output.stdout).startsWith("bench-token-")) {
    throw new Error(`${args.join(" ")} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return elapsed;
}

const flags = ["run", "--allow-all", "--quiet"];
const clauthArgs = [...flags, main, "token"];
const bareArgs = [...flags, bare];
// Warm the module cache and the OS file cache.
for (let i = 0; i < 3; i++) {
  await Promise.all([time(clauthArgs), time(bareArgs)]).catch((e) => {
    throw e;
  });
}

const clauth: number[] = [];
const baseline: number[] = [];
for (let i = 0; i < runs; i++) {
  clauth.push(await time(clauthArgs));
  baseline.push(await time(bareArgs));
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const quartiles = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[Math.floor(s.length / 4)]!.toFixed(1)}-${
    s[Math.floor((3 * s.length) / 4)]!.toFixed(1)
  }`;
};
const ratio = median(clauth) / median(baseline);
console.log(`runs: ${runs} each, ${Deno.build.target}, deno ${Deno.version.deno}`);
console.log(
  `clauth token (cached): median ${median(clauth).toFixed(1)} ms (IQR ${quartiles(clauth)})`,
);
console.log(
  `bare deno script:      median ${median(baseline).toFixed(1)} ms (IQR ${quartiles(baseline)})`,
);
console.log(`ratio: ${ratio.toFixed(2)}x (target <= 1.10x)`);
await Deno.remove(root, { recursive: true });
