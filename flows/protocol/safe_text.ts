/**
 * Text that comes from a server or a token, made safe to show in a terminal.
 *
 * @module
 */

/**
 * Escapes control characters (so escape sequences cannot rewrite what the user sees) and
 * bounds the length. Use it on every server-sent string that reaches a message or the screen.
 */
export function safeText(value: string, maxLength = 300): string {
  const text = value.length > maxLength ? `${value.slice(0, maxLength)}…` : value;
  // deno-lint-ignore no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => JSON.stringify(c).slice(1, -1));
}
