/**
 * DPoP proofs for tools clauth cannot wrap (RFC 9449 §4): `clauth proof --method M --url URL`
 * prints one proof, and `clauth token --output header --method M --url URL` the header pair.
 * A proof is good for one request: that method, that URL (without query and fragment), now.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import { dpopProofs } from "../flows/tokens/dpop.ts";
import type { StoredTokens } from "../storage/token_store.ts";
import type { CommandContext } from "./context.ts";
import { currentTokens } from "./token.ts";
import { requestMethod, requestUrl } from "./api.ts";

/** Where a proof is for. */
export interface ProofTarget {
  method: string;
  url: string;
  /** The server's last `DPoP-Nonce`, when it asked for one. */
  nonce?: string;
}

/** Runs `clauth proof`: prints a proof for the profile's DPoP-bound access token. */
export async function proofCommand(context: CommandContext, target: ProofTarget): Promise<void> {
  const tokens = await currentTokens(context);
  await context.terminal.out(`${await proofFor(tokens, target)}\n`);
}

/**
 * A proof of possession of `tokens`' key for one request, with `ath` for their access token.
 * Bearer tokens need none: a usage error says so.
 */
export async function proofFor(tokens: StoredTokens, target: ProofTarget): Promise<string> {
  if (tokens.token_type !== "dpop" || !tokens.dpop_key) {
    throw new ClauthError(
      "usage",
      "The profile's access token is a Bearer token: it needs no DPoP proof. For DPoP-bound tokens, log in with DPoP on.",
      { setting: "dpop" },
    );
  }
  const method = requestMethod(target.method);
  requestUrl(target.url, "URL"); // a proof goes with the token: only where the token may go
  const proofs = await dpopProofs(tokens.dpop_key);
  if (target.nonce) {
    proofs.remember(new Response(null, { headers: { "dpop-nonce": target.nonce } }), target.url);
  }
  return await proofs.proof(method, target.url, tokens.access_token);
}
