import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { approveDeviceCode } from "../../dev/device_approval.ts";
import { makeCliHome } from "../helpers/cli.ts";
import { withProvider } from "../helpers/dev_provider.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

// util-linux `script` gives clauth a real pseudo-terminal, as a person's terminal would.
/** Runs a device login on a pseudo-terminal, approves it, and returns what the screen showed. */
async function deviceLoginOnTerminal(noColor: string): Promise<string> {
  let screen = "";
  await withProvider({ autoApprove: true, deviceInterval: 1 }, async (idp) => {
    const home = await makeCliHome();
    const clauth = [
      Deno.execPath(),
      "run",
      "--allow-all",
      "--quiet",
      MAIN,
      "login",
      "--flow",
      "device",
      "--issuer",
      idp.issuer,
      "--client-id",
      "demo-cli",
      "--scope",
      "openid",
    ];
    const child = new Deno.Command("script", {
      args: [
        "--quiet",
        "--return",
        "--command",
        clauth.map((a) => `'${a}'`).join(" "),
        "/dev/null",
      ],
      env: { ...home.env, NO_COLOR: noColor, TERM: "xterm" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const decoder = new TextDecoder();
    const reading = (async () => {
      for await (const chunk of child.stdout) screen += decoder.decode(chunk, { stream: true });
    })();
    const deadline = Date.now() + 10_000;
    let complete: string | undefined;
    while (!complete && Date.now() < deadline) {
      complete = screen.match(/already holds the code:\r?\n {2}(\S+)/)?.[1];
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(complete, screen);
    // Let a spinner (if any) draw a few frames before approving.
    await new Promise((r) => setTimeout(r, 300));
    await approveDeviceCode(complete);
    const status = await child.status;
    await reading;
    await child.stdin.close().catch(() => {});
    await child.stderr.cancel();
    assert.equal(status.code, 0, screen);
    assert.match(screen, /Logged in: profile "default"/);
  });
  return screen;
}

const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Waiting for approval \(\d+m \d+s left, Ctrl-C to cancel\)/;
const QR_CODE = /[▀▄█]{10,}/;

Deno.test({
  name: "clauth login --flow device on a terminal shows a QR code and a spinner with the time left",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const screen = await deviceLoginOnTerminal("");
    assert.match(screen, QR_CODE, "a QR code drawn with block characters");
    assert.match(screen, SPINNER);
  },
});

Deno.test({
  name: "clauth login --flow device with NO_COLOR keeps the QR code but shows no spinner",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const screen = await deviceLoginOnTerminal("1");
    assert.match(screen, QR_CODE);
    assert.doesNotMatch(screen, SPINNER);
    assert.match(screen, /Waiting for approval \(the code expires in/);
  },
});
