/**
 * `deno task idp`: runs the development authorization server until SIGINT/SIGTERM.
 *
 *   deno task idp [--port N] [--auto-approve] [--json] [--access-token-ttl S]
 *                 [--refresh-token-ttl S] [--device-interval S] [--dpop-nonce]
 *
 * Prints the issuer and the clients on stdout (one JSON object with --json), nothing else.
 * Bad flags: a message on stderr, exit 2.
 */

import { parseArgs } from "node:util";
// Types only: provider.ts (and oidc-provider, which warns on import) loads after the flags parse.
import type { DevProvider, DevProviderOptions } from "./provider.ts";

const USAGE = `usage: deno task idp [options]

Runs the clauth development authorization server (oidc-provider) on 127.0.0.1.

Options:
  --port N                 port to listen on (default 0: a free port)
  --auto-approve           log in and consent as alice without any page
  --json                   print {"issuer":...,"clients":[...],...} as one JSON line
  --access-token-ttl S     access token lifetime in seconds (default 3600)
  --refresh-token-ttl S    refresh token lifetime in seconds (default 86400)
  --device-interval S      device flow polling interval in seconds (default 5)
  --dpop-nonce             require a server nonce in DPoP proofs at the token and PAR
                           endpoints (RFC 9449 §8: use_dpop_nonce, then retry with it)
  -h, --help               show this help`;

class UsageError extends Error {}

export function parseIdpArgs(
  args: string[],
): { options: DevProviderOptions; json: boolean; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        "auto-approve": { type: "boolean" },
        json: { type: "boolean" },
        "access-token-ttl": { type: "string" },
        "refresh-token-ttl": { type: "string" },
        "device-interval": { type: "string" },
        "dpop-nonce": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  const integer = (flag: string, value: string | undefined, min: number, max: number) => {
    if (value === undefined) return undefined;
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
  const options: DevProviderOptions = {};
  const port = integer("port", values.port, 0, 65535);
  const accessTokenTtl = integer("access-token-ttl", values["access-token-ttl"], 1, 31_536_000);
  const refreshTokenTtl = integer("refresh-token-ttl", values["refresh-token-ttl"], 1, 31_536_000);
  const deviceInterval = integer("device-interval", values["device-interval"], 0, 3600);
  if (port !== undefined) options.port = port;
  if (accessTokenTtl !== undefined) options.accessTokenTtl = accessTokenTtl;
  if (refreshTokenTtl !== undefined) options.refreshTokenTtl = refreshTokenTtl;
  if (deviceInterval !== undefined) options.deviceInterval = deviceInterval;
  if (values["auto-approve"]) options.autoApprove = true;
  if (values["dpop-nonce"]) options.dpopNonce = true;
  return { options, json: values.json ?? false, help: values.help ?? false };
}

function describe(
  idp: DevProvider,
  json: boolean,
  options: DevProviderOptions,
  user: string,
): string {
  const { public: pub, confidential, privateKeyJwt, dpop, par } = idp.clients;
  const dpopNonce = options.dpopNonce ?? false;
  if (json) {
    // The two clients' requirements under their registration metadata names (RFC 9449 §5.2,
    // RFC 9126 §6); new fields go at the end so earlier readers keep working.
    return JSON.stringify({
      issuer: idp.issuer,
      clients: [
        { client_id: pub.client_id, type: "public" },
        {
          client_id: confidential.client_id,
          client_secret: confidential.client_secret,
          type: "confidential",
        },
        {
          client_id: privateKeyJwt.client_id,
          private_jwk: privateKeyJwt.private_jwk,
          type: "private_key_jwt",
        },
        { client_id: dpop.client_id, type: "public", dpop_bound_access_tokens: true },
        {
          client_id: par.client_id,
          type: "public",
          require_pushed_authorization_requests: true,
        },
      ],
      dpop_nonce: dpopNonce,
    });
  }
  return [
    `issuer: ${idp.issuer}`,
    `client: ${pub.client_id} (public)`,
    `client: ${confidential.client_id} (confidential, secret ${confidential.client_secret})`,
    `client: ${privateKeyJwt.client_id} (private_key_jwt, a fresh key each run: see --json)`,
    `client: ${dpop.client_id} (public, DPoP-bound tokens only)`,
    `client: ${par.client_id} (public, pushed authorization requests only)`,
    ...(dpopNonce ? ["dpop: a server nonce is required at the token and PAR endpoints"] : []),
    `user: ${user}${options.autoApprove ? " (auto-approve)" : ""}`,
  ].join("\n");
}

async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseIdpArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`idp: ${error.message}\n${USAGE.split("\n")[0]} (--help for the options)`);
    return 2;
  }
  if (parsed.help) {
    console.log(USAGE);
    return 0;
  }
  const { startDevProvider, USER_ID } = await import("./provider.ts");
  let idp: DevProvider;
  try {
    idp = await startDevProvider(parsed.options);
  } catch (error) {
    console.error(`idp: cannot start: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }

  const { promise: stopped, resolve: stop } = Promise.withResolvers<void>();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const onSignal = () => stop();
  for (const signal of signals) Deno.addSignalListener(signal, onSignal);

  console.log(describe(idp, parsed.json, parsed.options, USER_ID));
  await stopped;
  for (const signal of signals) Deno.removeSignalListener(signal, onSignal);
  await idp.close();
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
