/**
 * What flows receive instead of touching the runtime: network, clock, timers, cancellation.
 * Production wires the real ones; tests drive time and the network through them.
 *
 * @module
 */

/** A cache for provider metadata (discovery documents), kept by the caller. */
export interface MetadataCache {
  /** The cached value for `key`, or undefined when absent or too old. */
  get(key: string): Promise<unknown | undefined>;
  /** Stores `value` for `key`. */
  set(key: string, value: unknown): Promise<void>;
}

/** Everything a flow may need from the outside world. All optional. */
export interface FlowDependencies {
  /** The fetch to use (default: globalThis.fetch, which honours HTTPS_PROXY and NO_PROXY). */
  fetch?: typeof fetch;
  /** Per-request timeout in milliseconds (default 30 000). */
  timeoutMs?: number;
  /** Aborts everything the flow is doing (Ctrl-C). */
  signal?: AbortSignal;
  /** Current time in milliseconds since the epoch. */
  now?: () => number;
  /** Waits `ms` milliseconds, rejecting early when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Where discovery documents are cached between runs. */
  metadataCache?: MetadataCache;
}

/** The real clock, in milliseconds. */
export const defaultNow = (): number => Date.now();

/** Waits `ms`, rejecting with the signal's reason as soon as it aborts. */
export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
