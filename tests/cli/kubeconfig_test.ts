import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { PERMISSION_FLAGS } from "../../release/permissions.ts";
import { type CliHome, profileHome, runClauth } from "../helpers/cli.ts";
import type { InProcessOptions } from "../helpers/cli.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const windows = Deno.build.os === "windows";

function k8sHome(profile: Record<string, unknown> = {}): Promise<CliHome> {
  return profileHome("k8s", {
    issuer: "https://login.example.com",
    client_id: "kubectl-cli",
    scope: "openid offline_access",
    ...profile,
  });
}

async function kubeconfig(args: string[], options: InProcessOptions) {
  const result = await runClauth(["kubeconfig", ...args], options);
  assert.equal(result.code, 0, result.stderr);
  return result;
}

Deno.test("clauth kubeconfig prints a user whose exec block runs this clauth as kubectl's plugin", async () => {
  const home = await k8sHome();
  const printed = await kubeconfig([], { env: { ...home.env, PATH: "" } });
  const config = parse(printed.stdout);
  assert.equal(config.kind, "Config");
  assert.deepEqual(config.users, [{
    name: "clauth-k8s",
    user: {
      exec: {
        apiVersion: "client.authentication.k8s.io/v1",
        // From a checkout: this Deno, the main module, the release permissions.
        command: Deno.execPath(),
        args: [
          "run",
          "--quiet",
          ...PERMISSION_FLAGS,
          MAIN,
          "token",
          "--profile",
          "k8s",
          "--output",
          "k8s",
          "--token-type",
          "id_token",
        ],
        interactiveMode: "IfAvailable",
        provideClusterInfo: false,
        installHint: config.users[0].user.exec.installHint,
      },
    },
  }]);
  assert.equal(config.contexts, undefined, "no context unless asked for");
});

