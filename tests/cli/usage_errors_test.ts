import assert from "node:assert/strict";
import { makeCliHome, runClauth } from "../helpers/cli.ts";
import { freePort } from "../helpers/ports.ts";

Deno.test("clauth names the config file and the place of a JSON mistake, exits 2, and leaves the file alone", async () => {
  const home = await makeCliHome();
  const broken = '{\n  "profiles": {\n    "work": { issuer: "x" }\n  }\n}\n';
  await home.writeConfig(broken);
  const result = await runClauth(["token", "--profile", "work"], { env: home.env });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /config\.json is not valid JSON at line 3 column 15\./);
  assert.match(result.stderr, /clauth never rewrites it/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  assert.equal(await Deno.readTextFile(`${home.configDir}/config.json`), broken);
});

Deno.test("clauth rejects an unknown setting in the config file by its path", async () => {
  const home = await makeCliHome();
  await home.writeConfig({
    profiles: { work: { issuer: "https://as.example", client_id: "c", scopes: "x" } },
  });
  const result = await runClauth(["token", "--profile", "work"], { env: home.env });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /is invalid: profiles\.work\.scopes is not a known setting/);
});

Deno.test("clauth refuses a client secret written into the config file", async () => {
  const home = await makeCliHome();
  await home.writeConfig({
    profiles: { ci: { issuer: "https://as.example", client_id: "c", client_secret: "x" } },
  });
  const result = await runClauth(["login", "--profile", "ci"], { env: home.env });
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /profiles\.ci\.client_secret is not allowed: keep the secret in a file/,
  );
});

Deno.test("clauth lists the known profiles when asked for an unknown one", async () => {
  const home = await makeCliHome();
  await home.writeConfig({ profiles: { work: { issuer: "https://as.example", client_id: "c" } } });
  const result = await runClauth(["token", "--profile", "play"], { env: home.env });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /Unknown profile "play": .*config\.json has "work"/);
});

Deno.test("clauth refuses a plain-http issuer that is not loopback before any request", async () => {
  const home = await makeCliHome();
  const result = await runClauth([
    "token",
    "--issuer",
    "http://login.example.com",
    "--client-id",
    "c",
  ], { env: home.env });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /Refusing the http:\/\/ issuer http:\/\/login\.example\.com/);
});

Deno.test("clauth says what is missing when no issuer is configured", async () => {
  const home = await makeCliHome();
  const result = await runClauth(["token"], { env: home.env });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /No issuer for profile "default": pass --issuer, set CLAUTH_ISSUER/);
});

Deno.test("clauth reports an unreachable issuer with exit code 1", async () => {
  const home = await makeCliHome();
  const port = freePort();
  const result = await runClauth(
    [
      "login",
      "--issuer",
      `http://127.0.0.1:${port}`,
      "--client-id",
      "c",
      "--flow",
      "client-credentials",
    ],
    { env: { ...home.env, CLAUTH_CLIENT_SECRET: "s" } },
  );
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    new RegExp(`Cannot reach http://127\\.0\\.0\\.1:${port}/\\.well-known/openid-configuration`),
  );
});

Deno.test("clauth rejects bad option values with exit code 2", async () => {
  const home = await makeCliHome();
  for (
    const args of [["token", "--min-ttl", "soon"], ["token", "--output", "yaml"], [
      "login",
      "--flow",
      "magic",
    ], ["frobnicate"]]
  ) {
    const result = await runClauth(args, { env: home.env });
    assert.equal(result.code, 2, args.join(" "));
    assert.match(result.stderr, /error: |clauth: /, args.join(" "));
  }
});

Deno.test("clauth --version and --help exit 0 and print to stdout", async () => {
  const version = await runClauth(["--version"]);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^clauth \d+\.\d+\.\d+ \(deno \d+\.\d+\.\d+, [\w-]+\)\n$/);
  const help = await runClauth(["token", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--min-ttl <seconds>/);
});

Deno.test("clauth checks endpoint URLs in the config file: a URL, https or loopback http", async () => {
  const home = await makeCliHome();
  for (const value of ["not a url", "http://login.example.com/token"]) {
    await home.writeConfig({
      profiles: { w: { issuer: "https://as.example", client_id: "c", token_endpoint: value } },
    });
    const result = await runClauth(["login", "--profile", "w"], { env: home.env });
    assert.equal(result.code, 2, value);
    assert.match(
      result.stderr,
      /is invalid: profiles\.w\.token_endpoint must be an https:\/\/ URL \(plain http only on loopback addresses\)/,
    );
  }
});

Deno.test("clauth --verbose shows the chain of causes as text, never raw objects", async () => {
  const home = await makeCliHome();
  const port = freePort();
  const result = await runClauth(
    [
      "login",
      "--verbose",
      "--issuer",
      `http://127.0.0.1:${port}`,
      "--client-id",
      "c",
      "--flow",
      "device",
    ],
    { env: home.env },
  );
  assert.equal(result.code, 1);
  assert.match(result.stderr, /\n {2}caused by: \w+: /);
  assert.doesNotMatch(result.stderr, /\[object Object\]/);
});

Deno.test("clauth says where a bad profile or flow name came from", async () => {
  const home = await makeCliHome();
  await home.writeConfig({ profiles: { ci: { issuer: "https://as.example", client_id: "c" } } });
  const profile = await runClauth(["token"], { env: { ...home.env, CLAUTH_PROFILE: "cii" } });
  assert.equal(profile.code, 2);
  assert.match(profile.stderr, /Unknown profile "cii" \(from CLAUTH_PROFILE\): .* has "ci"/);
  const flow = await runClauth(["token", "--profile", "ci"], {
    env: { ...home.env, CLAUTH_FLOW: "devcie" },
  });
  assert.equal(flow.code, 2);
  assert.match(flow.stderr, /Unknown flow "devcie" \(from CLAUTH_FLOW\)/);
});

Deno.test("clauth checks profile names and default_profile in the config file", async () => {
  const home = await makeCliHome();
  await home.writeConfig({
    default_profile: "b",
    profiles: { a: { issuer: "https://as.example", client_id: "c" } },
  });
  const missing = await runClauth(["token"], { env: home.env });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /"default_profile" \("b"\) is not one of its profiles \("a"\)/);
  await home.writeConfig({ profiles: { Work: { issuer: "https://as.example", client_id: "c" } } });
  const upper = await runClauth(["status"], { env: home.env });
  assert.equal(upper.code, 2);
  assert.match(upper.stderr, /the profile name "Work" is not usable: Invalid profile name/);
});

Deno.test("clauth refuses a client secret on the command line and says how to pass it", async () => {
  for (
    const args of [["token", "--client-secret", "s3cret"], ["login", "--client-secret=s3cret"]]
  ) {
    const result = await runClauth(args);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /secrets are never taken from the command line .* CLAUTH_CLIENT_SECRET or use --client-secret-file/,
    );
    assert.ok(!result.stderr.includes("s3cret"));
  }
});

Deno.test("subcommand help points at the global options instead of repeating them", async () => {
  const help = await runClauth(["status", "--help"]);
  assert.equal(help.code, 0);
  assert.doesNotMatch(help.stdout, /--profile <name>/);
  assert.match(help.stdout, /global options \(--profile, --scope, --json, \.\.\.\)/);
  assert.match(help.stdout, /clauth help options lists them/);
});

Deno.test("clauth exec without -- explains where the command's options go", async () => {
  const result = await runClauth(["exec", "sh", "-c", "echo hi"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /Put "--" before the command/);
});
