/**
 * The token side of the GitHub imitation (./github.ts): `POST /login/device/code` and the
 * grants of `POST /login/oauth/access_token` (code exchange, device polling, refresh), with
 * the codes and tokens they hand out. Errors come in HTTP 200 bodies, as GitHub sends them.
 *
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 * @see https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app
 * @see https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
 */

import {
  formatFor,
  githubToken,
  hex,
  type ImitatedApp,
  s256,
  userCode,
  wireAnswer,
  wireError,
} from "./github_wire.ts";

/** One request as the imitation received it (test values only: secrets included). */
export interface ImitatedRequest {
  method: string;
  path: string;
  accept: string | null;
  authorization: string | null;
  params: URLSearchParams;
  /** What the endpoint answered: its status and error code. */
  status?: number;
  error?: string;
  /** The interval a slow_down named. */
  interval?: number;
}

/** Answers in the request's format, noting what was answered on its record. */
export interface Answer {
  ok(body: Record<string, string | number>): Response;
  error(code: string, extra?: Record<string, number>, status?: number): Response;
}

export function answerer(request: Request, record: ImitatedRequest): Answer {
  const format = formatFor(request);
  return {
    ok: (body) => {
      record.status = 200;
      return wireAnswer(format, body);
    },
    error: (code, extra = {}, status = 200) => {
      Object.assign(record, { status, error: code }, extra);
      return wireError(format, code, extra, status);
    },
  };
}

/** An access or refresh token GitHub knows. */
export interface IssuedToken {
  app: ImitatedApp;
  scope: string;
  expiresAt?: number;
  viaDevice: boolean;
  /** The access token a refresh token came with (both end when it is used). */
  access?: string;
}

/** An authorization code, with what its exchange must repeat. */
export interface IssuedCode extends IssuedToken {
  expiresAt: number;
  redirectUri?: string;
  challenge?: string;
}

interface Device {
  app: ImitatedApp;
  userCode: string;
  scope: string;
  interval: number;
  last: number;
  expiresAt: number;
  state: "pending" | "approved" | "denied" | "used";
}

/** What GitHub remembers between requests: codes, device codes, tokens. */
export class GitHubGrants {
  readonly codes = new Map<string, IssuedCode>();
  readonly devices = new Map<string, Device>();
  readonly tokens = new Map<string, IssuedToken>();
  readonly refreshTokens = new Map<string, IssuedToken>();

  constructor(
    readonly apps: ImitatedApp[],
    readonly now: () => number,
    /** The device flow's first interval in seconds (GitHub: 5). */
    readonly interval: number,
  ) {}

  appOf(id: string | null): ImitatedApp | undefined {
    return this.apps.find((app) => app.clientId === id);
  }

