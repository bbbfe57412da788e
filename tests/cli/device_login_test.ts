import assert from "node:assert/strict";
import { approveDeviceCode } from "../../dev/device_approval.ts";
import {
  profileHome,
  readSlot,
  runClauth,
  startClauth,
  startClauthProcess,
} from "../helpers/cli.ts";
import { introspect, QUICK_POLL, withProvider } from "../helpers/dev_provider.ts";

function deviceHome(issuer: string) {
  const scope = "openid offline_access api:read";
  return profileHome("dev", { issuer, client_id: "demo-cli", flow: "device", scope });
}

const COMPLETE_URI = /Or open this address, which already holds the code:\n {2}(\S+)\n/;

Deno.test("clauth login --flow device prints the URI, the code and the complete URI, then stores tokens (exit 0)", async () => {
  await withProvider({ deviceInterval: QUICK_POLL, autoApprove: true }, async (idp) => {
    const home = await deviceHome(idp.issuer);
    const login = startClauth(["login"], { env: home.env });
    const [, complete] = await login.waitForStderr(COMPLETE_URI);
    await approveDeviceCode(complete!);
    const result = await login.result();
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "", "stdout carries data only");
    const uri = result.stderr.match(/open this address on any device:\n {2}(\S+)\n/)?.[1];
    const code = result.stderr.match(/and enter the code:\n {2}(\S+)\n/)?.[1];
    assert.equal(uri, `${idp.issuer}/device`);
    assert.match(code!, /^[A-Z]{4}-[A-Z]{4}$/);
    assert.ok(complete!.startsWith(`${uri}?user_code=`));
    assert.match(result.stderr, /Waiting for approval \(the code expires in/);
    assert.match(result.stderr, /Logged in to \S+ as .+ \(profile dev\)\.\n.*refresh token stored/);
    assert.ok(!result.stderr.includes("\x1b["), "no colour or spinner without a TTY");

    const token = await runClauth(["token"], { env: home.env });
    assert.equal(token.code, 0, token.stderr);
    assert.equal((await introspect(idp, token.stdout.trim())).body.active, true);
    const stored = await readSlot(`${home.stateDir}/tokens/dev.json`);
    assert.equal(typeof stored.refresh_token, "string");
    assert.equal(typeof stored.id_token, "string");
  });
});

Deno.test("clauth login --flow device exits 3 when the user denies", async () => {
  await withProvider({ deviceInterval: QUICK_POLL, autoApprove: true }, async (idp) => {
    const home = await deviceHome(idp.issuer);
    const login = startClauth(["login"], { env: home.env });
    const [, complete] = await login.waitForStderr(COMPLETE_URI);
    await approveDeviceCode(complete!, { deny: true });
    const result = await login.result();
    assert.equal(result.code, 3);
    assert.match(result.stderr, /clauth: The login was denied/);
  });
});

Deno.test("clauth login --flow device exits 3 when the code expires", async () => {
  await withProvider({ deviceInterval: QUICK_POLL, deviceCodeTtl: 1 }, async (idp) => {
    const home = await deviceHome(idp.issuer);
    const result = await runClauth(["login"], { env: home.env });
    assert.equal(result.code, 3);
    assert.match(result.stderr, /device code expired before the login was approved/);
  });
});

Deno.test("clauth token without a terminal exits 4 and names the login command", async () => {
  await withProvider({}, async (idp) => {
    const home = await deviceHome(idp.issuer);
    const result = await runClauth(["token"], { env: home.env });
    assert.equal(result.code, 4);
    assert.match(result.stderr, /no terminal to log in from: run "clauth login --profile dev"/);
    assert.equal(idp.counts.device_authorization ?? 0, 0, "no flow was started");
  });
});

Deno.test("clauth login --flow device stops at once on Ctrl-C (SIGINT), exit 130", {
  ignore: Deno.build.os === "windows", // Deno cannot send a child SIGINT on Windows
}, async () => {
  await withProvider({ autoApprove: true, deviceInterval: 5 }, async (idp) => {
    const home = await deviceHome(idp.issuer);
    // A real process: the signal goes to clauth's pid, as Ctrl-C on a terminal would.
    const login = startClauthProcess(["login"], { env: home.env });
    await login.waitForStderr(/Waiting for approval/);
    const started = Date.now();
    login.kill("SIGINT");
    const result = await login.result();
    assert.equal(result.code, 130);
    assert.match(result.stderr, /clauth: interrupted\./);
    // The next poll is 5 s away: well under that shows it did not wait for it.
    assert.ok(Date.now() - started < 4000, "does not wait for the next poll");
    await assert.rejects(Deno.stat(`${home.stateDir}/tokens/dev.json`), Deno.errors.NotFound);
  });
});
