/**
 * Durations and expiry in words, for people.
 *
 * @module
 */

/** "1h 5m", "42s", "3d 2h": the two largest units. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const units: [string, number][] = [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]];
  const parts: string[] = [];
  let rest = s;
  for (const [unit, size] of units) {
    if (rest >= size || (unit === "s" && parts.length === 0)) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}

/**
 * "2026-11-27T22:41:00Z" for seconds since the epoch; undefined when the number is no instant
 * a Date can hold (beyond ±8.64e12 s, NaN, infinite), where `toISOString` would throw.
 */
export function isoInstant(seconds: number): string | undefined {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * "expires in 59m 58s (2026-11-27T22:41:00Z)", "expired 3m ago", or "no expiry given".
 * Never throws: a stored expiry no date can hold reads "expires at 1e+25 (out of range)".
 */
export function describeExpiry(expiresAt: number | undefined, now: number): string {
  if (expiresAt === undefined) return "no expiry given by the server";
  const when = isoInstant(expiresAt);
  if (when === undefined) return `expires at ${expiresAt} (out of range)`;
  const left = expiresAt - now;
  return left > 0
    ? `expires in ${formatDuration(left)} (${when})`
    : `expired ${formatDuration(-left)} ago (${when})`;
}
