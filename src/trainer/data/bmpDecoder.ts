/**
 * A decoder for Windows BMP files, which sharp (libvips) cannot read: every header version (OS/2 core,
 * BITMAPINFOHEADER, V2-V5), 1/2/4/8-bit palettes, 16/24/32-bit pixels (default layouts and bit fields,
 * alpha when a mask names it), RLE4 and RLE8, bottom-up and top-down rows. Pure: bytes in, RGB (or RGBA) out.
 */

/** A BMP file that cannot be decoded; `reason` says why without naming the file. */
export class BmpDecodeError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'BmpDecodeError';
  }
}

export interface DecodedBmp {
  width: number;
  height: number;
  /** 4 (RGBA) when the file has an alpha mask, else 3 (RGB): a large opaque BMP needs no alpha bytes. */
  channels: 3 | 4;
  /** width * height * channels bytes, top row first. */
  pixels: Uint8Array;
}

const FILE_HEADER = 14;
const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_JPEG = 4;
const BI_PNG = 5;
const BI_ALPHABITFIELDS = 6;

/** True when `bytes` starts like a BMP file ("BM"). */
export function looksLikeBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

interface Channel {
  mask: number;
  shift: number;
  max: number;
}

function channel(mask: number): Channel {
  const m = mask >>> 0;
  if (m === 0) return { mask: 0, shift: 0, max: 0 };
  let shift = 0;
  while (((m >>> shift) & 1) === 0) shift++;
  return { mask: m, shift, max: m >>> shift };
}

function read(c: Channel, value: number, otherwise: number): number {
  if (c.max === 0) return otherwise;
  return Math.round((((value & c.mask) >>> c.shift) * 255) / c.max);
}

interface Header {
  width: number;
  height: number;
  topDown: boolean;
  bitCount: number;
  compression: number;
  /** Offset of the palette, its entry size (3 for OS/2 core headers, else 4) and count. */
  paletteOffset: number;
  paletteEntry: number;
  colours: number;
  masks: { r: number; g: number; b: number; a: number } | null;
  pixelOffset: number;
}

