import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

async function run(args: string[]): Promise<{ code: number; output: string }> {
  const result = await new Deno.Command(Deno.execPath(), { args, cwd: root, stdin: "null" })
    .output();
  const decoder = new TextDecoder();
  return {
    code: result.code,
    output: decoder.decode(result.stdout) + decoder.decode(result.stderr),
  };
}

Deno.test({
  name: "deno task install gives a clauth command that passes the release smoke test",
  // Windows: deno install writes a .cmd shim, which needs cmd.exe to run; not covered there.
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const installRoot = await Deno.makeTempDir({ prefix: "clauth-install-" });
    try {
      const install = await run(["task", "--quiet", "install", "--root", installRoot]);
      assert.equal(install.code, 0, install.output);
      const smoke = await run([
        "run",
        "--allow-all",
        "release/smoke_test.ts",
        `${installRoot}/bin/clauth`,
      ]);
      assert.equal(smoke.code, 0, smoke.output);
      assert.match(smoke.output, /5 passed, 0 failed \(smoke\)/);
    } finally {
      await Deno.remove(installRoot, { recursive: true });
    }
  },
});
