import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { approveDeviceCode } from "../../dev/device_approval.ts";
import { makeCliHome, startClauth } from "../helpers/cli.ts";
import { QUICK_POLL, withProvider } from "../helpers/dev_provider.ts";
import { TextWatch } from "../helpers/text_watch.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Waiting for approval \(\d+m \d+s left, Ctrl-C to cancel\)/;
const QR_CODE = /[▀▄█]{10,}/;
const ESC = "\x1b";
const COMPLETE_URI = /already holds the code:\r?\n {2}(\S+)/;
const LOGIN = ["login", "--flow", "device", "--client-id", "demo-cli", "--scope", "openid"];

Deno.test({
  name: "clauth login --flow device on a terminal shows a QR code and a spinner with the time left",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await withProvider({ autoApprove: true, deviceInterval: QUICK_POLL }, async (idp) => {
      const home = await makeCliHome();
      // util-linux `script` gives clauth a real pseudo-terminal, as a person's terminal would:
      // the process itself must see that its streams are terminals.
      const clauth = [Deno.execPath(), "run", "--allow-all", "--quiet", MAIN, ...LOGIN];
      clauth.push("--issuer", idp.issuer);
      const child = new Deno.Command("script", {
        args: [
          "--quiet",
          "--return",
          "--command",
          clauth.map((a) => `'${a}'`).join(" "),
          "/dev/null",
        ],
        env: { ...home.env, NO_COLOR: "", TERM: "xterm" },
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const screen = new TextWatch();
      const reading = screen.read(child.stdout);
      const [, complete] = await screen.waitFor(COMPLETE_URI);
      await screen.waitFor(SPINNER); // approve only once the spinner is on screen
      await approveDeviceCode(complete!);
      const status = await child.status;
      await reading;
      await child.stdin.close().catch(() => {});
      await child.stderr.cancel();
      assert.equal(status.code, 0, screen.text);
      assert.match(screen.text, /Logged in: profile "default"/);
      assert.match(screen.text, QR_CODE, "a QR code drawn with block characters");
    });
  },
});

Deno.test("clauth login --flow device with NO_COLOR on a terminal keeps the QR code but shows no spinner", async () => {
  await withProvider({ autoApprove: true, deviceInterval: QUICK_POLL }, async (idp) => {
    const home = await makeCliHome();
    const login = startClauth([...LOGIN, "--issuer", idp.issuer], {
      env: { ...home.env, NO_COLOR: "1", TERM: "xterm" },
      tty: true,
    });
    const [, complete] = await login.waitForStderr(COMPLETE_URI);
    await approveDeviceCode(complete!);
    const { code, stderr } = await login.result();
    assert.equal(code, 0, stderr);
    assert.match(stderr, QR_CODE);
    assert.doesNotMatch(stderr, SPINNER);
    assert.ok(!stderr.includes(ESC), "no escape sequences");
    assert.match(stderr, /Waiting for approval \(the code expires in/);
    assert.match(stderr, /Logged in: profile "default"/);
  });
});

Deno.test("clauth login --flow device with TERM=dumb on a terminal draws no spinner and no escape sequences", async () => {
  await withProvider({ autoApprove: true, deviceInterval: QUICK_POLL }, async (idp) => {
    const home = await makeCliHome();
    const { NO_COLOR: _, ...env } = home.env;
    const login = startClauth([...LOGIN, "--issuer", idp.issuer], {
      env: { ...env, TERM: "dumb" },
      tty: true,
    });
    const [, complete] = await login.waitForStderr(COMPLETE_URI);
    await approveDeviceCode(complete!);
    const { code, stderr } = await login.result();
    assert.equal(code, 0, stderr);
    assert.ok(!stderr.includes(ESC), "no escape sequences");
    assert.doesNotMatch(stderr, SPINNER);
  });
});
