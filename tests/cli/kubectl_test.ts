/**
 * The real kubectl, through a kubeconfig `clauth kubeconfig --write` made, against a fake API
 * server that checks the bearer token. Ignored, with the reason printed, where kubectl is
 * missing or too old for client.authentication.k8s.io/v1 (Debian: apt-get install kubectl;
 * .ci/run installs it). tests/cli/kubernetes_exec_test.ts plays kubectl's part everywhere.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createRemoteJWKSet } from "jose/jwks/remote";
import { jwtVerify } from "jose/jwt/verify";
import { type CliHome, profileHome, runClauth } from "../helpers/cli.ts";
import { introspect, withProvider } from "../helpers/dev_provider.ts";
import { type KubeApiServer, startKubeApiServer } from "../helpers/kube_api_server.ts";
import { loggedInHome } from "../helpers/login.ts";
import { missingTool, runTool, toolEnv } from "../helpers/tool_env.ts";
import type { DevProvider } from "../../dev/provider.ts";

const missing = await missingTool("kubectl", ["version", "--client", "-o", "json"], (output) => {
  const minor = parseInt(JSON.parse(output).clientVersion?.minor ?? "0", 10);
  // The v1 exec plugin API (and interactiveMode) is GA from Kubernetes 1.22.
  return minor >= 22 ? undefined : `kubectl 1.${minor} predates client.authentication.k8s.io/v1`;
});
if (missing) console.log(`kubectl tests ignored: ${missing} (apt-get install kubectl).`);

/** Accepts demo-cli's access tokens (introspection) and ID tokens (signature, iss, aud). */
function tokenChecker(idp: DevProvider) {
  const jwks = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`));
  return async (token: string): Promise<string | undefined> => {
    if (token.split(".").length === 3) {
      try {
        await jwtVerify(token, jwks, { issuer: idp.issuer, audience: "demo-cli" });
        return "id_token";
      } catch {
        return undefined;
      }
    }
    const { body } = await introspect(idp, token);
    return body.active === true && body.client_id === "demo-cli" ? "access_token" : undefined;
  };
}

/** A kubeconfig with the fake cluster (and a comment), as an administrator would hand it out. */
async function clusterKubeconfig(api: KubeApiServer): Promise<string> {
  const path = `${await Deno.makeTempDir({ prefix: "clauth-kube-" })}/config`;
  await Deno.writeTextFile(
    path,
    `# cluster from the platform team\napiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: ${api.server}\n    certificate-authority-data: ${
      new TextEncoder().encode(api.caPem).toBase64()
    }\n`,
  );
  return path;
}

async function kubectl(home: CliHome, kubeconfig: string, context: string) {
  const env = await toolEnv(home, { KUBECONFIG: kubeconfig });
  // stdin closed: kubectl says interactive: false, as in a script or CI.
  return await runTool("kubectl", ["--context", context, "get", "--raw", "/api"], env);
}

Deno.test({
  name:
    "kubectl get --raw /api works through clauth kubeconfig, with the ID token and the access token",
  ignore: missing !== undefined,
  fn: async () => {
    await withProvider({ autoApprove: true }, async (idp) => {
      const api = await startKubeApiServer(tokenChecker(idp));
      try {
        const home = await loggedInHome(idp.issuer);
        const kubeconfig = await clusterKubeconfig(api);
        const env = { ...home.env, KUBECONFIG: kubeconfig };
        const write = (args: string[]) => runClauth(["kubeconfig", "--write", ...args], { env });
        const byId = await write(["--cluster", "fake", "--context", "fake-id"]);
        assert.equal(byId.code, 0, byId.stderr);
        const byAccess = await write([
          "--cluster",
          "fake",
          "--context",
          "fake-access",
          "--user",
          "clauth-access",
          "--token-type",
          "access_token",
        ]);
        assert.equal(byAccess.code, 0, byAccess.stderr);
        assert.match(await Deno.readTextFile(kubeconfig), /^# cluster from the platform team\n/);

        for (const [context, kind] of [["fake-id", "id_token"], ["fake-access", "access_token"]]) {
          const result = await kubectl(home, kubeconfig, context!);
          assert.equal(result.code, 0, `${context}: ${result.stderr}`);
          assert.equal(JSON.parse(result.stdout).kind, "APIVersions");
          assert.equal(api.requests.at(-1)?.accepted, kind);
        }
      } finally {
        await api.close();
      }
    });
  },
});

Deno.test({
  name: "kubectl without a terminal gets clauth's exit 4 and its message, not a hang",
  ignore: missing !== undefined,
  fn: async () => {
    await withProvider({ autoApprove: true }, async (idp) => {
      const api = await startKubeApiServer(tokenChecker(idp));
      try {
        // A profile that never logged in.
        const home = await profileHome("k8s", {
          issuer: idp.issuer,
          client_id: "demo-cli",
          scope: "openid offline_access",
        });
        const kubeconfig = await clusterKubeconfig(api);
        const written = await runClauth(["kubeconfig", "--write", "--cluster", "fake"], {
          env: { ...home.env, KUBECONFIG: kubeconfig },
        });
        assert.equal(written.code, 0, written.stderr);
        const result = await kubectl(home, kubeconfig, "fake");
        assert.equal(result.timedOut, false, "kubectl did not wait for a login");
        assert.notEqual(result.code, 0);
        assert.match(result.stderr, /kubectl runs clauth without interaction/);
        assert.match(result.stderr, /run "clauth login --profile k8s"/);
        assert.match(result.stderr, /exit code 4/);
        assert.equal(api.requests.filter((r) => r.accepted).length, 0);
      } finally {
        await api.close();
      }
    });
  },
});

Deno.test({
  name: "kubectl runs the clauth that deno task install put on PATH, with the release permissions",
  // Windows: deno install writes a .cmd script, which kubectl runs through cmd.exe; not here.
  ignore: missing !== undefined || Deno.build.os === "windows",
  fn: async () => {
    const installRoot = await Deno.makeTempDir({ prefix: "clauth-install-" });
    const install = await new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", "install", "--root", installRoot],
      cwd: fileURLToPath(new URL("../../", import.meta.url)),
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.ok(install.success, new TextDecoder().decode(install.stderr));
    await withProvider({ autoApprove: true }, async (idp) => {
      const api = await startKubeApiServer(tokenChecker(idp));
      try {
        const home = await loggedInHome(idp.issuer);
        const kubeconfig = await clusterKubeconfig(api);
        const PATH = `${installRoot}/bin:${Deno.env.get("PATH") ?? ""}`;
        const written = await runClauth(["kubeconfig", "--write", "--cluster", "fake"], {
          env: { ...home.env, KUBECONFIG: kubeconfig, PATH },
        });
        assert.equal(written.code, 0, written.stderr);
        assert.match(
          await Deno.readTextFile(kubeconfig),
          new RegExp(`command: ${installRoot}/bin/clauth\n`),
        );
        const result = await runTool(
          "kubectl",
          ["--context", "fake", "get", "--raw", "/api"],
          await toolEnv(home, { KUBECONFIG: kubeconfig, PATH }),
        );
        assert.equal(result.code, 0, result.stderr);
        assert.equal(api.requests.at(-1)?.accepted, "id_token");
      } finally {
        await api.close();
      }
    });
    await Deno.remove(installRoot, { recursive: true });
  },
});
