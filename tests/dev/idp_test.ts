import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { dpopKey, handMadeProof } from "./_oauth.ts";

const IDP = fileURLToPath(new URL("../../dev/idp.ts", import.meta.url));
const PERMISSIONS = ["--allow-net=127.0.0.1", "--allow-env", "--allow-read"];

/** Starts `deno task idp`'s command, returns its first stdout line, then stops it with `signal`. */
async function runIdp(
  args: string[],
  whileRunning: (firstLine: string) => void | Promise<void>,
  signal: Deno.Signal,
) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, IDP, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  try {
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    await whileRunning(out.slice(0, out.indexOf("\n")));
  } finally {
    stop(child, signal);
  }
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  const status = await child.status;
  return { out, status, stderr: await stderr };
}

/**
 * Sends `signal`; gone already is fine. Any other failure kills the child outright, so the
 * reads that follow cannot hang, and is reported.
 */
function stop(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch (error) {
    if (error instanceof TypeError && /already (terminated|exited)/i.test(error.message)) return;
    child.kill("SIGKILL");
    throw error;
  }
}

// Windows: Deno's kill() can only TerminateProcess (exit 1), so no clean stop on a signal.
const NO_SIGNALS = { ignore: Deno.build.os === "windows" };

Deno.test(
  "idp --json prints one JSON line, serves the options, and stops cleanly on SIGTERM",
  NO_SIGNALS,
  async () => {
    const { out, status } = await runIdp(
      ["--json", "--auto-approve", "--access-token-ttl", "60", "--device-interval", "2"],
      async (line) => {
        const info = JSON.parse(line);
        assert.match(info.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
        const [pub, confidential, jwt, dpop, par] = info.clients;
        assert.deepEqual([pub, confidential], [
          { client_id: "demo-cli", type: "public" },
          { client_id: "demo-service", client_secret: "demo-service-secret", type: "confidential" },
        ]);
        assert.equal(jwt.client_id, "demo-jwt-service");
        assert.equal(jwt.type, "private_key_jwt");
        assert.equal(jwt.private_jwk.kty, "EC");
        assert.equal(typeof jwt.private_jwk.d, "string");
        assert.deepEqual([dpop, par], [
          { client_id: "demo-dpop", type: "public", dpop_bound_access_tokens: true },
          { client_id: "demo-par", type: "public", require_pushed_authorization_requests: true },
        ]);
        assert.equal(info.dpop_nonce, false);
        const cc = await fetch(`${info.issuer}/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            grant_type: "client_credentials",
            client_id: "demo-service",
            client_secret: "demo-service-secret",
          }),
        });
        assert.equal((await cc.json()).expires_in, 60);
        const device = await fetch(`${info.issuer}/device/auth`, {
          method: "POST",
          body: new URLSearchParams({ client_id: "demo-cli", scope: "openid" }),
        });
        assert.equal((await device.json()).interval, 2);
      },
      "SIGTERM",
    );
    assert.equal(status.code, 0);
    assert.equal(out.trim().split("\n").length, 1, "stdout holds only the JSON line");
  },
);

Deno.test(
  "idp prints human lines, asks for no DPoP nonce by default, and stops on SIGINT",
  NO_SIGNALS,
  async () => {
    const { out, status } = await runIdp([], async (line) => {
      assert.match(line, /^issuer: http:\/\/127\.0\.0\.1:\d+$/);
      const response = await tokenRequestWithoutNonce(line.replace(/^issuer: /, ""));
      assert.equal(response.status, 200);
      assert.equal((await response.json()).token_type, "DPoP");
    }, "SIGINT");
    assert.equal(status.code, 0);
    assert.match(out, /client: demo-cli \(public\)/);
    assert.match(out, /client: demo-service \(confidential, secret demo-service-secret\)/);
    assert.match(out, /client: demo-jwt-service \(private_key_jwt/);
    assert.match(out, /^client: demo-dpop \(public, DPoP-bound tokens only\)$/m);
    assert.match(out, /^client: demo-par \(public, pushed authorization requests only\)$/m);
    assert.doesNotMatch(out, /nonce/);
    assert.match(out, /user: alice/);
  },
);

/** A client-credentials request by demo-service with a DPoP proof that carries no nonce. */
async function tokenRequestWithoutNonce(issuer: string): Promise<Response> {
  const tokenUrl = `${issuer}/token`;
  return await fetch(tokenUrl, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      dpop: await handMadeProof((await dpopKey()).keyPair, tokenUrl),
    },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: "demo-service",
      client_secret: "demo-service-secret",
    }),
  });
}

Deno.test(
  "idp --dpop-nonce says so and answers a proof without a nonce with use_dpop_nonce",
  NO_SIGNALS,
  async () => {
    const { out, status } = await runIdp(["--dpop-nonce"], async (line) => {
      const issuer = line.replace(/^issuer: /, "");
      const response = await tokenRequestWithoutNonce(issuer);
      assert.equal(response.status, 400);
      assert.equal((await response.json()).error, "use_dpop_nonce");
      assert.match(response.headers.get("dpop-nonce") ?? "", /^\S+$/);
    }, "SIGTERM");
    assert.equal(status.code, 0);
    assert.match(out, /^dpop: a server nonce is required at the token and PAR endpoints$/m);

    const json = await runIdp(["--json", "--dpop-nonce"], (line) => {
      assert.equal(JSON.parse(line).dpop_nonce, true);
    }, "SIGTERM");
    assert.equal(json.status.code, 0);
  },
);

Deno.test("idp refuses bad flags with exit 2 and a message on stderr", async () => {
  for (const args of [["--bogus"], ["--port", "http"], ["--device-interval", "-1"], ["extra"]]) {
    const result = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...PERMISSIONS, IDP, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(result.code, 2, args.join(" "));
    assert.equal(new TextDecoder().decode(result.stdout), "");
    assert.match(new TextDecoder().decode(result.stderr), /^idp: /m);
  }
});
