/**
 * BMP files (issue 2 lists BMP; sharp cannot read it): every header version, bit depth and compression a
 * photo folder may hold decodes to the right pixels, through decodeImage like any other image; broken
 * ones are refused with a reason a person can act on.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { BmpDecodeError, decodeBmp, type DecodedBmp } from '../../src/trainer/data/bmpDecoder';
import { decodeImage, ImageDecodeError, MAX_INPUT_PIXELS } from '../../src/trainer/data/decodeImage';
import { loadImageFolder } from '../../src/trainer/data/imageFolder';
import { encodeBmp, encodeBmpHeaderOnly, encodeRleBmp, type BmpLayout, type Rgba } from '../helpers/bmpFiles';

const LIMIT = { maxPixels: MAX_INPUT_PIXELS };
const RED: Rgba = [255, 0, 0, 255];
const GREEN: Rgba = [0, 255, 0, 255];
const BLUE: Rgba = [0, 0, 255, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const BLACK: Rgba = [0, 0, 0, 255];
const PALETTE = [BLACK, RED, GREEN, BLUE, WHITE];

/** A picture with different colours in every row and column, so flips and offsets show. */
const corners = (width: number, height: number) => (x: number, y: number): Rgba =>
  x === 0 && y === 0 ? RED : x === width - 1 && y === 0 ? GREEN : x === 0 && y === height - 1 ? BLUE : y === height - 1 ? WHITE : BLACK;

/** A smooth picture (every channel value differs), for the true-colour layouts. */
const gradient = (x: number, y: number): Rgba => [(x * 37 + y * 11) % 256, (x * 7 + y * 53) % 256, (x * 91 + y * 5) % 256, 255];

function pixels(layout: Pick<BmpLayout, 'width' | 'height' | 'at'>): number[] {
  const out: number[] = [];
  for (let y = 0; y < layout.height; y++) for (let x = 0; x < layout.width; x++) out.push(...layout.at(x, y));
  return out;
}

/** The decoded pixels as RGBA (an RGB result gets alpha 255), to compare with the pictures above. */
function rgbaOf(bmp: DecodedBmp): number[] {
  if (bmp.channels === 4) return Array.from(bmp.pixels);
  const out: number[] = [];
  for (let i = 0; i < bmp.pixels.length; i += 3) out.push(bmp.pixels[i], bmp.pixels[i + 1], bmp.pixels[i + 2], 255);
  return out;
}

function decoded(file: Buffer): number[] {
  return rgbaOf(decodeBmp(file, LIMIT));
}

function refusal(file: Buffer): string {
  try {
    decodeBmp(file, LIMIT);
  } catch (error) {
    assert.ok(error instanceof BmpDecodeError, String(error));
    return error.reason;
  }
  assert.fail('decoded without complaint');
}

