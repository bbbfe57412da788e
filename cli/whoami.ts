/**
 * `clauth whoami`: who the profile is logged in as. The stored ID token is verified
 * (signature, iss, aud; an expired one still says who logged in, and we say it expired), then
 * merged with what the userinfo endpoint answers for the current access token, which must be
 * about the same `sub`.
 *
 * @module
 */

import { ClauthError } from "../errors.ts";
import type { Client } from "../flows/protocol/client.ts";
import { type IdTokenClaims, verifyIdToken } from "../flows/tokens/id_token.ts";
import { fetchUserInfo } from "../flows/protocol/userinfo.ts";
import type { StoredTokens } from "../storage/token_store.ts";
import { safeJson } from "../flows/protocol/safe_text.ts";
import { timedFetch } from "../flows/protocol/http.ts";
import { claimName, claimText, table } from "./claims_table.ts";
import type { CommandContext } from "./context.ts";
import { formatDuration } from "./time_text.ts";
import { currentTokens } from "./token.ts";

/** ID token claims about the token rather than the user; shown after the user's claims. */
const TOKEN_CLAIMS = [
  "iss",
  "aud",
  "azp",
  "auth_time",
  "acr",
  "amr",
  "sid",
  "iat",
  "exp",
  "nbf",
  "jti",
];
/** Claims that only serve validation; in the JSON, not in the table. */
const VALIDATION_CLAIMS = new Set(["nonce", "at_hash", "c_hash", "s_hash"]);

/** What `clauth whoami --json` prints. */
export interface Identity {
  /** The user's identifier at the issuer. */
  sub: string;
  /** The user's claims: the ID token's, with the userinfo endpoint's answer laid over them. */
  claims: Record<string, unknown>;
  /** The verified ID token's claims, and whether it has expired. */
  id_token: { claims: IdTokenClaims; expired: boolean };
  /** The userinfo endpoint's answer; null when the server has none. */
  userinfo: Record<string, unknown> | null;
}

/**
 * Verifies the ID token and asks the userinfo endpoint (when there is one) with the access
 * token. `now` is in seconds.
 */
export async function identityOf(
  client: Client,
  tokens: Pick<StoredTokens, "access_token" | "id_token">,
  now: number,
): Promise<Identity> {
  if (tokens.id_token === undefined) throw new Error("identityOf() needs an ID token");
  const idClaims = await verifyIdToken(client, tokens.id_token, {
    allowExpired: true,
    now: now * 1000,
  });
  const userinfo = client.as.userinfo_endpoint
    ? await fetchUserInfo(client, tokens.access_token, { expectedSubject: idClaims.sub })
    : null;
  const claims: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(idClaims)) {
    if (!TOKEN_CLAIMS.includes(name) && !VALIDATION_CLAIMS.has(name)) claims[name] = value;
  }
  Object.assign(claims, userinfo ?? {});
  return {
    sub: idClaims.sub,
    claims,
    id_token: { claims: idClaims, expired: idClaims.exp <= now },
    userinfo: userinfo ? { ...userinfo } : null,
  };
}

/** Runs `clauth whoami`. */
export async function whoamiCommand(context: CommandContext): Promise<void> {
  const { settings, terminal } = context;
  if (settings.flow === "client-credentials") {
    throw new ClauthError(
      "usage",
      `Profile "${settings.profile}" uses client credentials: no person is logged in, so there is no one to show.`,
    );
  }
  const tokens = await currentTokens(context);
  const api = context.preset?.behaviour.identity;
  if (api) {
    const url = api.urlFor?.(tokens.issuer) ?? api.url;
    return await apiIdentity(context, tokens, { url, subject: api.subject });
  }
  if (tokens.id_token === undefined) {
    throw new ClauthError(
      "usage",
      `Profile "${settings.profile}" has no ID token: its login did not ask for the openid scope. Add "openid" to the profile's scope and run "clauth login --profile ${settings.profile}".`,
    );
  }
  // As the tokens were obtained: a DPoP-bound access token goes to userinfo with a proof.
  const client = await context.clientFor(tokens);
  const now = context.now();
  const identity = await identityOf(client, tokens, now);

  if (identity.userinfo === null) {
    terminal.info(
      `${client.as.issuer} has no userinfo endpoint: showing the ID token's claims only.`,
    );
  }
  if (identity.id_token.expired) {
    terminal.info(
      `Note: the stored ID token expired ${
        formatDuration(now - identity.id_token.claims.exp)
      } ago. Its signature, issuer and audience still verify, so it still says who logged in; "clauth login --profile ${settings.profile}" gets a fresh one.`,
    );
  }
  if (context.options.json) {
    await terminal.out(safeJson({ profile: settings.profile, ...identity }, 2) + "\n");
    return;
  }
  await terminal.out(renderIdentity(identity, now));
}

function renderIdentity(identity: Identity, now: number): string {
  const fromIdToken = identity.id_token.claims;
  const fromUserinfo = identity.userinfo ?? {};
  const source = (name: string) =>
    [name in fromIdToken ? "ID token" : "", name in fromUserinfo ? "userinfo" : ""]
      .filter(Boolean).join(", ");
  const userNames = ["sub", ...Object.keys(identity.claims).filter((name) => name !== "sub")];
  const rows = userNames.map((name) => [
    claimName(name),
    claimText(name, identity.claims[name], now),
    source(name),
  ]);
  for (const name of TOKEN_CLAIMS) {
    if (fromIdToken[name] === undefined) continue;
    let text = claimText(name, fromIdToken[name], now);
    if (name === "exp" && identity.id_token.expired) {
      text = text.replace(/ \((.*) ago\)$/, " (expired $1 ago)");
    }
    rows.push([name, text, "ID token"]);
  }
  return table([["CLAIM", "VALUE", "FROM"], ...rows]);
}

/**
 * Who the user is at a provider without OpenID Connect (GitHub): its API's own account
 * endpoint, asked with the access token, and the claim that identifies the user there.
 */
async function apiIdentity(
  context: CommandContext,
  tokens: StoredTokens,
  api: { url: string; subject: string },
): Promise<void> {
  const fetchFn = timedFetch(context.deps);
  const response = await fetchFn(api.url, {
    headers: { authorization: `Bearer ${tokens.access_token}`, accept: "application/json" },
  });
  const body = await response.json().catch(() => undefined);
  if (!response.ok || typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ClauthError(
      "server",
      `${api.url} did not say who is logged in (HTTP ${response.status}). The token may have been revoked; log in again.`,
      { status: response.status },
    );
  }
  const claims = body as Record<string, unknown>;
  const sub = String(claims[api.subject] ?? "");
  const now = context.now();
  if (context.options.json) {
    await context.terminal.out(
      safeJson({ profile: context.settings.profile, sub, claims }, 2) + "\n",
    );
    return;
  }
  const rows = Object.entries(claims)
    .filter(([, value]) => value !== null && typeof value !== "object")
    .map(([name, value]) => [claimName(name), claimText(name, value, now), api.url]);
  await context.terminal.out(table([["CLAIM", "VALUE", "FROM"], ...rows]));
}
