/**
 * Device polls paced as RFC 8628 §3.5 says and oidc-provider does not: the device
 * authorization response gets an `interval`, and a poll that comes too early gets `slow_down`
 * and raises that code's interval by 5 s. The only place that reaches into oidc-provider's
 * internals: it keeps its grant handlers in a private per-instance store, and reading it is
 * the only way to answer before the built-in device_code handler runs.
 *
 * @module
 */

import { errors } from "oidc-provider";
import providerInternals from "oidc-provider/lib/helpers/weak_cache.js";
import { GRANT_DEVICE_CODE } from "./_constants.ts";
import type { OidcKoaContext, Provider } from "./_provider_api.ts";
import { stringParam } from "./_requests.ts";

/** Polls this much earlier than the interval still count as in time (timer jitter). */
const POLL_TOLERANCE_MS = 50;

/** How device polls are paced. */
export interface DevicePacing {
  /** The `interval` (seconds) sent in device authorization responses. */
  interval: number;
  /** Device code lifetime in seconds. */
  deviceCodeTtl: number;
  /** The clock in milliseconds. */
  pollClock: () => number;
  /** Counts an event (here: "slow_down"). */
  count: (key: string) => void;
}

/**
 * Wraps `provider`'s device_code grant; returns what to call with every successful device
 * authorization response body (it adds `interval` and starts pacing that code).
 */
export function paceDevicePolls(
  provider: Provider,
  { interval: deviceInterval, deviceCodeTtl, pollClock, count }: DevicePacing,
): (body: Record<string, unknown>) => void {
  /** Per device_code: the interval in force and when it was last polled. */
  const devicePolls = new Map<
    string,
    { interval: number; lastPoll: number | undefined; expires: number }
  >();
  const internals = providerInternals(provider) as {
    grantTypeHandlers: Map<string, (ctx: OidcKoaContext) => Promise<void>>;
  };
  const deviceCodeHandler = internals.grantTypeHandlers.get(GRANT_DEVICE_CODE);
  if (!deviceCodeHandler) throw new Error("oidc-provider has no device_code grant handler");
  internals.grantTypeHandlers.set(GRANT_DEVICE_CODE, async (ctx) => {
    const deviceCode = stringParam(ctx.oidc.params, "device_code");
    const state = deviceCode === undefined ? undefined : devicePolls.get(deviceCode);
    if (deviceCode !== undefined && state) {
      const now = pollClock();
      const early = state.lastPoll !== undefined &&
        now - state.lastPoll < state.interval * 1000 - POLL_TOLERANCE_MS;
      state.lastPoll = now;
      if (early) {
        state.interval += 5;
        count("slow_down");
        throw new errors.SlowDown();
      }
    }
    try {
      await deviceCodeHandler(ctx);
      if (deviceCode !== undefined) devicePolls.delete(deviceCode);
    } catch (error) {
      if (
        deviceCode !== undefined && (error as { error?: string }).error !== "authorization_pending"
      ) {
        devicePolls.delete(deviceCode);
      }
      throw error;
    }
  });
  return (body) => {
    if (typeof body.device_code !== "string") return;
    body.interval = deviceInterval;
    const now = pollClock();
    for (const [code, state] of devicePolls) {
      if (state.expires < now) devicePolls.delete(code);
    }
    devicePolls.set(body.device_code, {
      interval: deviceInterval,
      lastPoll: undefined,
      expires: now + deviceCodeTtl * 1000,
    });
  };
}
