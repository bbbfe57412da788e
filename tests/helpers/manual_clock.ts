/**
 * A clock and a sleep that move only when the test says: `advance(ms)` wakes, in order,
 * every sleep due by then, and lets each sleeper run before the next one wakes.
 */

interface Sleeper {
  at: number;
  wake: () => void;
}

/** A {@linkcode WaitClock} (cli/spinner.ts) the test drives. */
export interface ManualClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Moves time forward by `ms`, waking every sleep due on the way. */
  advance(ms: number): Promise<void>;
  /** How many sleeps are waiting now. */
  readonly sleeping: number;
}

/** A manual clock starting at `start` (milliseconds since the epoch). */
export function manualClock(start = Date.UTC(2026, 10, 30, 12)): ManualClock {
  let now = start;
  const sleepers = new Set<Sleeper>();
  // The sleepers' code runs on promise jobs; a task queued after them runs once they are done.
  const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
  return {
    now: () => now,
    sleep(ms, signal) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const sleeper: Sleeper = {
          at: now + ms,
          wake: () => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          sleepers.delete(sleeper);
          reject(signal!.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        sleepers.add(sleeper);
      });
    },
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...sleepers].filter((s) => s.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        sleepers.delete(due);
        now = due.at;
        due.wake();
        await settle();
      }
      now = end;
      await settle();
    },
    get sleeping() {
      return sleepers.size;
    },
  };
}