function parseHeader(view: DataView, maxPixels: number): Header {
  if (view.byteLength < FILE_HEADER + 12) throw new BmpDecodeError('the file is cut short (truncated): it ends inside the BMP header');
  const pixelOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (headerSize < 12 || (headerSize > 12 && headerSize < 16) || FILE_HEADER + headerSize > view.byteLength) {
    throw new BmpDecodeError(headerSize < 12 ? `the BMP header size ${headerSize} is not valid` : 'the file is cut short (truncated): it ends inside the BMP header');
  }
  const core = headerSize === 12;
  const width = core ? view.getUint16(18, true) : view.getInt32(18, true);
  const rawHeight = core ? view.getUint16(20, true) : view.getInt32(22, true);
  const bitCount = view.getUint16(core ? 24 : 28, true);
  const compression = core || headerSize < 20 ? BI_RGB : view.getUint32(30, true);
  const coloursUsed = headerSize >= 36 ? view.getUint32(46, true) : 0;
  if (width <= 0 || rawHeight === 0 || rawHeight === -2147483648) throw new BmpDecodeError(`its size ${width} x ${rawHeight} is not valid`);
  const height = Math.abs(rawHeight);
  if (width * height > maxPixels) throw new BmpDecodeError('it has too many pixels (more than 16384 x 16384): shrink it first');
  if (compression === BI_JPEG || compression === BI_PNG) {
    throw new BmpDecodeError(`it is a BMP with a ${compression === BI_JPEG ? 'JPEG' : 'PNG'} image inside, which is not supported: save it as a plain JPEG or PNG`);
  }
  const known = [BI_RGB, BI_RLE8, BI_RLE4, BI_BITFIELDS, BI_ALPHABITFIELDS];
  if (!known.includes(compression)) throw new BmpDecodeError(`its BMP compression type ${compression} is not supported: convert it to PNG or JPEG`);
  if (![1, 2, 4, 8, 16, 24, 32].includes(bitCount)) throw new BmpDecodeError(`its BMP bit depth ${bitCount} is not supported: convert it to PNG or JPEG`);
  if ((compression === BI_RLE8 && bitCount !== 8) || (compression === BI_RLE4 && bitCount !== 4)) {
    throw new BmpDecodeError(`its BMP header is inconsistent (RLE${compression === BI_RLE8 ? 8 : 4} with ${bitCount} bits per pixel)`);
  }
  if ((compression === BI_RLE8 || compression === BI_RLE4) && rawHeight < 0) throw new BmpDecodeError('its BMP header is inconsistent (a compressed image stored top-down)');

  let masks: Header['masks'] = null;
  let afterHeader = FILE_HEADER + headerSize;
  if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
    if (bitCount !== 16 && bitCount !== 32) throw new BmpDecodeError(`its BMP header is inconsistent (bit fields with ${bitCount} bits per pixel)`);
    // The masks follow a 40-byte header (3, or 4 with an alpha mask); larger headers hold them.
    const inHeader = headerSize >= 52;
    const count = compression === BI_ALPHABITFIELDS || headerSize >= 56 ? 4 : 3;
    if (!inHeader) afterHeader += count * 4;
    if (54 + count * 4 > view.byteLength) throw new BmpDecodeError('the file is cut short (truncated): it ends inside the BMP colour masks');
    masks = { r: view.getUint32(54, true), g: view.getUint32(58, true), b: view.getUint32(62, true), a: count === 4 ? view.getUint32(66, true) : 0 };
  } else if (bitCount === 16) {
    masks = { r: 0x7c00, g: 0x03e0, b: 0x001f, a: 0 };
  }
  const colours = bitCount <= 8 ? (coloursUsed > 0 && coloursUsed < 1 << bitCount ? coloursUsed : 1 << bitCount) : 0;
  return {
    width,
    height,
    topDown: rawHeight < 0,
    bitCount,
    compression,
    paletteOffset: afterHeader,
    paletteEntry: core ? 3 : 4,
    colours,
    masks,
    pixelOffset,
  };
}

/** Where decoded pixels go (RLE images have palettes, so never an alpha channel). */
type Output = Pick<DecodedBmp, 'channels' | 'pixels'>;

function readPalette(bytes: Uint8Array, header: Header): Uint8Array {
  const { paletteOffset, paletteEntry } = header;
  // Some writers leave the palette shorter than the header says: take the entries that are there.
  const available = Math.max(0, Math.floor((Math.min(header.pixelOffset, bytes.length) - paletteOffset) / paletteEntry));
  const colours = Math.min(header.colours, available);
  if (colours === 0) throw new BmpDecodeError('its BMP colour table is missing');
  const palette = new Uint8Array(256 * 3);
  for (let i = 0; i < colours; i++) {
    const at = paletteOffset + i * paletteEntry;
    palette[i * 3] = bytes[at + 2];
    palette[i * 3 + 1] = bytes[at + 1];
    palette[i * 3 + 2] = bytes[at];
  }
  return palette;
}

/** Output row of stored row `row` (rows are stored bottom-up unless the height is negative). */
function outputRow(header: Header, row: number): number {
  return header.topDown ? row : header.height - 1 - row;
}

