/**
 * `clauth decode [TOKEN|-]`: show a JWT's header and claims, times readable. Local: nothing
 * is fetched and nothing is checked, and stderr says so, unless `--verify` is given; then the
 * signature is checked against the profile's issuer's keys, and `iss` against the issuer
 * (the stored ID token gets the full ID token check: aud too). Without an argument it decodes
 * the profile's stored ID token, else its access token, and says which.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import { verifyIdToken } from "../flows/tokens/id_token.ts";
import { type DecodedJwt, decodeJwt, shown, verifyJwtSignature } from "../flows/tokens/jwt.ts";
import { safeJson } from "../flows/protocol/safe_text.ts";
import { claimRows, table } from "./claims_table.ts";
import { CommandContext, type GlobalOptions, type Session } from "./context.ts";
import { epochSeconds } from "./runtime.ts";
import { formatDuration } from "./time_text.ts";
import { tokenArgument } from "./token_argument.ts";
import { bindingOf } from "./settings.ts";

/** Options of `clauth decode`. */
export interface DecodeOptions {
  /** Check the signature (and iss) against the profile's issuer. */
  verify: boolean;
}

/** Which token is being decoded. */
type Source = "argument" | "stdin" | "id_token" | "access_token";

/** Runs `clauth decode`. `token` is the argument: a token, "-" for stdin, or undefined. */
export async function decodeCommand(
  globals: GlobalOptions,
  token: string | undefined,
  options: DecodeOptions,
  session: Session,
): Promise<void> {
  const { runtime, terminal } = session;
  // The profile's settings matter only for its stored tokens or its issuer's keys: a token
  // given on its own decodes without any configuration.
  const needsProfile = token === undefined || options.verify;
  const context = needsProfile ? await CommandContext.create(globals, session) : undefined;

  let value: string;
  let source: Source;
  let what: string;
  if (token === undefined) {
    ({ value, source, what } = await storedToken(context!));
  } else {
    value = await tokenArgument(token, session);
    source = token === "-" ? "stdin" : "argument";
    what = "The token";
  }
  let decoded: DecodedJwt;
  try {
    decoded = decodeJwt(value, { what });
  } catch (error) {
    if (!(error instanceof ClauthError)) throw error;
    const inspect = source === "access_token" ? "clauth inspect" : "clauth inspect -";
    throw new ClauthError("usage", `${error.message} "${inspect}" asks the server about it.`);
  }

  const now = epochSeconds(runtime);
  if (options.verify) {
    await verify(context!, value, decoded, source);
  } else {
    terminal.info(
      "Not verified: this is what the token says about itself; its signature, issuer and expiry were not checked. Add --verify to check it against the issuer's keys.",
    );
  }
  const exp = decoded.claims.exp;
  if (typeof exp === "number" && exp <= now) {
    terminal.info(`Note: the token expired ${formatDuration(now - exp)} ago.`);
  }

  if (globals.json) {
    await terminal.out(
      safeJson(
        { source, verified: options.verify, header: decoded.header, claims: decoded.claims },
        2,
      ) + "\n",
    );
    return;
  }
  const header = table(claimRows(decoded.header, now), "  ");
  await terminal.out(`Header\n${header}Claims\n${table(claimRows(decoded.claims, now), "  ")}`);
}

async function storedToken(
  context: CommandContext,
): Promise<{ value: string; source: Source; what: string }> {
  const { profile } = context.settings;
  const tokens = await context.store.get(profile, bindingOf(context.settings));
  if (!tokens) {
    throw new ClauthError(
      "login_required",
      `No tokens are stored for profile "${profile}": run "clauth login --profile ${profile}", or give the token to decode ("clauth decode -" reads it from stdin).`,
    );
  }
  if (tokens.id_token !== undefined) {
    context.terminal.info(`Decoding the ID token stored for profile "${profile}".`);
    return {
      value: tokens.id_token,
      source: "id_token",
      what: `The ID token stored for profile "${profile}"`,
    };
  }
  context.terminal.info(
    `Decoding the access token stored for profile "${profile}" (it has no ID token).`,
  );
  return {
    value: tokens.access_token,
    source: "access_token",
    what: `The access token stored for profile "${profile}"`,
  };
}

async function verify(
  context: CommandContext,
  value: string,
  decoded: DecodedJwt,
  source: Source,
): Promise<void> {
  const client = await context.client();
  const issuer = client.as.issuer;
  const kid = decoded.header.kid === undefined ? "" : ` (kid ${shown(decoded.header.kid)})`;
  if (source === "id_token") {
    await verifyIdToken(client, value, { allowExpired: true });
    context.terminal.info(
      `Verified: the signature matches a key of ${issuer}${kid}, iss is that issuer and aud includes ${client.client.client_id}.`,
    );
    return;
  }
  // The issuer first: a token from another issuer would only fail on an unknown key.
  const iss = decoded.claims.iss;
  if (iss !== undefined && iss !== issuer) {
    throw new ClauthError(
      "usage",
      `The token was issued by ${shown(iss)}, not by the profile's issuer ${
        shown(issuer)
      }: verify it with a profile for its issuer (--profile, or --issuer and --client-id).`,
    );
  }
  await verifyJwtSignature(client, value);
  if (iss === undefined) {
    throw new ClauthError(
      "server",
      `The token's signature verifies, but it has no iss claim, so it cannot be tied to ${issuer}.`,
    );
  }
  context.terminal.info(
    `Verified: the signature matches a key of ${issuer}${kid}, and iss is that issuer.`,
  );
}
