import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { EXAMPLE_RESOURCE } from "../../dev/_constants.ts";

const DEMO = fileURLToPath(new URL("../../dev/demo.ts", import.meta.url));

/** The lines that follow the demo's echo of `$ clauth <command>`, up to the next blank line. */
function afterCommand(out: string, command: RegExp): string[] {
  const lines = out.split("\n");
  const start = lines.findIndex((line) => line.startsWith("$ clauth ") && command.test(line));
  assert.notEqual(start, -1, `the demo ran ${command}`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => line === "");
  return end === -1 ? rest : rest.slice(0, end);
}

Deno.test("deno task demo runs every flow, DPoP and resource indicators included, and shows no token", async () => {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", DEMO],
    // A caller's own settings must not steer the demo's clauth elsewhere.
    env: { NO_COLOR: "1", CLAUTH_ISSUER: "http://127.0.0.1:9", CLAUTH_PROFILE: "elsewhere" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(result.stdout);
  const failed = out.split("\n").filter((line) => line.includes("✗"));
  assert.deepEqual(failed, [], out);
  assert.equal(result.code, 0, out);
  assert.match(out, /\nDemo finished: every flow worked\.\n$/);

  // DPoP: the stored token is bound, and `clauth api` got userinfo's answer for alice.
  const [stored = ""] = afterCommand(out, /^\$ clauth token --profile dpop --output json$/);
  const tokenJson = JSON.parse(stored);
  assert.equal(tokenJson.token_type, "dpop");
  assert.match(tokenJson.access_token, /^sha256:[0-9a-f]{12} \(\d+ chars\)$/);
  const [answer = ""] = afterCommand(out, /^\$ clauth api --profile dpop http:\S+\/me$/);
  assert.deepEqual(JSON.parse(answer), {
    sub: "alice",
    name: "Alice Example",
    preferred_username: "alice",
  });
  const header = afterCommand(out, /--output header --method GET --url http:\S+\/me$/);
  assert.match(header[0] ?? "", /^ {2}Authorization: DPoP sha256:[0-9a-f]{12} \(\d+ chars\)$/);
  assert.match(header[1] ?? "", /^ {2}DPoP: sha256:[0-9a-f]{12} \(\d+ chars\)$/);
  assert.match(header[2] ?? "", /^ {2}proof: typ dpop\+jwt, alg ES256, htm GET, htu http:\S+\/me,/);

  // Resource indicators: the access token is a JWT for the API, verified by clauth decode.
  const decoded = afterCommand(out, /^\$ clauth decode --profile api --verify$/);
  assert.ok(decoded.some((line) => /^ {2}\| Verified: /.test(line)), decoded.join("\n"));
  assert.ok(decoded.includes(`    aud        ${EXAMPLE_RESOURCE}`), decoded.join("\n"));

  // Never a JWT (access token, ID token, DPoP proof) nor a bearer/DPoP header with a token.
  assert.doesNotMatch(out, /eyJ[\w-]+\.[\w-]+/);
  assert.doesNotMatch(out, /Authorization: (Bearer|DPoP) (?!sha256:)/);
});
