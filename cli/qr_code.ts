/**
 * A QR code for the terminal, two modules a character (upper and lower half blocks), so that
 * a phone can read it on a light or a dark background.
 *
 * A scanner needs dark modules on a light ground, and a light margin around them: the quiet
 * zone, four modules wide (ISO/IEC 18004:2015 §9.1). Block characters are drawn in the
 * terminal's foreground colour, which is light on a dark theme and dark on a light one, so
 * plain characters read right on one of them only. Where colour is allowed the code is
 * drawn black on white whatever the theme; where it is not (NO_COLOR, TERM=dumb) it is drawn
 * for a dark background, the more common one for terminals, where it reads as on paper.
 *
 * @module
 */

import { encode } from "uqr";

/** The light margin around the code, in modules (ISO/IEC 18004:2015 §9.1). */
export const QUIET_ZONE_MODULES = 4;

/** How the code is drawn: `color` for black on white, else for a dark background. */
export interface QrCodeOptions {
  color: boolean;
}

/** Black foreground on a white background (ECMA-48 §8.3.117: 30 black text, 47 white ground). */
const BLACK_ON_WHITE = "\x1b[30;47m";
const RESET = "\x1b[0m";

/** A QR code ready to print: its lines, each `width` columns wide, quiet zone included. */
export interface TerminalQrCode {
  lines: string[];
  width: number;
}

/** The QR code of `text` for the terminal. */
export function qrCode(text: string, options: QrCodeOptions): TerminalQrCode {
  // true: a dark module. The quiet zone is light.
  const { data } = encode(text, { border: QUIET_ZONE_MODULES, ecc: "L" });
  const size = data.length;
  const dark = (row: number, col: number) => data[row]?.[col] === true; // past the end: light
  // The characters' foreground draws dark modules (black on white) or light ones (plain).
  const inked = options.color
    ? (row: number, col: number) => dark(row, col)
    : (row: number, col: number) => row < size && !dark(row, col);
  const lines: string[] = [];
  for (let row = 0; row < size; row += 2) {
    let line = "";
    for (let col = 0; col < size; col++) {
      const top = inked(row, col);
      const bottom = inked(row + 1, col);
      line += top && bottom ? "█" : top ? "▀" : bottom ? "▄" : " ";
    }
    lines.push(options.color ? `${BLACK_ON_WHITE}${line}${RESET}` : line);
  }
  return { lines, width: size };
}
