/**
 * Claims for people: aligned columns, times as ISO plus "in 5m" / "3m ago", and text from
 * tokens or servers made safe for a terminal (control characters escaped, length bounded).
 * Used by `whoami`, `inspect` and `decode`.
 *
 * @module
 */

import { formatDuration } from "./time_text.ts";
import { safeText } from "../flows/protocol/safe_text.ts";

/** Claims holding seconds since the epoch. */
export const TIME_CLAIMS: ReadonlySet<string> = new Set([
  "exp",
  "iat",
  "nbf",
  "auth_time",
  "updated_at",
]);

/** "2026-11-27T22:41:00Z (in 59m 58s)" or "... (3m ago)"; `now` in seconds. */
export function describeInstant(seconds: number, now: number): string {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return String(seconds);
  const iso = date.toISOString().replace(/\.\d{3}Z$/, "Z");
  const delta = seconds - now;
  if (delta === 0) return `${iso} (now)`;
  return delta > 0
    ? `${iso} (in ${formatDuration(delta)})`
    : `${iso} (${formatDuration(-delta)} ago)`;
}

/** One claim's value as text: times readable, lists joined, objects as JSON. */
export function claimText(name: string, value: unknown, now: number): string {
  if (TIME_CLAIMS.has(name) && typeof value === "number") return describeInstant(value, now);
  if (typeof value === "string") return safeText(value);
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
    return safeText(value.join(", "));
  }
  return safeText(JSON.stringify(value) ?? String(value));
}

/** Rows as aligned columns (two spaces apart), each line prefixed with `indent`. */
export function table(rows: readonly (readonly string[])[], indent = ""): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  }
  return rows.map((row) =>
    indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join("  ").trimEnd()
  ).join("\n") + "\n";
}
