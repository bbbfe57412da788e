import assert from "node:assert/strict";
import { makeCliHome, runClauth, startClauth } from "../helpers/cli.ts";
import { ignoreReason, signInAsAlice, withChromium } from "./_chromium.ts";

Deno.test(
  "clauth login with Chromium: a person signs in on the real pages and the CLI stores the tokens",
  { ignore: ignoreReason !== undefined },
  async () => {
    await withChromium(async (idp, browser) => {
      const home = await makeCliHome();
      await home.writeConfig({
        profiles: {
          me: { issuer: idp.issuer, client_id: "demo-cli", scope: "openid profile offline_access" },
        },
      });
      // A BROWSER that "opens" nothing: the person copies the printed URL into their browser.
      const env = { ...home.env, CLAUTH_PROFILE: "me", BROWSER: `${Deno.execPath()} eval 0` };
      const login = startClauth(["login", "--flow", "browser"], { env });
      const [, url] = await login.waitForStderr(/If it does not open, visit:\n {2}(\S+)\n/);

      const { page } = await signInAsAlice(browser, url!);
      const text = await page.textContent("body");
      await page.close();

      const result = await login.result();
      assert.equal(result.code, 0, result.stderr);
      assert.match(text ?? "", /You can close this tab and return to the terminal/);
      assert.match(
        result.stderr,
        /Logged in to \S+ as .+ \(profile me\)\.\n.*refresh token stored/,
      );
      const whoami = await runClauth(["whoami", "--json"], { env });
      assert.equal(whoami.code, 0, whoami.stderr);
      assert.equal(JSON.parse(whoami.stdout).sub, "alice");
    });
  },
);
