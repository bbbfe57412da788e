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

/** "expires in 59m 58s (2026-11-27T22:41:00Z)", "expired 3m ago", or "no expiry given". */
export function describeExpiry(expiresAt: number | undefined, now: number): string {
  if (expiresAt === undefined) return "no expiry given by the server";
  const when = new Date(expiresAt * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const left = expiresAt - now;
  return left > 0
    ? `expires in ${formatDuration(left)} (${when})`
    : `expired ${formatDuration(-left)} ago (${when})`;
}
