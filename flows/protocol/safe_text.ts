/**
 * Text that comes from a server or a token, made safe to show in a terminal.
 *
 * @module
 */

/**
 * What never reaches a terminal as itself: control characters (C0, DEL, C1: escape sequences
 * could rewrite what the user sees), format characters (Unicode category Cf: the bidi
 * embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069, the marks
 * U+200E/U+200F and U+061C, zero-width characters, the BOM, tag characters: they reorder or
 * hide text, so that what is shown is not what is there), the line and paragraph separators
 * U+2028/U+2029, and lone surrogates.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\u2028\u2029]|\p{Cs}/gu;

/** `\n`, `\u001b`, `\u202e`, `\u{e0041}`: JSON's escapes, and ES2015's above U+FFFF. */
function escape(c: string): string {
  const code = c.codePointAt(0)!;
  if (code < 0x20) return JSON.stringify(c).slice(1, -1);
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * Escapes control and invisible format characters (so escape sequences cannot rewrite what
 * the user sees, and bidi overrides cannot reorder it) and bounds the length. Use it on every
 * server-sent string that reaches a message or the screen, names as well as values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { safeText } from "./safe_text.ts";
 *
 * assert.equal(safeText("evil\x1b[2J"), "evil\\u001b[2J");
 * assert.equal(safeText("txt.\u202eexe"), "txt.\\u202eexe");
 * assert.equal(safeText("Zoë 山田"), "Zoë 山田");
 * ```
 */
export function safeText(value: string, maxLength = 300): string {
  const text = value.length > maxLength ? `${value.slice(0, maxLength)}…` : value;
  return text.replace(UNSAFE, escape);
}

/** What JSON.stringify leaves raw but a terminal must not see: DEL, C1, format characters. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\p{Cf}\u2028\u2029]/gu;

/**
 * `JSON.stringify`, with every character {@linkcode safeText} escapes written as a JSON escape
 * (`\u202e`): the same JSON to a parser, but safe to show in a terminal. JSON.stringify already
 * escapes C0 controls and lone surrogates; DEL, C1 controls and format characters (bidi
 * overrides) are legal raw in JSON, and they can only occur inside strings, where an escape
 * means the same character.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { safeJson } from "./safe_text.ts";
 *
 * const text = safeJson({ "na\u202eme": "\x1b[2J" });
 * assert.equal(text, '{"na\\u202eme":"\\u001b[2J"}');
 * assert.deepEqual(JSON.parse(text), { "na\u202eme": "\x1b[2J" });
 * ```
 */
export function safeJson(value: unknown, space?: number): string {
  const text = JSON.stringify(value, null, space) ?? String(value);
  return text.replace(UNSAFE_IN_JSON, (c) => {
    const code = c.codePointAt(0)!;
    // JSON has no \u{...}: a character above U+FFFF is written as its surrogate pair.
    return code > 0xffff
      ? c.split("").map((unit) => `\\u${unit.charCodeAt(0).toString(16)}`).join("")
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