describe('BMP decoder: layouts', () => {
  it('24-bit, bottom-up, rows padded to 4 bytes (width 3 and 5)', () => {
    for (const width of [3, 5]) {
      const layout = { width, height: 4, at: corners(width, 4) };
      const bmp = decodeBmp(encodeBmp({ ...layout, bitCount: 24 }), LIMIT);
      assert.deepEqual([bmp.width, bmp.height, bmp.channels], [width, 4, 3]);
      assert.deepEqual(rgbaOf(bmp), pixels(layout));
    }
  });

  it('24-bit top-down (negative height) and 24-bit with V4 and V5 headers', () => {
    const layout = { width: 7, height: 3, at: gradient };
    assert.deepEqual(decoded(encodeBmp({ ...layout, bitCount: 24, topDown: true })), pixels(layout));
    assert.deepEqual(decoded(encodeBmp({ ...layout, bitCount: 24, headerSize: 108 })), pixels(layout));
    assert.deepEqual(decoded(encodeBmp({ ...layout, bitCount: 24, headerSize: 124, topDown: true })), pixels(layout));
  });

  it('32-bit BI_RGB (BGRX): the fourth byte is not alpha, every pixel is opaque', () => {
    const layout = { width: 4, height: 2, at: gradient };
    const bmp = decodeBmp(encodeBmp({ ...layout, bitCount: 32 }), LIMIT);
    assert.equal(bmp.channels, 3);
    assert.deepEqual(rgbaOf(bmp), pixels(layout));
  });

  it('32-bit bit fields with an alpha mask (V5, as GIMP writes with alpha): RGBA kept', () => {
    const at = (x: number, y: number): Rgba => [...gradient(x, y).slice(0, 3), (x * 60 + y * 20) % 256] as Rgba;
    const layout = { width: 4, height: 3, at };
    const bmp = decodeBmp(encodeBmp({ ...layout, bitCount: 32, headerSize: 124, masks: { r: 0x00ff0000, g: 0x0000ff00, b: 0x000000ff, a: 0xff000000 } }), LIMIT);
    assert.equal(bmp.channels, 4);
    assert.deepEqual(rgbaOf(bmp), pixels(layout));
  });

  it('16-bit: the default 5-5-5 and 5-6-5 bit fields, scaled to 0..255', () => {
    const colours: Rgba[] = [WHITE, RED, GREEN, BLUE, BLACK, [132, 66, 198, 255]];
    const at = (x: number): Rgba => colours[x];
    const expand = (v: number, bits: number) => Math.round((Math.round((v * ((1 << bits) - 1)) / 255) * 255) / ((1 << bits) - 1));
    const rgb555 = decoded(encodeBmp({ width: 6, height: 1, at, bitCount: 16 }));
    assert.deepEqual(rgb555, colours.flatMap(([r, g, b]) => [expand(r, 5), expand(g, 5), expand(b, 5), 255]));
    const rgb565 = decoded(encodeBmp({ width: 6, height: 1, at, bitCount: 16, masks: { r: 0xf800, g: 0x07e0, b: 0x001f } }));
    assert.deepEqual(rgb565, colours.flatMap(([r, g, b]) => [expand(r, 5), expand(g, 6), expand(b, 5), 255]));
    assert.deepEqual(rgb565.slice(4, 8), [255, 0, 0, 255], 'pure red stays pure red');
  });

  it('palettes: 8, 4, 2 and 1 bits per pixel, odd widths (indices packed high bits first)', () => {
    for (const bitCount of [8, 4, 2, 1] as const) {
      const palette = bitCount === 1 ? [BLACK, WHITE] : bitCount === 2 ? [BLACK, RED, GREEN, WHITE] : PALETTE;
      const at = (x: number, y: number): Rgba => palette[(x + 2 * y) % palette.length];
      const layout = { width: 11, height: 3, at };
      assert.deepEqual(decoded(encodeBmp({ ...layout, bitCount, palette })), pixels(layout), `${bitCount} bits`);
    }
  });

  it('OS/2 core header (12 bytes, 3-byte palette entries), 8-bit and 24-bit', () => {
    const layout = { width: 5, height: 4, at: corners(5, 4) };
    assert.deepEqual(decoded(encodeBmp({ ...layout, bitCount: 8, headerSize: 12, palette: PALETTE })), pixels(layout));
    assert.deepEqual(decoded(encodeBmp({ ...layout, bitCount: 24, headerSize: 12 })), pixels(layout));
  });

  it('RLE8: runs, a literal stretch (padded to 16 bits), end of line, a delta, end of bitmap; skipped pixels black', () => {
    // 6 x 3, stored bottom-up: the stream's first line is the picture's last row.
    const stream = [
      3, 1, 0, 3, 2, 3, 4, 0, // bottom row: 3 x red, literal [green, blue, white] + pad
      0, 0, // end of line (the row is complete)
      2, 2, 0, 2, 3, 0, // middle row: 2 x green, then a delta of 3 right, 0 up
      1, 4, 0, 0, // 1 x white at x = 5; end of line
      6, 3, // top row: 6 x blue
      0, 1, // end of bitmap
    ];
    const bmp = decodeBmp(encodeRleBmp({ width: 6, height: 3, bitCount: 8, palette: PALETTE, stream }), LIMIT);
    const row = (colours: Rgba[]) => colours.flat();
    assert.deepEqual(rgbaOf(bmp), [
      ...row([BLUE, BLUE, BLUE, BLUE, BLUE, BLUE]),
      ...row([GREEN, GREEN, BLACK, BLACK, BLACK, WHITE]),
      ...row([RED, RED, RED, GREEN, BLUE, WHITE]),
    ]);
  });

  it('RLE4: runs alternate two indices, literal nibbles, end of bitmap before the last row', () => {
    const stream = [
      5, 0x12, 0, 3, 0x34, 0x10, // 5 pixels alternating red/green, then literal [blue, white, red] + pad
      0, 0,
      0, 1, // end of bitmap: the top row stays black
    ];
    const bmp = decodeBmp(encodeRleBmp({ width: 8, height: 2, bitCount: 4, palette: PALETTE, stream }), LIMIT);
    assert.deepEqual(rgbaOf(bmp), [
      ...Array.from({ length: 8 }, () => BLACK).flat(),
      ...[RED, GREEN, RED, GREEN, RED, BLUE, WHITE, RED].flat(),
    ]);
  });
});

