import assert from "node:assert/strict";
import { followAuthorization } from "../../dev/browser.ts";
import { runCli } from "../../cli/run.ts";
import { FAKE_BROWSER, profileHome } from "../helpers/cli.ts";
import { withProvider } from "../helpers/dev_provider.ts";
import { fakeRuntime } from "../helpers/fake_runtime.ts";
import { platformEnv } from "../helpers/platform_env.ts";
import { startInTerminal } from "../helpers/pty.ts";

const ADDRESS = /Open this address in a browser to log in:\r?\n {2}(\S+)\r?\n/;

function browserHome(issuer: string, browser: string) {
  const profile = { issuer, client_id: "demo-cli", scope: "openid", flow: "browser" };
  return profileHome("web", profile, { BROWSER: browser, TERM: "xterm" });
}

/** clauth on an interactive terminal (in process), with a keyboard the test types on. */
function startOnTerminal(args: string[], env: Record<string, string>) {
  let keys!: ReadableStreamDefaultController<Uint8Array>;
  const stdin = new ReadableStream<Uint8Array>({ start: (c) => void (keys = c) });
  const runtime = fakeRuntime({ tty: true, stdin, env: { ...platformEnv(), ...env } });
  const code = runCli(args, runtime);
  code.finally(() => runtime.stderrWatch.end());
  return {
    runtime,
    code,
    type: (text: string) => keys.enqueue(new TextEncoder().encode(text)),
  };
}

Deno.test("clauth login on a terminal opens the browser when Enter is pressed", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await browserHome(idp.issuer, FAKE_BROWSER);
    const login = startOnTerminal(["login"], home.env);
    await login.runtime.stderrWatch.waitFor(/Press Enter to open the browser/);
    assert.equal(idp.counts.authorization ?? 0, 0, "no browser before Enter");
    login.type("\n");
    assert.equal(await login.code, 0, login.runtime.stderrText);
    assert.equal(idp.counts.authorization, 1, "the browser signed in");
    assert.match(login.runtime.stderrText, /✓ The browser sent the login back\./);
  });
});

Deno.test("clauth login on a terminal completes from the address opened by hand, never opening a browser", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await browserHome(idp.issuer, FAKE_BROWSER);
    const login = startOnTerminal(["login"], home.env);
    const [, url] = await login.runtime.stderrWatch.waitFor(ADDRESS);
    await login.runtime.stderrWatch.waitFor(/Press Enter/);
    await followAuthorization(url!);
    assert.equal(await login.code, 0, login.runtime.stderrText);
    login.type("\n"); // too late: nothing opens any more
    assert.equal(idp.counts.authorization, 1, "only the address opened by hand");
  });
});

Deno.test({
  name:
    "clauth login in a terminal: Enter opens the browser, then the time left turns until it answers",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await withProvider({ autoApprove: true }, async (idp) => {
      // `true` "opens" the address; the test then signs in as the browser would.
      const home = await browserHome(idp.issuer, "true");
      const login = startInTerminal(["login", "--login-timeout", "300"], {
        env: { ...home.env, NO_COLOR: "" },
      });
      const [, url] = await login.screen.waitFor(ADDRESS);
      await login.screen.waitFor(/Press Enter to open the browser/);
      await login.type("\n");
      await login.screen.waitFor(/Waiting for the browser \(4m \d+s left, Ctrl-C to cancel\)/);
      await followAuthorization(url!);
      const code = await login.result();
      const text = login.screen.text;
      assert.equal(code, 0, text);
      assert.ok(text.includes("\r\x1b[2K\x1b[32m✓\x1b[39m The browser sent the login back."));
      assert.match(text, /Logged in to \S+ as .+ \(profile web\)/);
    });
  },
});
