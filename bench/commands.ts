/**
 * Benchmark: wall time of clauth's everyday commands, each as a ratio to the same bare
 * `deno run` script (it reads a file and prints), measured in one run:
 *
 *   deno run --allow-all bench/commands.ts [--runs 15]
 *
 * - `clauth token` on a cached token (target <= 1.1x);
 * - `clauth token --force-refresh`: a client-credentials token from the dev provider, started
 *   in this process (demo-service);
 * - `clauth status`, `clauth --help`;
 * - `clauth whoami` as alice (logged in once with the device flow), with the JWKS cached.
 *
 * Every command runs as a fresh process with the same Deno flags from the same neutral
 * folder; the commands alternate so machine noise hits all alike. Prints medians, spreads
 * and ratios, with the machine.
 */

import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startDevProvider } from "../dev/provider.ts";
import { approveDeviceCode } from "../dev/device_approval.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "15" } },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs takes a positive integer");

const main = fileURLToPath(new URL("../main.ts", import.meta.url));
const root = await Deno.makeTempDir({ prefix: "clauth-bench-commands-" });
const idp = await startDevProvider({ autoApprove: true, deviceInterval: 0.2 });
try {
  await Deno.mkdir(`${root}/config`, { recursive: true });
  await Deno.mkdir(`${root}/state`, { recursive: true });
  await Deno.writeTextFile(`${root}/config/service-secret`, "demo-service-secret");
  await Deno.writeTextFile(
    `${root}/config/config.json`,
    JSON.stringify({
      default_profile: "service",
      profiles: {
        service: {
          issuer: idp.issuer,
          client_id: "demo-service",
          flow: "client-credentials",
          client_secret_file: `${root}/config/service-secret`,
        },
        alice: {
          issuer: idp.issuer,
          client_id: "demo-cli",
          flow: "device",
          scope: "openid profile email offline_access",
        },
      },
    }),
  );
  const env = { CLAUTH_CONFIG_DIR: `${root}/config`, CLAUTH_STATE_DIR: `${root}/state` };
  const flags = ["run", "--allow-all", "--quiet"];
  const bare = `${root}/bare.ts`;
  await Deno.writeTextFile(
    bare,
    `const c = JSON.parse(await Deno.readTextFile(${
      JSON.stringify(`${root}/config/config.json`)
    }));\nconsole.log(c.default_profile);\n`,
  );

  await loginAlice(env, flags);

  const commands: { name: string; args: string[]; target?: number }[] = [
    { name: "bare deno script (floor)", args: [...flags, bare] },
    { name: "clauth token (cached)", args: [...flags, main, "token"], target: 1.1 },
    {
      name: "clauth token --force-refresh",
      args: [...flags, main, "token", "--force-refresh"],
      target: 2,
    },
    { name: "clauth status", args: [...flags, main, "status"], target: 2 },
    { name: "clauth --help", args: [...flags, main, "--help"], target: 2 },
    { name: "clauth whoami", args: [...flags, main, "--profile", "alice", "whoami"], target: 2 },
  ];
  const time = async (args: string[]): Promise<number> => {
    const start = performance.now();
    const output = await new Deno.Command(Deno.execPath(), {
      args,
      env,
      cwd: root,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const elapsed = performance.now() - start;
    if (!output.success) {
      throw new Error(`${args.join(" ")} failed: ${new TextDecoder().decode(output.stderr)}`);
    }
    return elapsed;
  };
  // Warm the module cache, the OS file cache, the cached token and the JWKS cache.
  for (let i = 0; i < 2; i++) for (const command of commands) await time(command.args);

  const samples = commands.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    for (const [index, command] of commands.entries()) {
      samples[index]!.push(await time(command.args));
    }
  }
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const median = (xs: number[]) => {
    const s = sorted(xs);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const spread = (xs: number[]) => {
    const s = sorted(xs);
    return `${s[Math.floor(s.length / 4)]!.toFixed(0)}-${
      s[Math.floor((3 * s.length) / 4)]!.toFixed(0)
    }`;
  };
  const floor = median(samples[0]!);
  console.log(
    `${Deno.build.target}, deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores, ` +
      `${runs} runs each, alternating`,
  );
  console.log("");
  console.log("| command | median ms | IQR ms | ratio to floor | target |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const [index, command] of commands.entries()) {
    const m = median(samples[index]!);
    console.log(
      `| ${command.name} | ${m.toFixed(0)} | ${spread(samples[index]!)} | ${
        (m / floor).toFixed(2)
      }x | ${command.target === undefined ? "" : `<= ${command.target}x`} |`,
    );
  }
} finally {
  await idp.close();
  await Deno.remove(root, { recursive: true });
}

/**
 * Logs alice in once with the device flow: reads the prompt's complete verification URI
 * from clauth's stderr and approves it as the user would.
 */
async function loginAlice(env: Record<string, string>, flags: string[]): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...flags, main, "--profile", "alice", "login", "--no-browser"],
    env,
    cwd: root,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  let approved = false;
  for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    const uri = text.match(/^\s+(http\S+user_code=\S+)$/m)?.[1];
    if (uri && !approved) {
      approved = true;
      await approveDeviceCode(uri);
    }
  }
  const status = await child.status;
  if (!status.success) throw new Error(`login as alice failed:\n${text}`);
}
