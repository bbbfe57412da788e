import assert from "node:assert/strict";
import { main } from "../../cli/main.ts";
import * as program from "../../cli/run.ts";
import { makeCliHome } from "../helpers/cli.ts";
import { serviceHome, withProvider } from "../helpers/dev_provider.ts";
import { fakeRuntime } from "../helpers/fake_runtime.ts";
import { platformEnv } from "../helpers/platform_env.ts";

/** Runs `clauth ...args` as main.ts does (cached path first), counting reads per file name. */
async function countReads(args: string[], env: Record<string, string>, now?: number) {
  const reads = new Map<string, number>();
  const count = (path: string | URL) => {
    const name = String(path).split(/[\\/]/).slice(-2).join("/");
    reads.set(name, (reads.get(name) ?? 0) + 1);
  };
  const { readTextFileSync, readTextFile } = Deno;
  Deno.readTextFileSync = (path) => (count(path), readTextFileSync(path));
  Deno.readTextFile = (path, options) => (count(path), readTextFile(path, options));
  try {
    const runtime = fakeRuntime({ env: { ...platformEnv(), ...env }, ...(now ? { now } : {}) });
    const code = await main(args, runtime, () => Promise.resolve(program));
    return { code, reads: Object.fromEntries(reads), stdout: runtime.stdoutText };
  } finally {
    Deno.readTextFileSync = readTextFileSync;
    Deno.readTextFile = readTextFile;
  }
}

Deno.test("clauth token reads the config once and the token file at most twice, fresh or stale", async () => {
  await withProvider({ accessTokenTtl: 60 }, async (idp) => {
    const home = await serviceHome(idp.issuer);
    const start = Date.now();
    const fetched = await countReads(["token"], home.env, start);
    assert.equal(fetched.code, 0);
    assert.equal(fetched.reads["config/config.json"], 1, JSON.stringify(fetched.reads));
    assert.ok((fetched.reads["tokens/ci.json"] ?? 0) <= 2, JSON.stringify(fetched.reads));

    const cached = await countReads(["token"], home.env, start);
    assert.equal(cached.stdout, fetched.stdout);
    assert.deepEqual(
      [cached.reads["config/config.json"], cached.reads["tokens/ci.json"]],
      [1, 1],
      JSON.stringify(cached.reads),
    );

    // A minute later the token is stale: the cached path reads it, the full command renews.
    const renewed = await countReads(["token"], home.env, start + 60_000);
    assert.notEqual(renewed.stdout, fetched.stdout);
    assert.equal(renewed.reads["config/config.json"], 1, JSON.stringify(renewed.reads));
    assert.ok((renewed.reads["tokens/ci.json"] ?? 0) <= 2, JSON.stringify(renewed.reads));
  });
});

Deno.test("settings never come from token files: a profile known only by its tokens asks for them", async () => {
  const home = await makeCliHome();
  await Deno.mkdir(`${home.stateDir}/tokens`, { recursive: true });
  await Deno.writeTextFile(
    `${home.stateDir}/tokens/default.json`,
    JSON.stringify({
      slots: [{
        issuer: "https://login.example.com",
        client_id: "cli",
        scope: "",
        grant: "user",
        access_token: "t",
        token_type: "bearer",
        obtained_at: 0,
      }],
    }),
  );
  const result = await countReads(["token"], home.env);
  assert.equal(result.code, 2);
  assert.equal(result.reads["tokens/default.json"], undefined, "no token file was read");
});
