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
 * - `clauth whoami` as alice (logged in once with the device flow), with the JWKS cached;
 * - the protocol floors: bare scripts that do only the network work of `token
 *   --force-refresh` and `whoami` with the same libraries (see writeProtocolFloors).
 *
 * Every command runs as a fresh process with the same Deno flags from the same neutral
 * folder; the commands alternate so machine noise hits all alike. Prints medians, spreads
 * and ratios, with the machine.
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
import { startDevProvider } from "../dev/provider.ts";
import { approveDeviceCode } from "../dev/device_approval.ts";
import { JsonFileStore } from "../storage/json_file_store.ts";

const runs = runsOption(15);

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
  const protocolFloors = await writeProtocolFloors(idp.issuer, `${root}/state`);

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
    { name: "protocol floor: token request", args: [...flags, protocolFloors.token] },
    { name: "protocol floor: verify + userinfo", args: [...flags, protocolFloors.whoami] },
  ];
  const time = (args: string[]) => timeRun(Deno.execPath(), args, { env, cwd: root });
  const samples = await alternatingSamples(commands, runs, (command) => time(command.args));
  const floor = median(samples[0]!);
  console.log(machineLine(runs));
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
 * Writes two bare Deno scripts that do a command's network work and nothing else, with the
 * libraries clauth uses: what Deno itself needs for it, however lean the client.
 * - token: a client-credentials request to the dev provider's token endpoint
 *   (oauth4webapi), the answer checked and written to a file;
 * - whoami: alice's ID token verified against the issuer's key set read from a file (jose),
 *   then the userinfo endpoint asked with her access token.
 */
async function writeProtocolFloors(
  issuer: string,
  stateDir: string,
): Promise<{ token: string; whoami: string }> {
  const metadata = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  const jwks = await (await fetch(metadata.jwks_uri)).json();
  const [alice] = await new JsonFileStore(stateDir).slots("alice");
  if (!alice?.id_token) throw new Error("alice has no ID token");
  const data = `${root}/protocol-floor.json`;
  await Deno.writeTextFile(
    data,
    JSON.stringify({ metadata, jwks, idToken: alice.id_token, accessToken: alice.access_token }),
  );
  const token = `${root}/protocol-floor-token.ts`;
  await Deno.writeTextFile(
    token,
    `import * as oauth from "npm:oauth4webapi@3.8.8";
const { metadata } = JSON.parse(await Deno.readTextFile(${JSON.stringify(data)}));
const secret = (await Deno.readTextFile(${JSON.stringify(`${root}/config/service-secret`)})).trim();
const client = { client_id: "demo-service" };
const options = { [oauth.allowInsecureRequests]: true };
const response = await oauth.clientCredentialsGrantRequest(
  metadata, client, oauth.ClientSecretBasic(secret), new URLSearchParams(), options,
);
const result = await oauth.processClientCredentialsResponse(metadata, client, response);
await Deno.writeTextFile(${
      JSON.stringify(`${root}/protocol-floor-token.txt`)
    }, result.access_token);
console.log(result.access_token);
`,
  );
  const whoami = `${root}/protocol-floor-whoami.ts`;
  await Deno.writeTextFile(
    whoami,
    `import { createLocalJWKSet } from "npm:jose@6.2.18/jwks/local";
import { jwtVerify } from "npm:jose@6.2.18/jwt/verify";
const { metadata, jwks, idToken, accessToken } = JSON.parse(await Deno.readTextFile(${
      JSON.stringify(data)
    }));
const { payload } = await jwtVerify(idToken, createLocalJWKSet(jwks), {
  issuer: metadata.issuer, audience: "demo-cli", currentDate: new Date(payload0(idToken)),
});
const response = await fetch(metadata.userinfo_endpoint, {
  headers: { authorization: \`Bearer \${accessToken}\` },
});
const userinfo = await response.json();
if (userinfo.sub !== payload.sub) throw new Error("userinfo is about someone else");
console.log(payload.sub);
// Verify as of the token's issue time: the floor must not fail once the ID token expires.
function payload0(jwt: string): number {
  return JSON.parse(atob(jwt.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))).iat * 1000;
}
`,
  );
  return { token, whoami };
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
