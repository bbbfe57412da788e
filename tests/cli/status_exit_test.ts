/**
 * `clauth status` answers "can I use it?" by its exit code, like `gh auth status`, and shows
 * who is logged in.
 */

import assert from "node:assert/strict";
import { makeCliHome, runClauth } from "../helpers/cli.ts";
import { withProvider } from "../helpers/dev_provider.ts";
import { loggedInHome } from "../helpers/login.ts";

Deno.test("clauth status exits 0 with a usable login and names the account; 1 for a profile without one; 2 for an unknown profile", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await loggedInHome(idp.issuer, "openid email profile offline_access");
    const status = await runClauth(["status"], { env: home.env });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^ {2}account: alice$/m);
    const json = await runClauth(["status", "--json"], { env: home.env });
    assert.equal(JSON.parse(json.stdout)[0].account, "alice");
    assert.equal(JSON.parse(json.stdout)[0].usable, true);

    await home.writeConfig({
      default_profile: "web",
      profiles: {
        web: {
          issuer: idp.issuer,
          client_id: "demo-cli",
          scope: "openid email profile offline_access",
        },
        idle: { issuer: idp.issuer, client_id: "demo-cli" },
      },
    });
    const idle = await runClauth(["status", "--profile", "idle"], { env: home.env });
    assert.equal(idle.code, 1, "the profile asked about has no login");
    assert.match(idle.stdout, /tokens: {2}not logged in/);
    const unknown = await runClauth(["status", "--profile", "nope"], { env: home.env });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown profile "nope"/);
  });
});

Deno.test("clauth status with nothing logged in anywhere exits 1", async () => {
  const home = await makeCliHome();
  await home.writeConfig({ profiles: { a: { issuer: "https://as.example", client_id: "c" } } });
  const result = await runClauth(["status"], { env: home.env });
  assert.equal(result.code, 1);
  const empty = await makeCliHome();
  assert.equal((await runClauth(["status"], { env: empty.env })).code, 1);
});