  /** The token answer: an OAuth app's never expires; a GitHub App's does, unless opted out. */
  #issue(app: ImitatedApp, scope: string, viaDevice: boolean): Record<string, string | number> {
    const oauthApp = app.kind === "oauth-app";
    const access = githubToken(oauthApp ? "gho_" : "ghu_");
    // GitHub Apps have permissions, not scopes: "This value will always be an empty string".
    const granted = oauthApp ? scope.split(/[\s,]+/).filter(Boolean).join(",") : "";
    if (oauthApp || app.expiring === false) {
      this.tokens.set(access, { app, scope: granted, viaDevice });
      return { access_token: access, token_type: "bearer", scope: granted };
    }
    const refresh = githubToken("ghr_");
    const now = this.now();
    this.tokens.set(access, { app, scope: granted, viaDevice, expiresAt: now + 28800_000 });
    this.refreshTokens.set(refresh, {
      app,
      scope: granted,
      viaDevice,
      access,
      expiresAt: now + 15811200_000,
    });
    return {
      access_token: access,
      expires_in: 28800,
      refresh_token: refresh,
      refresh_token_expires_in: 15811200,
      scope: granted,
      token_type: "bearer",
    };
  }

  async exchangeCode(params: URLSearchParams, answer: Answer): Promise<Response> {
    const app = this.appOf(params.get("client_id"));
    // The web flow's code exchange: client_secret "Required", PKCE or not.
    if (!app || params.get("client_secret") !== app.clientSecret) {
      return answer.error("incorrect_client_credentials");
    }
    const code = this.codes.get(params.get("code") ?? "");
    this.codes.delete(params.get("code") ?? "");
    if (!code || code.app !== app || code.expiresAt <= this.now()) {
      return answer.error("bad_verification_code");
    }
    if (params.has("redirect_uri") && params.get("redirect_uri") !== code.redirectUri) {
      return answer.error("redirect_uri_mismatch");
    }
    const verifier = params.get("code_verifier");
    // GitHub's docs name no PKCE error code; a code that fails its check is a bad code.
    if (code.challenge && (!verifier || await s256(verifier) !== code.challenge)) {
      return answer.error("bad_verification_code");
    }
    return answer.ok(this.#issue(app, code.scope, false));
  }

  deviceCode(params: URLSearchParams, answer: Answer, origin: string): Response {
    const app = this.appOf(params.get("client_id"));
    // Neither is in the docs' tables; `gh`'s library (cli/oauth device/device_flow.go) sees an
    // unknown app as 404 and a disabled device flow as HTTP 400 device_flow_disabled.
    if (!app) return answer.error("Not Found", {}, 404);
    if (!app.deviceFlow) return answer.error("device_flow_disabled", {}, 400);
    const code = hex(40);
    const device: Device = {
      app,
      userCode: userCode(),
      scope: params.get("scope") ?? "",
      interval: this.interval,
      last: this.now(),
      expiresAt: this.now() + 900_000,
      state: "pending",
    };
    this.devices.set(code, device);
    return answer.ok({
      device_code: code,
      user_code: device.userCode,
      verification_uri: `${origin}/login/device`,
      expires_in: 900,
      interval: this.interval,
    });
  }

  pollDevice(params: URLSearchParams, answer: Answer): Response {
    const app = this.appOf(params.get("client_id"));
    if (!app) return answer.error("incorrect_client_credentials");
    if (!app.deviceFlow) return answer.error("device_flow_disabled");
    const device = this.devices.get(params.get("device_code") ?? "");
    if (!device || device.app !== app || device.state === "used") {
      return answer.error("incorrect_device_code");
    }
    const now = this.now();
    if (device.expiresAt <= now) return answer.error("expired_token");
    // "If you make more than one access token request within the required minimum timeframe
    // between requests (or interval), you'll hit the rate limit and receive a slow_down error
    // response. The slow_down error response adds 5 seconds to the last interval."
    const early = now - device.last < device.interval * 1000;
    device.last = now;
    if (early) {
      device.interval += 5;
      return answer.error("slow_down", { interval: device.interval });
    }
    if (device.state === "denied") return answer.error("access_denied");
    if (device.state === "pending") return answer.error("authorization_pending");
    device.state = "used";
    return answer.ok(this.#issue(app, device.scope, true));
  }

  refresh(params: URLSearchParams, answer: Answer): Response {
    const app = this.appOf(params.get("client_id"));
    const given = params.get("refresh_token") ?? "";
    const token = this.refreshTokens.get(given);
    if (!app) return answer.error("incorrect_client_credentials");
    if (!token || token.app !== app || token.expiresAt! <= this.now()) {
      return answer.error("bad_refresh_token");
    }
    // client_secret: "Required unless the user access token was generated using the device flow."
    const secret = params.get("client_secret");
    if ((secret !== null || !token.viaDevice) && secret !== app.clientSecret) {
      return answer.error("incorrect_client_credentials");
    }
    // "Once you use a refresh token, that refresh token and the old user access token will no
    // longer work."
    this.refreshTokens.delete(given);
    this.tokens.delete(token.access!);
    return answer.ok(this.#issue(app, token.scope, token.viaDevice));
  }

  /** The user enters `code` on the verification page, then authorizes or cancels. */
  decide(code: string, state: "approved" | "denied"): void {
    const device = [...this.devices.values()].find((d) =>
      d.userCode === code && d.state === "pending"
    );
    if (!device) throw new Error(`no pending device code ${code}`);
    device.state = state;
  }

  /** The access token's grant if GitHub still accepts it. */
  live(token: string): IssuedToken | undefined {
    const issued = this.tokens.get(token);
    return issued && (issued.expiresAt === undefined || issued.expiresAt > this.now())
      ? issued
      : undefined;
  }

  /** Ends every token of `app` (its authorization was deleted). */
  revoke(app: ImitatedApp): void {
    for (const store of [this.tokens, this.refreshTokens]) {
      for (const [value, token] of store) if (token.app === app) store.delete(value);
    }
  }
}
