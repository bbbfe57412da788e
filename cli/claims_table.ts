/**
 * Claims for people: aligned columns, times as ISO plus "in 5m" / "3m ago", and text from
 * tokens or servers made safe for a terminal (names and values: control and format characters
 * escaped, length bounded).
 * Used by `whoami`, `inspect` and `decode`.
 *
 * @module
 */

import { formatDuration, isoInstant } from "./time_text.ts";
import { safeText } from "../flows/protocol/safe_text.ts";

/** Claims holding seconds since the epoch. */
export const TIME_CLAIMS: ReadonlySet<string> = new Set([
  "exp",
  "iat",
  "nbf",
  "auth_time",
  "updated_at",
]);

/**
 * "2026-11-27T22:41:00Z (in 59m 58s)" or "... (3m ago)"; `now` in seconds. Never throws: a
 * number no date can hold reads "1e+20 (out of range)".
 */
export function describeInstant(seconds: number, now: number): string {
  const iso = isoInstant(seconds);
  if (iso === undefined) return `${seconds} (out of range)`;
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

/**
 * Rows of a claims table: each name (from a token or a server, so escaped like its value, and
 * bounded) beside {@linkcode claimText} of its value.
 */
export function claimRows(
  claims: Record<string, unknown>,
  now: number,
  names: readonly string[] = Object.keys(claims),
): string[][] {
  return names.map((name) => [claimName(name), claimText(name, claims[name], now)]);
}

/** A claim or field name, made safe to show (control and format characters escaped). */
export function claimName(name: string): string {
  return safeText(name, 80);
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
