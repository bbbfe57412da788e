/**
 * The demo's steps for tokens meant for one API: bound to a key (DPoP, RFC 9449) and bound to
 * an audience (resource indicators, RFC 8707). dev/demo.ts runs them through the real CLI;
 * like the rest of the demo they print fingerprints, never tokens or proofs.
 */

import { EXAMPLE_RESOURCE } from "./provider.ts";

/** What the steps need from dev/demo.ts. */
export interface DemoShell {
  /** The dev provider's issuer. */
  issuer: string;
  /** Runs clauth (echoing the command and its stderr); returns stdout. */
  clauth(args: string[]): Promise<string>;
  /** Prints ✓ or ✗ with `what`, and counts a failure. */
  check(ok: boolean, what: string): void;
  /** `sha256:<12 hex> (N chars)`: shows which token without showing it. */
  fingerprint(token: string): Promise<string>;
}

/**
 * DPoP: a browser login to demo-dpop bound to a fresh key pair, a real API call with a proof,
 * the header pair for other tools, and the same token refused without its proof.
 */
export async function dpopStep(demo: DemoShell): Promise<void> {
  const { clauth, check, fingerprint } = demo;
  console.log("\n== DPoP (RFC 9449): a token bound to a key that stays on this machine ==");
  await clauth(["login", "--profile", "dpop", "--dpop"]);
  const stored = parseJson(await clauth(["token", "--profile", "dpop", "--output", "json"]));
  const token = typeof stored.access_token === "string" ? stored.access_token : "";
  console.log(`  ${JSON.stringify({ ...stored, access_token: await fingerprint(token) })}`);
  check(stored.token_type === "dpop", "the stored token is DPoP-bound (token_type dpop)");

  // The dev provider's userinfo endpoint is a protected resource that checks DPoP proofs.
  const me = `${demo.issuer}/me`;
  const answer = await clauth(["api", "--profile", "dpop", me]);
  console.log(`  ${answer.trim()}`);
  check(
    parseJson(answer).sub === "alice",
    "`api`: userinfo answered for alice; the token went with a fresh proof",
  );

  // RFC 9449 §7.1: a bound token without a proof is refused, so a copied token is useless.
  const withoutProof = await fetch(me, { headers: { authorization: `Bearer ${token}` } });
  await withoutProof.body?.cancel();
  check(
    withoutProof.status === 401,
    `the same token sent as a Bearer token, without a proof: HTTP ${withoutProof.status}`,
  );

  const header = await clauth(
    ["token", "--profile", "dpop", "--output", "header", "--method", "GET", "--url", me],
  );
  const [, headerToken = "", proof = ""] =
    /^Authorization: DPoP (\S+)\nDPoP: (\S+)\n$/.exec(header) ?? [];
  console.log(`  Authorization: DPoP ${await fingerprint(headerToken)}`);
  console.log(`  DPoP: ${await fingerprint(proof)}`);
  const { header: jose, claims } = unverifiedJwt(proof);
  console.log(
    `  proof: typ ${jose.typ}, alg ${jose.alg}, htm ${claims.htm}, htu ${claims.htu}, ath ${
      String(claims.ath).slice(0, 12)
    }... (the token's SHA-256)`,
  );
  // RFC 9449 §4.2: a proof sent with a token carries `ath`, the token's base64url SHA-256.
  check(
    headerToken === token && jose.typ === "dpop+jwt" && claims.htm === "GET" &&
      claims.htu === me && claims.ath === await base64urlSha256(token),
    "`token --output header`: the token and a proof for GET /me, bound to it by ath",
  );
}

/** Resource indicators: a login for one API gets a JWT access token whose `aud` is that API. */
export async function resourceStep(demo: DemoShell): Promise<void> {
  const { clauth, check } = demo;
  console.log("\n== Resource indicators (RFC 8707): a token for one API ==");
  await clauth(["login", "--profile", "api", "--resource", EXAMPLE_RESOURCE]);
  const decoded = await clauth(["decode", "--profile", "api", "--verify"]);
  console.log(decoded.replace(/^/gm, "  ").trimEnd());
  check(
    new RegExp(`^\\s+aud\\s+${RegExp.escape(EXAMPLE_RESOURCE)}$`, "m").test(decoded),
    `the access token is a JWT for ${EXAMPLE_RESOURCE} (aud), signed by the issuer`,
  );
}

/** A JSON object, or {} for anything else: a failed command's empty stdout fails its check. */
function parseJson(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null ? value : {};
  } catch {
    return {};
  }
}

/** A JWS's header and payload, unchecked: the demo only shows what a proof says. */
function unverifiedJwt(
  jwt: string,
): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header = "", claims = ""] = jwt.split(".");
  const part = (text: string) => {
    try {
      return parseJson(
        new TextDecoder().decode(Uint8Array.fromBase64(text, { alphabet: "base64url" })),
      );
    } catch {
      return {};
    }
  };
  return { header: part(header), claims: part(claims) };
}

async function base64urlSha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return new Uint8Array(digest).toBase64({ alphabet: "base64url", omitPadding: true });
}
