/**
 * Writes BMP files byte by byte, the way other programs lay them out (Windows Paint, GIMP, Photoshop, old
 * OS/2 tools), so the decoder is tested against the format and not against itself.
 */

export type Rgba = [number, number, number, number];

export interface BmpLayout {
  width: number;
  height: number;
  /** The pixel at (x, y), y = 0 the top row. */
  at: (x: number, y: number) => Rgba;
  bitCount: 1 | 2 | 4 | 8 | 16 | 24 | 32;
  /** 12 (OS/2 core), 40 (BITMAPINFOHEADER), 108 (V4) or 124 (V5). Default 40. */
  headerSize?: 12 | 40 | 108 | 124;
  /** Rows stored top row first (negative height). */
  topDown?: boolean;
  /** Palette for 1-8 bits per pixel; pixels are looked up by exact colour. */
  palette?: Rgba[];
  /** For 16 and 32 bits: BI_BITFIELDS with these masks (alpha only in V4/V5 headers). */
  masks?: { r: number; g: number; b: number; a?: number };
}

const u16 = (v: number) => [v & 255, (v >> 8) & 255];
const u32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];

function header(options: { headerSize: number; width: number; height: number; bitCount: number; compression: number; colours: number; imageSize: number; masks?: BmpLayout['masks'] }): number[] {
  const { headerSize, width, height, bitCount, compression, colours, imageSize, masks } = options;
  if (headerSize === 12) return [...u32(12), ...u16(width), ...u16(height), ...u16(1), ...u16(bitCount)];
  const bytes = [...u32(headerSize), ...u32(width), ...u32(height), ...u16(1), ...u16(bitCount), ...u32(compression), ...u32(imageSize), ...u32(2835), ...u32(2835), ...u32(colours), ...u32(0)];
  if (headerSize === 40) return masks ? [...bytes, ...u32(masks.r), ...u32(masks.g), ...u32(masks.b)] : bytes;
  const m = masks ?? { r: 0, g: 0, b: 0, a: 0 };
  bytes.push(...u32(m.r), ...u32(m.g), ...u32(m.b), ...u32(m.a ?? 0), ...u32(0x73524742)); // 'sRGB'
  while (bytes.length < headerSize) bytes.push(0);
  return bytes;
}

function packMasked(value: number, mask: number): number {
  if (mask === 0) return 0;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const max = mask >>> shift;
  return (Math.round((value * max) / 255) << shift) >>> 0;
}

function file(options: { dib: number[]; palette: number[]; pixels: number[] }): Buffer {
  const offset = 14 + options.dib.length + options.palette.length;
  const size = offset + options.pixels.length;
  return Buffer.from([0x42, 0x4d, ...u32(size), 0, 0, 0, 0, ...u32(offset), ...options.dib, ...options.palette, ...options.pixels]);
}

function paletteBytes(palette: Rgba[], entry: 3 | 4): number[] {
  return palette.flatMap(([r, g, b]) => (entry === 3 ? [b, g, r] : [b, g, r, 0]));
}

function indexOf(palette: Rgba[], colour: Rgba): number {
  const i = palette.findIndex((p) => p[0] === colour[0] && p[1] === colour[1] && p[2] === colour[2]);
  if (i < 0) throw new Error(`bmpFiles: colour ${colour.join(',')} is not in the palette`);
  return i;
}

/** An uncompressed BMP (BI_RGB, or BI_BITFIELDS when `masks` is given). */
export function encodeBmp(layout: BmpLayout): Buffer {
  const { width, height, at, bitCount, headerSize = 40, topDown = false, palette = [], masks } = layout;
  const stride = Math.floor((bitCount * width + 31) / 32) * 4;
  const pixels: number[] = [];
  for (let row = 0; row < height; row++) {
    const y = topDown ? row : height - 1 - row;
    const line = new Array<number>(stride).fill(0);
    for (let x = 0; x < width; x++) {
      const c = at(x, y);
      if (bitCount <= 8) {
        const bit = x * bitCount;
        line[bit >> 3] |= indexOf(palette, c) << (8 - bitCount - (bit & 7));
      } else if (bitCount === 24 || (bitCount === 32 && !masks)) {
        line.splice(x * (bitCount / 8), 3, c[2], c[1], c[0]);
      } else {
        const m = masks ?? { r: 0x7c00, g: 0x03e0, b: 0x001f };
        const value = (packMasked(c[0], m.r) | packMasked(c[1], m.g) | packMasked(c[2], m.b) | packMasked(c[3], m.a ?? 0)) >>> 0;
        line.splice(x * (bitCount / 8), bitCount / 8, ...(bitCount === 16 ? u16(value) : u32(value)));
      }
    }
    pixels.push(...line);
  }
  const dib = header({ headerSize, width, height: topDown ? -height : height, bitCount, compression: masks ? 3 : 0, colours: bitCount <= 8 ? palette.length : 0, imageSize: pixels.length, masks });
  return file({ dib, palette: paletteBytes(palette, headerSize === 12 ? 3 : 4), pixels });
}

/** An RLE8 or RLE4 BMP (40-byte header) whose compressed stream is given as is. */
export function encodeRleBmp(options: { width: number; height: number; bitCount: 4 | 8; palette: Rgba[]; stream: number[] }): Buffer {
  const { width, height, bitCount, palette, stream } = options;
  const dib = header({ headerSize: 40, width, height, bitCount, compression: bitCount === 8 ? 1 : 2, colours: palette.length, imageSize: stream.length });
  return file({ dib, palette: paletteBytes(palette, 4), pixels: stream });
}

/** A BMP header with its own compression / bit-depth values and no valid pixels (for refusals). */
export function encodeBmpHeaderOnly(options: { width: number; height: number; bitCount: number; compression: number }): Buffer {
  const dib = header({ headerSize: 40, ...options, colours: 0, imageSize: 0 });
  return file({ dib, palette: [], pixels: [0, 0, 0, 0] });
}
