/**
 * Benchmark: how long a TAB waits for clauth. Each completion request (`clauth complete --
 * WORD...`, what the shell scripts run) is timed beside the same bare `deno run` script as
 * bench/commands.ts uses (it reads a file and prints), in one run:
 *
 *   deno run --allow-all bench/completions.ts [--runs 15]
 *
 * - options after a command (`token --pro`), from the spec written ahead;
 * - profile names (`--profile ""`), which reads config.json and the token folder;
 * - a path (`--ca-file ""`), answered with the directive alone;
 * - a whole TAB in bash when it is installed: the script's function, which runs clauth.
 *
 * The target is an absolute one: under 150 ms for a TAB. Prints medians, spreads and
 * ratios to the floor, with the machine.
 */

import {
  alternatingSamples,
  machineLine,
  median,
  runsOption,
  spread,
  timeRun,
} from "./_samples.ts";
import { fileURLToPath } from "node:url";

const runs = runsOption(15);

const main = fileURLToPath(new URL("../main.ts", import.meta.url));
const root = await Deno.makeTempDir({ prefix: "clauth-bench-completions-" });
try {
  await Deno.mkdir(`${root}/config`, { recursive: true });
  await Deno.mkdir(`${root}/state`, { recursive: true });
  await Deno.mkdir(`${root}/bin`, { recursive: true });
  const profiles = Object.fromEntries(
    Array.from({ length: 10 }, (_, i) => [`profile-${i}`, { issuer: `https://idp${i}.example` }]),
  );
  await Deno.writeTextFile(
    `${root}/config/config.json`,
    JSON.stringify({ default_profile: "profile-0", profiles }),
  );
  for (let i = 0; i < 5; i++) await Deno.writeTextFile(`${root}/state/stored-${i}.json`, "{}");
  const flags = ["run", "--allow-all", "--quiet"];
  await Deno.writeTextFile(
    `${root}/bin/clauth`,
    `#!/bin/sh\nexec '${Deno.execPath()}' ${flags.join(" ")} '${main}' "$@"\n`,
  );
  await Deno.chmod(`${root}/bin/clauth`, 0o755);
  const env = {
    CLAUTH_CONFIG_DIR: `${root}/config`,
    CLAUTH_STATE_DIR: `${root}/state`,
    PATH: `${root}/bin:${Deno.env.get("PATH") ?? ""}`,
  };
  const bare = `${root}/bare.ts`;
  await Deno.writeTextFile(
    bare,
    `const c = JSON.parse(await Deno.readTextFile(${
      JSON.stringify(`${root}/config/config.json`)
    }));\nconsole.log(c.default_profile);\n`,
  );
  const deno = Deno.execPath();
  const commands: { name: string; program: string; args: string[] }[] = [
    { name: "bare deno script (floor)", program: deno, args: [...flags, bare] },
    {
      name: "clauth complete -- token --pro",
      program: deno,
      args: [...flags, main, "complete", "--", "token", "--pro"],
    },
    {
      name: 'clauth complete -- --profile ""',
      program: deno,
      args: [...flags, main, "complete", "--", "--profile", ""],
    },
    {
      name: 'clauth complete -- login --ca-file ""',
      program: deno,
      args: [...flags, main, "complete", "--", "login", "--ca-file", ""],
    },
  ];
  const bash = await which("bash");
  if (bash) {
    const script = `${root}/clauth.bash`;
    const printed = await new Deno.Command(deno, {
      args: [...flags, main, "completions", "bash"],
      env,
      stdout: "piped",
    }).output();
    await Deno.writeTextFile(script, new TextDecoder().decode(printed.stdout));
    commands.push({
      name: "bash TAB: token --pro (_clauth)",
      program: bash,
      args: [
        "--norc",
        "--noprofile",
        "-c",
        `source ${script}; COMP_WORDS=(clauth token --pro); COMP_CWORD=2; _clauth; ` +
        `[[ \${#COMPREPLY[@]} -eq 2 ]]`,
      ],
    });
  }

  const time = ({ program, args }: { program: string; args: string[] }) =>
    timeRun(program, args, { env, cwd: root });
  const samples = await alternatingSamples(commands, runs, time);
  const floor = median(samples[0]!);
  console.log(machineLine(runs));
  console.log("");
  console.log("| request | median ms | IQR ms | ratio to floor | under 150 ms |");
  console.log("| --- | ---: | ---: | ---: | :---: |");
  for (const [index, command] of commands.entries()) {
    const m = median(samples[index]!);
    const verdict = index === 0 ? "" : m < 150 ? "yes" : "NO";
    console.log(
      `| ${command.name} | ${m.toFixed(0)} | ${spread(samples[index]!)} | ${
        (m / floor).toFixed(2)
      }x | ${verdict} |`,
    );
  }
} finally {
  await Deno.remove(root, { recursive: true });
}

/** The path of `name` on PATH, or undefined. */
async function which(name: string): Promise<string | undefined> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    const path = `${dir}/${name}`;
    if (await Deno.stat(path).then((info) => info.isFile, () => false)) return path;
  }
  return undefined;
}
