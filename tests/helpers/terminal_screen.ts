/**
 * What a person would see: terminal text (with its colour sequences) painted into a bitmap
 * with a light or a dark colour theme, and a QR code read from that bitmap the way a phone
 * reads a screen (jsQR, not told to try the code inverted).
 */

import * as jsqr from "jsqr";

// jsqr is CommonJS with a declared default export; Deno types that default as the whole
// module, while at run time it is the function the declaration describes.
type Decode = (
  data: Uint8ClampedArray,
  width: number,
  height: number,
  options?: jsqr.Options,
) => jsqr.QRCode | null;
const jsQR = jsqr.default as unknown as Decode;

type Rgb = readonly [number, number, number];

/** A terminal colour theme: its default colours and the eight ANSI colours (30-37, 40-47). */
export interface Theme {
  name: string;
  foreground: Rgb;
  background: Rgb;
  /** black, red, green, yellow, blue, magenta, cyan, white */
  ansi: readonly Rgb[];
}

const ANSI_COMMON: readonly Rgb[] = [
  [0, 0, 0],
  [205, 49, 49],
  [13, 188, 121],
  [229, 229, 16],
  [36, 114, 200],
  [188, 63, 188],
  [17, 168, 205],
  [229, 229, 229],
];

/** Light text on a near-black ground (most terminals' default). */
export const DARK_THEME: Theme = {
  name: "dark",
  foreground: [204, 204, 204],
  background: [30, 30, 30],
  ansi: ANSI_COMMON,
};

/** Dark text on white (macOS Terminal's "Basic", many light themes). */
export const LIGHT_THEME: Theme = {
  name: "light",
  foreground: [30, 30, 30],
  background: [255, 255, 255],
  ansi: ANSI_COMMON,
};

/** An RGBA bitmap. */
export interface Bitmap {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** Pixels per character cell: terminal cells are about twice as tall as they are wide. */
const CELL_WIDTH = 4;
const CELL_HEIGHT = 8;
/** Blank cells of terminal ground around the text, as around any output on a screen. */
const MARGIN_CELLS = 3;

// deno-lint-ignore no-control-regex
const ESCAPE = /\x1b\[([0-9;?]*)([A-Za-z])/y;

/**
 * Paints `lines` as `theme` shows them: the text's SGR colours (30-37, 39, 40-47, 49, 7, 27,
 * 0) apply; full, upper and lower half blocks paint the foreground; any other character
 * paints only the ground (enough for block drawings such as QR codes).
 */
export function paintLines(lines: string[], theme: Theme): Bitmap {
  const cells = lines.map((line) => cellsOf(line, theme));
  const columns = Math.max(0, ...cells.map((row) => row.length)) + 2 * MARGIN_CELLS;
  const rows = cells.length + 2 * MARGIN_CELLS;
  const width = columns * CELL_WIDTH;
  const height = rows * CELL_HEIGHT;
  const data = new Uint8ClampedArray(width * height * 4);
  const paint = (x0: number, y0: number, w: number, h: number, [r, g, b]: Rgb) => {
    for (let y = y0; y < y0 + h; y++) {
      for (let x = x0; x < x0 + w; x++) data.set([r, g, b, 255], (y * width + x) * 4);
    }
  };
  paint(0, 0, width, height, theme.background);
  cells.forEach((row, r) =>
    row.forEach((cell, c) => {
      const x = (c + MARGIN_CELLS) * CELL_WIDTH;
      const y = (r + MARGIN_CELLS) * CELL_HEIGHT;
      const half = CELL_HEIGHT / 2;
      const top = cell.char === "█" || cell.char === "▀" ? cell.fg : cell.bg;
      const bottom = cell.char === "█" || cell.char === "▄" ? cell.fg : cell.bg;
      paint(x, y, CELL_WIDTH, half, top);
      paint(x, y + half, CELL_WIDTH, half, bottom);
    })
  );
  return { data, width, height };
}

interface Cell {
  char: string;
  fg: Rgb;
  bg: Rgb;
}

function cellsOf(line: string, theme: Theme): Cell[] {
  let fg: Rgb | undefined;
  let bg: Rgb | undefined;
  let inverse = false;
  const cells: Cell[] = [];
  for (let i = 0; i < line.length;) {
    ESCAPE.lastIndex = i;
    const escape = ESCAPE.exec(line);
    if (escape) {
      i = ESCAPE.lastIndex;
      if (escape[2] !== "m") continue; // not a colour: draws nothing
      for (const code of (escape[1] || "0").split(";").map(Number)) {
        if (code === 0) [fg, bg, inverse] = [undefined, undefined, false];
        else if (code >= 30 && code <= 37) fg = theme.ansi[code - 30];
        else if (code === 39) fg = undefined;
        else if (code >= 40 && code <= 47) bg = theme.ansi[code - 40];
        else if (code === 49) bg = undefined;
        else if (code === 7) inverse = true;
        else if (code === 27) inverse = false;
      }
      continue;
    }
    const char = String.fromCodePoint(line.codePointAt(i)!);
    i += char.length;
    const front = fg ?? theme.foreground;
    const back = bg ?? theme.background;
    cells.push(inverse ? { char, fg: back, bg: front } : { char, fg: front, bg: back });
  }
  return cells;
}

/** The text of the QR code in `lines` as a phone would read it on `theme`, or undefined. */
export function readQrCode(lines: string[], theme: Theme): string | undefined {
  const { data, width, height } = paintLines(lines, theme);
  return jsQR(data, width, height, { inversionAttempts: "dontInvert" })?.data;
}
