// A small RGBA canvas for charts, written to PNG with Node's own zlib: lines, rectangles and
// text in a 5x7 bitmap font (upper case, digits, common punctuation). No native code, no
// browser: enough to draw Prometheus time series for the README.
import zlib from 'node:zlib';

// 5x7 glyphs, one string of 7 rows per character; '#' is ink.
const GLYPHS = {
  A: ' ### #   ##   #######   ##   ##   #', B: '#### #   ##   ##### #   ##   ##### ', C: ' ### #   ##    #    #    #   # ### ',
  D: '#### #   ##   ##   ##   ##   ##### ', E: '######    #    #### #    #    #####', F: '######    #    #### #    #    #    ',
  G: ' ### #   ##    # ####   ##   # ####', H: '#   ##   ##   #######   ##   ##   #', I: ' ###   #    #    #    #    #   ### ',
  J: '  ###   #    #    #    ##   # ##  ', K: '#   ##  # # #  ##   # #  #  # #   #', L: '#    #    #    #    #    #    #####',
  M: '#   ### ### # ##   ##   ##   ##   #', N: '#   ###  ## # ##  ###   ##   ##   #', O: ' ### #   ##   ##   ##   ##   # ### ',
  P: '#### #   ##   ##### #    #    #    ', Q: ' ### #   ##   ##   ## # ##  #  ## #', R: '#### #   ##   ##### # #  #  # #   #',
  S: ' #####    #     ###     #    ##### ', T: '#####  #    #    #    #    #    #  ', U: '#   ##   ##   ##   ##   ##   # ### ',
  V: '#   ##   ##   ##   ##   # # #   #  ', W: '#   ##   ##   ## # ## # ## # # # # ', X: '#   ##   # # #   #   # # #   ##   #',
  Y: '#   ##   # # #   #    #    #    #  ', Z: '#####    #   #   #   #   #    #####',
  0: ' ### #   ##  ### # ###  ##   # ### ', 1: '  #   ##    #    #    #    #   ### ', 2: ' ### #   #    #   #   #   #   #####',
  3: '#####   #   #     #     ##   # ### ', 4: '   #   ##  # # #  # #####   #    # ', 5: '######    ####     #    ##   # ### ',
  6: '  ##  #   #    #### #   ##   # ### ', 7: '#####    #   #   #   #    #    #   ', 8: ' ### #   ##   # ### #   ##   # ### ',
  9: ' ### #   ##   # ####    #   #  ##  ', ' ': '                                   ', '.': '                          ##   ##  ',
  ',': '                          ##   #  ', ':': '      ##   ##         ##   ##       ', '/': '         #   #   #   #   #         ',
  '%': '##   ##  #   #   #   #   #  ##   ##', '-': '               #####               ', '(': '   #   #   #    #    #     #     # ',
  ')': ' #     #     #    #    #   #   #   ', _: '                              #####', '<': '    #   #   #   #     #     #     #',
  '>': '#     #     #     #   #   #   #    ', '=': '          #####     #####          ', '+': '       #    #  #####  #    #       ',
  '[': ' ###  #    #    #    #    #    ### ', ']': ' ###    #    #    #    #    #  ### ', "'": '  #    #                            ',
  '?': ' ### #   #    #   #   #         #  ', '#': ' # #  # # ##### # # ##### # #  # # ', '*': '       # #  ###  #####  ###  # #   ',
  '|': '  #    #    #    #    #    #    #  ', '!': '  #    #    #    #    #         #  ', '"': ' # #  # #                          ',
  '{': '   #   #    #   #     #    #     # ', '}': ' #     #    #     #   #    #   #   ', '~': '          #   # # #   #            ',
};

export class Canvas {
  constructor(width, height, background = [255, 255, 255]) {
    this.width = width;
    this.height = height;
    this.data = Buffer.alloc(width * height * 4);
    this.fillRect(0, 0, width, height, background);
  }

  pixel(x, y, [r, g, b], alpha = 1) {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 4;
    this.data[i] = Math.round(this.data[i] * (1 - alpha) + r * alpha);
    this.data[i + 1] = Math.round(this.data[i + 1] * (1 - alpha) + g * alpha);
    this.data[i + 2] = Math.round(this.data[i + 2] * (1 - alpha) + b * alpha);
    this.data[i + 3] = 255;
  }

  fillRect(x, y, w, h, color) {
    for (let j = Math.max(0, Math.round(y)); j < Math.min(this.height, Math.round(y + h)); j++) for (let i = Math.max(0, Math.round(x)); i < Math.min(this.width, Math.round(x + w)); i++) this.pixel(i, j, color);
  }

  /** A line `width` pixels thick (a square brush along the segment). */
  line(x0, y0, x1, y1, color, width = 1) {
    const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0)));
    const r = (width - 1) / 2;
    for (let s = 0; s <= steps; s++) {
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) this.pixel(x + dx, y + dy, color);
    }
  }

  /** Text in the 5x7 font at `scale` (upper-cased; unknown characters as '?'); returns its width. */
  text(x, y, text, color, scale = 1) {
    let cx = x;
    for (const ch of String(text).toUpperCase()) {
      const glyph = GLYPHS[ch] ?? GLYPHS['?'];
      for (let row = 0; row < 7; row++) for (let col = 0; col < 5; col++) if (glyph[row * 5 + col] === '#') this.fillRect(cx + col * scale, y + row * scale, scale, scale, color);
      cx += 6 * scale;
    }
    return cx - x;
  }

  static textWidth(text, scale = 1) {
    return String(text).length * 6 * scale;
  }

  toPng() {
    const raw = Buffer.alloc((this.width * 4 + 1) * this.height);
    for (let y = 0; y < this.height; y++) {
      raw[y * (this.width * 4 + 1)] = 0; // filter: none
      this.data.copy(raw, y * (this.width * 4 + 1) + 1, y * this.width * 4, (y + 1) * this.width * 4);
    }
    const chunk = (type, body) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(body.length);
      const typed = Buffer.concat([Buffer.from(type, 'ascii'), body]);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(zlib.crc32(typed));
      return Buffer.concat([length, typed, crc]);
    };
    const header = Buffer.alloc(13);
    header.writeUInt32BE(this.width, 0);
    header.writeUInt32BE(this.height, 4);
    header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
  }
}
