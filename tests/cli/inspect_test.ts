import assert from "node:assert/strict";
import { makeCliHome, readSlot, runClauth } from "../helpers/cli.ts";
import { serviceHome, withProvider } from "../helpers/dev_provider.ts";
import { loggedInHome } from "../helpers/login.ts";

Deno.test("clauth inspect shows an active token, then inactive (exit 0) once it is revoked", async () => {
  await withProvider({ autoApprove: true }, async (idp) => {
    const home = await loggedInHome(idp.issuer, "openid offline_access api:read");
    const stored = await readSlot(`${home.stateDir}/tokens/web.json`);

    const table = await runClauth(["inspect"], { env: home.env });
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stderr, /^Introspecting the access token of profile "web"\.$/m);
    assert.match(table.stdout, /^active\s+true\nscope\s+openid offline_access api:read\n/);
    assert.match(table.stdout, /^client_id\s+demo-cli$/m);
    assert.match(table.stdout, /^sub\s+alice$/m);
    assert.match(table.stdout, /^exp\s+\S+Z \(in (1h|59m \d+s)\)$/m);
    assert.match(table.stdout, new RegExp(`^iss\\s+${idp.issuer.replaceAll(".", "\\.")}$`, "m"));
    assert.ok(!table.stdout.includes(stored.access_token));

    const asJson = await runClauth(["inspect", "--json"], { env: home.env });
    assert.equal(asJson.code, 0, asJson.stderr);
    const answer = JSON.parse(asJson.stdout);
    assert.equal(answer.active, true);
    assert.equal(answer.client_id, "demo-cli");
    assert.equal(answer.sub, "alice");

    const revoked = await fetch(`${idp.issuer}/token/revocation`, {
      method: "POST",
      body: new URLSearchParams({ client_id: "demo-cli", token: stored.access_token }),
    });
    await revoked.body?.cancel();
    assert.equal(revoked.status, 200);

    const inactive = await runClauth(["inspect", "-"], {
      env: home.env,
      stdin: `${stored.access_token}\n`,
    });
    assert.equal(inactive.code, 0, inactive.stderr);
    assert.equal(inactive.stdout, "inactive\n");
    assert.match(inactive.stderr, /not active: expired, revoked, unknown/);
    assert.ok(!inactive.stderr.includes("Warning"), "stdin keeps the token off the command line");

    const inactiveJson = await runClauth(["inspect", "--json", "-"], {
      env: home.env,
      stdin: stored.access_token,
    });
    assert.deepEqual(JSON.parse(inactiveJson.stdout), { active: false });
    assert.equal(idp.counts.introspection, 4);
  });
});

Deno.test("clauth inspect TOKEN warns that arguments are visible to others, and authenticates the client", async () => {
  await withProvider({}, async (idp) => {
    const { env } = await serviceHome(idp.issuer, { scope: "api:read" });
    const token = (await runClauth(["token"], { env })).stdout.trim();
    const result = await runClauth(["inspect", token], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^Warning: a token given as an argument is visible to other users/);
    assert.match(result.stdout, /^active\s+true\nscope\s+api:read\nclient_id\s+demo-service\n/);
    assert.ok(!result.stderr.includes(token) && !result.stdout.includes(token));
  });
});

Deno.test("clauth inspect takes tokens that start with a dash, refuses mistyped options and an empty stdin (exit 2)", async () => {
  await withProvider({}, async (idp) => {
    const home = await makeCliHome();
    const env = { ...home.env, CLAUTH_ISSUER: idp.issuer, CLAUTH_CLIENT_ID: "demo-cli" };
    const empty = await runClauth(["inspect", "-"], { env, stdin: "\n" });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /No token on stdin/);
    const typo = await runClauth(["inspect", "--jsno"], { env });
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /Unknown option "--jsno"/);
    assert.equal(idp.counts.introspection ?? 0, 0);

    const dashed = await runClauth([
      "inspect",
      "-7VbJSCSGmTBNLVbyMP0jNCMoERU3NKE1Z1HLEtudIn",
      "--json",
    ], {
      env,
    });
    assert.equal(dashed.code, 0, dashed.stderr);
    assert.deepEqual(JSON.parse(dashed.stdout), { active: false });
    assert.ok(!dashed.stderr.includes("7VbJSCSG"), "the token is not echoed");
  });
});
