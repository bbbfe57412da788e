/**
 * The device flow of the Google imitation (tests/helpers/imitations/google.ts), written from
 * https://developers.google.com/identity/protocols/oauth2/limited-input-device:
 *
 * - POST /device/code takes `client_id` and `scope`, only from a "TVs and Limited Input
 *   devices" client ("invalid_client: The OAuth client type is incorrect"), only for the
 *   allowed scopes (#allowedscopes; Google names the first other one: "Invalid device flow
 *   scope: ..."), and answers `verification_url` (not RFC 8628's `verification_uri`) with no
 *   complete URI.
 * - Polls need the client secret, and get Google's statuses rather than RFC 8628's 400s
 *   (https://github.com/pipacs/o2/pull/130: "Google uses various HTTP response codes"):
 *   428 authorization_pending, 403 slow_down, 403 access_denied, 400 expired_token.
 * - An approved code gives a refresh token, always.
 */

import {
  authenticateClient,
  type GoogleClient,
  oauthError,
  randomText,
  SCOPE_NAMES,
  type TokenState,
} from "./google_tokens.ts";

/** The scopes Google's device flow allows (limited-input-device#allowedscopes). */
export const DEVICE_SCOPES = new Set([
  "openid",
  "email",
  "profile",
  SCOPE_NAMES.email!,
  SCOPE_NAMES.profile!,
  "https://www.googleapis.com/auth/drive.appdata",
  "https://www.googleapis.com/auth/drive.file",
  "https://www.googleapis.com/auth/youtube",
  "https://www.googleapis.com/auth/youtube.readonly",
]);

interface DeviceCode {
  userCode: string;
  client: GoogleClient;
  scopes: string[];
  expiresAt: number;
  decision?: "approved" | "denied";
  lastPoll?: number;
  used: boolean;
}

/** How the device flow behaves. */
export interface DeviceSettings {
  /** Where the user goes (Google: https://www.google.com/device). */
  verificationUrl: string;
  /** Seconds between polls (Google: 5). */
  interval: number;
  /** Seconds a code lives (Google: 1800). */
  codeTtl: number;
}

/** The device codes the imitation handed out, and the polls on them. */
export class DeviceState {
  readonly #codes = new Map<string, DeviceCode>();
  #pendingWaiters: (() => void)[] = [];

  constructor(
    private readonly settings: DeviceSettings,
    private readonly clients: Map<string, GoogleClient>,
    private readonly tokens: TokenState,
  ) {}

  /** POST /device/code. */
  start(request: Request, form: URLSearchParams): Response {
    const client = authenticateClient(request, form, this.clients, { secretRequired: false });
    if (client instanceof Response) return client;
    if (client.type !== "tv") return oauthError(401, "invalid_client", "Invalid client type.");
    const scope = form.get("scope");
    if (!scope) return oauthError(400, "invalid_request", "Missing required parameter: scope");
    const scopes = scope.split(" ").filter(Boolean);
    const refused = scopes.find((name) => !DEVICE_SCOPES.has(name));
    if (refused) return oauthError(400, "invalid_scope", `Invalid device flow scope: ${refused}`);
    const deviceCode = `AH-1Ng${randomText(30)}`;
    const userCode = randomLetters(4) + "-" + randomLetters(4);
    this.#codes.set(deviceCode, {
      userCode,
      client,
      scopes: scopes.map((name) => SCOPE_NAMES[name] ?? name),
      expiresAt: Date.now() + this.settings.codeTtl * 1000,
      used: false,
    });
    return Response.json({
      device_code: deviceCode,
      user_code: userCode,
      expires_in: this.settings.codeTtl,
      interval: this.settings.interval,
      verification_url: this.settings.verificationUrl,
    });
  }

  /** grant_type=urn:ietf:params:oauth:grant-type:device_code, from an authenticated client. */
  async poll(client: GoogleClient, form: URLSearchParams): Promise<Response> {
    const code = this.#codes.get(form.get("device_code") ?? "");
    if (!code || code.used || code.client !== client) {
      return oauthError(400, "invalid_grant", "Malformed auth code.");
    }
    const now = Date.now();
    if (now >= code.expiresAt) return oauthError(400, "expired_token");
    const early = code.lastPoll !== undefined &&
      now - code.lastPoll < this.settings.interval * 1000;
    code.lastPoll = now;
    if (early) return oauthError(403, "slow_down");
    if (code.decision === "denied") return oauthError(403, "access_denied", "Forbidden");
    if (code.decision !== "approved") {
      const waiters = this.#pendingWaiters;
      this.#pendingWaiters = [];
      for (const wake of waiters) wake();
      return oauthError(428, "authorization_pending", "Precondition Required");
    }
    code.used = true;
    const grant = { client, scopes: code.scopes, revoked: false };
    return Response.json(await this.tokens.mint({ grant, offline: true }, true));
  }

  /** The user at the verification URL enters `userCode` and allows (or denies) the access. */
  decide(userCode: string, decision: "approved" | "denied"): void {
    const code = [...this.#codes.values()].find((entry) => entry.userCode === userCode);
    if (!code) throw new Error(`no device code with the user code ${userCode}`);
    code.decision = decision;
  }

  /** Resolves when the next poll is answered authorization_pending. */
  nextPendingPoll(): Promise<void> {
    return new Promise((resolve) => this.#pendingWaiters.push(resolve));
  }
}

/** Upper-case letters without the ones people confuse (Google's codes look like "GQVQ-JKEC"). */
function randomLetters(count: number): string {
  const letters = "BCDFGHJKLMNPQRSTVWXZ";
  return Array.from(
    crypto.getRandomValues(new Uint8Array(count)),
    (byte) => letters[byte % letters.length],
  ).join("");
}