Deno.test("clauth kubeconfig runs a release binary as itself and a deno install script by its path", async () => {
  const home = await k8sHome();
  const binary = await kubeconfig(["--token-type", "access_token"], {
    env: home.env,
    program: { execPath: "/opt/clauth/clauth", mainModule: "file:///tmp/x.ts", standalone: true },
  });
  const exec = parse(binary.stdout).users[0].user.exec;
  assert.equal(exec.command, "/opt/clauth/clauth");
  assert.deepEqual(exec.args, [
    "token",
    "--profile",
    "k8s",
    "--output",
    "k8s",
    "--token-type",
    "access_token",
  ]);

  // What deno install leaves on PATH: a script naming the main module.
  const bin = await Deno.makeTempDir();
  const mainUrl = new URL("../../main.ts", import.meta.url).href;
  const script = `${bin}/${windows ? "clauth.cmd" : "clauth"}`;
  await Deno.writeTextFile(script, `#!/bin/sh\nexec deno run --allow-read '${mainUrl}' "$@"\n`);
  const other = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${other}/clauth`,
    "#!/bin/sh\nexec deno run 'file:///elsewhere/main.ts'\n",
  );
  const installed = await kubeconfig([], {
    env: { ...home.env, PATH: [other, bin].join(windows ? ";" : ":") },
  });
  const installedExec = parse(installed.stdout).users[0].user.exec;
  assert.equal(installedExec.command, script);
  assert.equal(installedExec.args[0], "token");
});

Deno.test("clauth kubeconfig carries this run's settings: flags and CLAUTH_ variables, files made absolute", async () => {
  const home = await k8sHome();
  const folder = await Deno.makeTempDir();
  const printed = await kubeconfig(
    ["--issuer", "https://other.example.com", "--ca-file", "certs/ca.pem", "--user", "me"],
    {
      cwd: folder,
      env: { ...home.env, CLAUTH_CLIENT_ID: "from-env", CLAUTH_CLIENT_SECRET: "s3cret" },
      program: { execPath: "/bin/clauth", mainModule: "file:///x.ts", standalone: true },
    },
  );
  const user = parse(printed.stdout).users[0];
  assert.equal(user.name, "me");
  assert.deepEqual(user.user.exec.args.slice(0, 9), [
    "token",
    "--profile",
    "k8s",
    "--issuer",
    "https://other.example.com",
    "--client-id",
    "from-env",
    "--ca-file",
    `${folder}${windows ? "\\" : "/"}certs${windows ? "\\" : "/"}ca.pem`,
  ]);
  assert.ok(!printed.stdout.includes("s3cret"), "a secret never goes on a command line");
});

Deno.test("clauth kubeconfig --write merges into the kubeconfig kubectl would change, keeping the rest", async () => {
  const home = await k8sHome();
  const dir = await Deno.makeTempDir();
  const existing = `${dir}/work`;
  const text = "# work clusters\napiVersion: v1\nkind: Config\ncontexts:\n- name: prod\n" +
    "  context:\n    cluster: prod\n    namespace: web # kept\n    user: admin\n" +
    "current-context: prod\nusers:\n- name: admin\n  user:\n    token: abc\n";
  await Deno.writeTextFile(existing, text);
  // $KUBECONFIG's first file does not exist: the first that does is changed.
  const env = { ...home.env, KUBECONFIG: [`${dir}/absent`, existing].join(windows ? ";" : ":") };
  const written = await kubeconfig(["--write", "--context", "prod"], { env });
  assert.equal(written.stdout, "");
  assert.match(written.stderr, /Wrote user "clauth-k8s" and context "prod" to .*work\./);
  const after = await Deno.readTextFile(existing);
  assert.ok(after.startsWith("# work clusters\n"), after);
  const config = parse(after);
  assert.deepEqual(config.contexts, [{
    name: "prod",
    context: { cluster: "prod", namespace: "web", user: "clauth-k8s" },
  }]);
  assert.equal(config["current-context"], "prod");
  assert.deepEqual(config.users[0], { name: "admin", user: { token: "abc" } });
  assert.equal(config.users[1].name, "clauth-k8s");
  assert.ok(after.includes("namespace: web # kept"));
  await assert.rejects(Deno.stat(`${dir}/absent`), Deno.errors.NotFound);

  // Again: the same file, the same text.
  await kubeconfig(["--write", "--context", "prod"], { env });
  assert.equal(await Deno.readTextFile(existing), after);
});

Deno.test("clauth kubeconfig --write creates ~/.kube/config, follows a symbolic link, and respects kubectl's lock", async () => {
  const home = await k8sHome();
  const userHome = await Deno.makeTempDir();
  const env = { ...home.env, HOME: userHome };
  await kubeconfig(["--write", "--cluster", "dev"], { env });
  const created = `${userHome}/.kube/config`;
  const config = parse(await Deno.readTextFile(created));
  assert.deepEqual(config.contexts, [{
    name: "dev",
    context: { cluster: "dev", user: "clauth-k8s" },
  }]);
  assert.equal(config["current-context"], "dev");
  if (!windows) assert.equal((await Deno.stat(created)).mode! & 0o777, 0o600);

  // While kubectl holds its lock, clauth does not write.
  await Deno.writeTextFile(`${created}.lock`, "");
  const locked = await runClauth(["kubeconfig", "--write", "--user", "other"], { env });
  assert.notEqual(locked.code, 0);
  assert.match(locked.stderr, /config\.lock exists: kubectl \(or another program\) is changing/);
  assert.ok(!(await Deno.readTextFile(created)).includes("other"));
  await Deno.remove(`${created}.lock`);

  if (!windows) {
    const target = `${userHome}/dotfiles-kubeconfig`;
    await Deno.rename(created, target);
    await Deno.symlink(target, created);
    await kubeconfig(["--write", "--user", "other"], { env });
    assert.ok((await Deno.lstat(created)).isSymlink, "the link stays a link");
    assert.equal(parse(await Deno.readTextFile(target)).users.length, 2);
  }
});

Deno.test("clauth kubeconfig refuses a new context without a cluster, and warns when no ID token can come", async () => {
  const home = await k8sHome({ scope: "offline_access api:read" });
  const result = await runClauth(["kubeconfig", "--context", "new"], { env: home.env });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /Context "new" is new: name its cluster with --cluster/);
  const warned = await kubeconfig([], { env: home.env });
  assert.match(warned.stderr, /does not ask for the openid scope/);
  const quiet = await kubeconfig(["--token-type", "access_token"], { env: home.env });
  assert.equal(quiet.stderr, "");
});
