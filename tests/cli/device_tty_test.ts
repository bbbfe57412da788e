import assert from "node:assert/strict";
import { approveDeviceCode } from "../../dev/device_approval.ts";
import { makeCliHome, startClauth } from "../helpers/cli.ts";
import { QUICK_POLL, withProvider } from "../helpers/dev_provider.ts";
import { startInTerminal } from "../helpers/pty.ts";
import { qrCode } from "../../cli/qr_code.ts";
import { DARK_THEME, LIGHT_THEME, readQrCode } from "../helpers/terminal_screen.ts";

const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Waiting for approval \(\d+m \d+s left, Ctrl-C to cancel\)/;
const QR_CODE = /[▀▄█]{10,}/;
const ESC = "\x1b";
// deno-lint-ignore no-control-regex
const COLOUR = /\x1b\[[0-9;]*\b(3[0-7]|4[0-7])m/;
const COMPLETE_URI = /already holds the code:\r?\n {2}(\S+)/;
const LOGIN = ["login", "--flow", "device", "--client-id", "demo-cli", "--scope", "openid"];
const linux = Deno.build.os === "linux";

Deno.test({
  name: "clauth login --flow device on a terminal shows a QR code and a spinner with the time left",
  ignore: !linux,
  fn: async () => {
    await withProvider({ autoApprove: true, deviceInterval: QUICK_POLL }, async (idp) => {
      const home = await makeCliHome();
      const login = startInTerminal([...LOGIN, "--issuer", idp.issuer], {
        env: { ...home.env, NO_COLOR: "", TERM: "xterm" },
      });
      const [, complete] = await login.screen.waitFor(COMPLETE_URI);
      await login.screen.waitFor(SPINNER); // approve only once the spinner is on screen
      await approveDeviceCode(complete!);
      const code = await login.result();
      const text = login.screen.text;
      assert.equal(code, 0, text);
      assert.match(text, /Logged in to \S+ as .+ \(profile default\)/);
      assert.ok(text.includes("\r\x1b[2K\x1b[32m✓\x1b[39m Approved."), "a green ✓ at the end");
      // deno-lint-ignore no-control-regex
      assert.match(text, /and enter the code:\r?\n {2}\x1b\[1m[A-Z]{4}-[A-Z]{4}\x1b\[22m/);
      // The QR code as a phone sees it on the screen, on a light and on a dark theme.
      const qrLines = text.split(/\r?\n/).filter((line) => line.startsWith("\x1b[30;47m"));
      assert.equal(readQrCode(qrLines, LIGHT_THEME), complete, "read on a light theme");
      assert.equal(readQrCode(qrLines, DARK_THEME), complete, "read on a dark theme");
    });
  },
});

Deno.test({
  name: "clauth login --flow device on a 40-column terminal redraws one line, never a new one",
  ignore: !linux,
  fn: async () => {
    await withProvider({ autoApprove: true, deviceInterval: QUICK_POLL }, async (idp) => {
      const home = await makeCliHome();
      const login = startInTerminal([...LOGIN, "--issuer", idp.issuer], {
        env: { ...home.env, TERM: "xterm" },
        columns: 40,
      });
      const [, complete] = await login.screen.waitFor(COMPLETE_URI);
      // Twenty redraws: two seconds of spinning, which used to add twenty lines.
      // deno-lint-ignore no-control-regex
      await login.screen.waitFor(/(\r\x1b\[2K[^\r\n]*){20}/);
      await approveDeviceCode(complete!);
      const code = await login.result();
      const text = login.screen.text;
      assert.equal(code, 0, text);
      const waiting = text.slice(text.indexOf("\r\x1b[2K"), text.indexOf("Approved."));
      assert.ok(!waiting.includes("\n"), `the spinner wrote a new line:\n${waiting}`);
      for (const redraw of waiting.split("\r\x1b[2K").filter(Boolean)) {
        assert.ok(Array.from(redraw).length < 40, `"${redraw}" fits in 40 columns`);
      }
      // A QR code wider than the window would wrap into noise: it is left out then.
      if (qrCode(complete!, { color: true }).width > 40) {
        assert.match(text, /too narrow for the QR code/);
      } else assert.match(text, QR_CODE);
    });
  },
});

Deno.test({
  name:
    "clauth login --flow device with NO_COLOR on a terminal keeps the QR code and the countdown, with no colour",
  ignore: !linux,
  fn: async () => {
    await withProvider({ autoApprove: true, deviceInterval: QUICK_POLL }, async (idp) => {
      const home = await makeCliHome();
      const login = startInTerminal([...LOGIN, "--issuer", idp.issuer], {
        env: { ...home.env, NO_COLOR: "1", TERM: "xterm" },
      });
      const [, complete] = await login.screen.waitFor(COMPLETE_URI);
      await login.screen.waitFor(SPINNER);
      await approveDeviceCode(complete!);
      const code = await login.result();
      const text = login.screen.text;
      assert.equal(code, 0, text);
      assert.match(text, QR_CODE);
      assert.doesNotMatch(text, COLOUR, "no colour");
      assert.ok(text.includes("\r\x1b[2K✓ Approved."), "symbols stay without colour");
      assert.match(text, /Logged in to \S+ as .+ \(profile default\)/);
    });
  },
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
    assert.match(stderr, QR_CODE);
    assert.match(stderr, /^Waiting for approval \(the code expires in \d+m\)\.\.\.$/m);
  });
});
