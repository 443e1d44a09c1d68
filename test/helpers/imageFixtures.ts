/**
 * Image files for the reliability tests, made by the tests themselves: solid-colour images in any
 * format sharp writes, class folders of them, and the bad files real folders hold.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

export type Rgb = [number, number, number];

export async function writeImage(options: { file: string; colour?: Rgb; width?: number; height?: number; format?: 'png' | 'jpeg' | 'gif' | 'webp' }): Promise<string> {
  const { file, colour = [200, 40, 40], width = 8, height = 8, format = 'png' } = options;
  mkdirSync(dirname(file), { recursive: true });
  const [r, g, b] = colour;
  // Streamed encoding (no Huffman optimisation, light PNG compression): a 12000 x 12000 image is made in ~100 MB.
  const encoding = format === 'jpeg' ? { optimiseCoding: false } : format === 'png' ? { compressionLevel: 1 } : {};
  await sharp({ create: { width, height, channels: 3, background: { r, g, b } } }).toFormat(format, encoding).toFile(file);
  return file;
}

/** `root/<class>/<prefix><i>.png` for i = 1..count, each class its own colour (slightly varied). */
export async function writeClassFolders(options: { root: string; classes: Record<string, number>; prefix?: string }): Promise<string> {
  const { root, classes, prefix = 'img-' } = options;
  const names = Object.keys(classes);
  for (const [k, name] of names.entries()) {
    const base: Rgb = [[220, 30, 30], [30, 30, 220], [30, 200, 30], [200, 200, 30]][k % 4] as Rgb;
    for (let i = 1; i <= classes[name]; i++) {
      await writeImage({ file: join(root, name, `${prefix}${i}.png`), colour: [base[0], (base[1] + 7 * i) % 256, base[2]] });
    }
  }
  return root;
}

/** A JPEG cut off at half its bytes (an interrupted download). */
export async function writeTruncatedJpeg(file: string): Promise<string> {
  mkdirSync(dirname(file), { recursive: true });
  const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 9, g: 99, b: 199 } } }).jpeg().toBuffer();
  writeFileSync(file, jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  return file;
}

/** Raw pixels built by `at(x, y)` with `channels` bytes per pixel. */
export function rawPixels(width: number, height: number, channels: 1 | 2 | 3 | 4, at: (x: number, y: number) => number[]): Buffer {
  const data = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(at(x, y), (y * width + x) * channels);
  return data;
}

export async function writeGreyPng(file: string, level: number): Promise<string> {
  mkdirSync(dirname(file), { recursive: true });
  await sharp(rawPixels(10, 10, 1, () => [level]), { raw: { width: 10, height: 10, channels: 1 } }).png().toFile(file);
  return file;
}

/** Left half opaque `colour`, right half fully transparent. */
export async function writeRgbaPng(file: string, colour: Rgb): Promise<string> {
  mkdirSync(dirname(file), { recursive: true });
  await sharp(rawPixels(10, 10, 4, (x) => (x < 5 ? [...colour, 255] : [0, 255, 0, 0])), { raw: { width: 10, height: 10, channels: 4 } }).png().toFile(file);
  return file;
}

export async function write16BitPng(file: string, colour: Rgb): Promise<string> {
  mkdirSync(dirname(file), { recursive: true });
  await sharp(rawPixels(10, 10, 3, () => colour), { raw: { width: 10, height: 10, channels: 3 } }).toColourspace('rgb16').png().toFile(file);
  return file;
}

export async function writeCmykJpeg(file: string, colour: Rgb): Promise<string> {
  mkdirSync(dirname(file), { recursive: true });
  await sharp(rawPixels(16, 16, 3, () => colour), { raw: { width: 16, height: 16, channels: 3 } }).toColourspace('cmyk').jpeg().toFile(file);
  return file;
}

/** Two frames: `first`, then `second`. */
export async function writeAnimatedGif(file: string, first: Rgb, second: Rgb): Promise<string> {
  mkdirSync(dirname(file), { recursive: true });
  const frame = (c: Rgb) => sharp({ create: { width: 8, height: 8, channels: 3, background: { r: c[0], g: c[1], b: c[2] } } }).png().toBuffer();
  await sharp([await frame(first), await frame(second)], { join: { animated: true } }).gif().toFile(file);
  return file;
}

/**
 * A tiny PNG whose header claims width x height pixels (a "decompression bomb"): the decoder must refuse
 * it from the header, before allocating anything.
 */
export async function writePngClaiming(file: string, width: number, height: number): Promise<string> {
  const { crc32 } = await import('node:zlib');
  mkdirSync(dirname(file), { recursive: true });
  const png = await sharp({ create: { width: 1, height: 1, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toBuffer();
  // IHDR: length (4) 'IHDR' (4) width (4) height (4) ... at offset 8; its CRC covers type + data (17 bytes).
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29);
  writeFileSync(file, png);
  return file;
}