describe('BMP decoder: refusals say why', () => {
  const good = () => encodeBmp({ width: 8, height: 8, at: gradient, bitCount: 24 });

  it('a file cut short inside the pixels, the header or an RLE stream', () => {
    assert.match(refusal(good().subarray(0, 100)), /^the file is cut short \(truncated\): its pixels need 246 bytes, it has 100$/);
    assert.match(refusal(good().subarray(0, 20)), /^the file is cut short \(truncated\): it ends inside the BMP header$/);
    const rle = encodeRleBmp({ width: 4, height: 2, bitCount: 8, palette: PALETTE, stream: [4, 1, 0, 0, 4, 2] });
    assert.match(refusal(rle), /cut short \(truncated\): its compressed pixels end before the end-of-bitmap mark/);
  });

  it('an embedded JPEG or PNG, an unknown compression or bit depth, a zero size, a decompression bomb', () => {
    assert.match(refusal(encodeBmpHeaderOnly({ width: 8, height: 8, bitCount: 24, compression: 4 })), /a BMP with a JPEG image inside, which is not supported: save it as a plain JPEG or PNG/);
    assert.match(refusal(encodeBmpHeaderOnly({ width: 8, height: 8, bitCount: 24, compression: 5 })), /a BMP with a PNG image inside/);
    assert.match(refusal(encodeBmpHeaderOnly({ width: 8, height: 8, bitCount: 24, compression: 9 })), /compression type 9 is not supported: convert it to PNG or JPEG/);
    assert.match(refusal(encodeBmpHeaderOnly({ width: 8, height: 8, bitCount: 64, compression: 0 })), /bit depth 64 is not supported/);
    assert.match(refusal(encodeBmpHeaderOnly({ width: 0, height: 8, bitCount: 24, compression: 0 })), /its size 0 x 8 is not valid/);
    assert.match(refusal(encodeBmpHeaderOnly({ width: 20000, height: 20000, bitCount: 24, compression: 0 })), /too many pixels \(more than 16384 x 16384\)/);
  });
});

describe('BMP files through decodeImage and a class folder', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sc-bmp-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('decodes and resizes exactly like the same pixels stored as PNG', async () => {
    const layout = { width: 23, height: 17, at: gradient };
    writeFileSync(join(dir, 'photo.bmp'), encodeBmp({ ...layout, bitCount: 24 }));
    const rgb = Buffer.from(pixels(layout).filter((_, i) => i % 4 !== 3));
    await sharp(rgb, { raw: { width: 23, height: 17, channels: 3 } }).png().toFile(join(dir, 'photo.png'));
    for (const size of [{ height: 17, width: 23 }, { height: 9, width: 12 }, { height: 40, width: 40 }]) {
      const fromBmp = await decodeImage({ file: join(dir, 'photo.bmp'), ...size });
      const fromPng = await decodeImage({ file: join(dir, 'photo.png'), ...size });
      assert.deepEqual(fromBmp, fromPng, `${size.width}x${size.height}`);
    }
  });

  it('alpha is flattened on black, as for PNG', async () => {
    writeFileSync(join(dir, 'half.bmp'), encodeBmp({ width: 2, height: 2, at: () => [200, 100, 50, 128], bitCount: 32, headerSize: 108, masks: { r: 0xff0000, g: 0xff00, b: 0xff, a: 0xff000000 } }));
    const rgb = await decodeImage({ file: join(dir, 'half.bmp'), height: 2, width: 2 });
    assert.deepEqual(Array.from(rgb.subarray(0, 3)), [100, 50, 25]);
  });

  it('a BMP named .jpg is still read (the content decides); a broken BMP names the file and the reason', async () => {
    writeFileSync(join(dir, 'misnamed.jpg'), encodeBmp({ width: 4, height: 4, at: () => RED, bitCount: 24 }));
    assert.deepEqual(Array.from((await decodeImage({ file: join(dir, 'misnamed.jpg'), height: 1, width: 1 })).subarray(0, 3)), [255, 0, 0]);
    const broken = join(dir, 'broken.bmp');
    writeFileSync(broken, encodeBmp({ width: 40, height: 40, at: gradient, bitCount: 24 }).subarray(0, 900));
    await assert.rejects(decodeImage({ file: broken, height: 8, width: 8 }), (error: unknown) => {
      assert.ok(error instanceof ImageDecodeError);
      assert.match(error.message, new RegExp(`^Cannot decode ${broken}: the file is cut short \\(truncated\\): its pixels need \\d+ bytes, it has 900\\. Replace it with a readable JPEG, PNG, GIF, BMP or WebP image, or remove it\\.$`));
      return true;
    });
  });

  it('a class folder of BMPs loads like image_dataset_from_directory', async () => {
    const root = join(dir, 'folder');
    for (const [cls, colour] of [['cat', RED], ['dog', BLUE]] as const) {
      mkdirSync(join(root, cls), { recursive: true });
      for (let i = 1; i <= 2; i++) writeFileSync(join(root, cls, `${cls}.${i}.bmp`), encodeBmp({ width: 5, height: 3, at: () => colour, bitCount: 8, palette: PALETTE }));
    }
    const data = await loadImageFolder({ dir: root, height: 4, width: 4 });
    assert.deepEqual(data.classNames, ['cat', 'dog']);
    assert.deepEqual(Array.from(data.labels), [0, 0, 1, 1]);
    assert.deepEqual(Array.from(data.images.subarray(0, 3)), [255, 0, 0]);
    assert.deepEqual(Array.from(data.images.subarray(data.images.length - 3)), [0, 0, 255]);
  });
});