function decodeUncompressed(bytes: Uint8Array, view: DataView, header: Header, out: Output): void {
  const { width, height, bitCount } = header;
  const stride = Math.floor((bitCount * width + 31) / 32) * 4;
  // The last row needs only its pixels, not its padding.
  const needed = header.pixelOffset + stride * (height - 1) + Math.ceil((bitCount * width) / 8);
  if (needed > bytes.length) throw new BmpDecodeError(`the file is cut short (truncated): its pixels need ${needed} bytes, it has ${bytes.length}`);
  const palette = bitCount <= 8 ? readPalette(bytes, header) : null;
  const masks = header.masks;
  const [r, g, b, a] = masks ? [channel(masks.r), channel(masks.g), channel(masks.b), channel(masks.a)] : [];
  const { pixels, channels } = out;
  for (let row = 0; row < height; row++) {
    const start = header.pixelOffset + row * stride;
    let at = outputRow(header, row) * width * channels;
    for (let x = 0; x < width; x++, at += channels) {
      if (palette) {
        const bit = x * bitCount;
        const index = (bytes[start + (bit >> 3)] >> (8 - bitCount - (bit & 7))) & ((1 << bitCount) - 1);
        pixels[at] = palette[index * 3];
        pixels[at + 1] = palette[index * 3 + 1];
        pixels[at + 2] = palette[index * 3 + 2];
      } else if (bitCount === 24 || (bitCount === 32 && !masks)) {
        const from = start + x * (bitCount / 8);
        pixels[at] = bytes[from + 2];
        pixels[at + 1] = bytes[from + 1];
        pixels[at + 2] = bytes[from];
      } else {
        const value = bitCount === 16 ? view.getUint16(start + x * 2, true) : view.getUint32(start + x * 4, true);
        pixels[at] = read(r!, value, 0);
        pixels[at + 1] = read(g!, value, 0);
        pixels[at + 2] = read(b!, value, 0);
        if (channels === 4) pixels[at + 3] = read(a!, value, 255);
      }
    }
  }
}

/** RLE8 / RLE4: runs and literal stretches of palette indices; pixels the stream skips stay black. */
function decodeRle(bytes: Uint8Array, header: Header, out: Output): void {
  const { width, height, bitCount } = header;
  const palette = readPalette(bytes, header);
  const { pixels } = out;
  const put = (x: number, row: number, index: number): void => {
    if (x >= width || row >= height) return;
    const at = (outputRow(header, row) * width + x) * 3;
    pixels[at] = palette[index * 3];
    pixels[at + 1] = palette[index * 3 + 1];
    pixels[at + 2] = palette[index * 3 + 2];
  };
  const nibble = (byte: number, i: number): number => (i % 2 === 0 ? byte >> 4 : byte & 15);
  let at = header.pixelOffset;
  let x = 0;
  let row = 0;
  const truncated = (): never => {
    throw new BmpDecodeError('the file is cut short (truncated): its compressed pixels end before the end-of-bitmap mark');
  };
  while (row < height) {
    if (at + 2 > bytes.length) truncated();
    const count = bytes[at];
    const value = bytes[at + 1];
    at += 2;
    if (count > 0) {
      for (let i = 0; i < count; i++) put(x++, row, bitCount === 8 ? value : nibble(value, i));
    } else if (value === 0) {
      x = 0;
      row++;
    } else if (value === 1) {
      return;
    } else if (value === 2) {
      if (at + 2 > bytes.length) truncated();
      x += bytes[at];
      row += bytes[at + 1];
      at += 2;
    } else {
      const length = bitCount === 8 ? value : Math.ceil(value / 2);
      if (at + length > bytes.length) truncated();
      for (let i = 0; i < value; i++) put(x++, row, bitCount === 8 ? bytes[at + i] : nibble(bytes[at + (i >> 1)], i));
      at += length + (length % 2); // literal stretches are padded to 16 bits
    }
  }
}

/** Decodes a whole BMP file. Throws BmpDecodeError with a reason a user can act on. */
export function decodeBmp(bytes: Uint8Array, options: { maxPixels: number }): DecodedBmp {
  if (!looksLikeBmp(bytes)) throw new BmpDecodeError('it is not a BMP file (it does not start with "BM")');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = parseHeader(view, options.maxPixels);
  if (header.pixelOffset >= bytes.length) throw new BmpDecodeError('the file is cut short (truncated): it ends before its pixels');
  const channels = header.masks !== null && header.masks.a !== 0 ? 4 : 3;
  const out: Output = { channels, pixels: new Uint8Array(header.width * header.height * channels) };
  if (header.compression === BI_RLE8 || header.compression === BI_RLE4) decodeRle(bytes, header, out);
  else decodeUncompressed(bytes, view, header, out);
  return { width: header.width, height: header.height, ...out };
}
