/**
 * Decodes one image file to height*width*3 RGB bytes (row-major, HWC), the way Keras
 * image_dataset_from_directory reads an image: decode, 3 channels, bilinear resize to exactly the size
 * (aspect ratio not kept).
 *
 * With sharp (and bmpDecoder.ts for BMP, which sharp cannot read): EXIF orientation applied, first frame only of animated images, any colour space / bit depth
 * (grey, CMYK, 16-bit, palette) converted to 8-bit sRGB, alpha flattened on black. JPEGs use shrink-on-load,
 * so a very large photo never needs its full-size pixels in memory.
 */
import { readFile, stat } from 'node:fs/promises';
import sharp from 'sharp';
import { UserError } from '../util/errors';
import { BmpDecodeError, decodeBmp, looksLikeBmp, type DecodedBmp } from './bmpDecoder';
import { describeDecodeFailure, readFileStart } from './decodeFailure';

/** Enough for a 16384 x 16384 image (12000 x 12000 photos are fine). */
export const MAX_INPUT_PIXELS = 16384 * 16384;

export interface DecodeImageOptions {
  file: string;
  height: number;
  width: number;
}

/** Throws UserError('bad-setting') unless height and width are whole numbers of pixels in 1..16384. */
export function checkImageSize(options: { height: number; width: number }): void {
  for (const key of ['height', 'width'] as const) {
    const value = options[key];
    if (!Number.isSafeInteger(value) || value < 1 || value > 16384) {
      throw new UserError('bad-setting', `The image ${key} ${value} is not valid: use a whole number of pixels from 1 to 16384 (e.g. 180).`);
    }
  }
}

/** An image file that cannot be decoded: `reason` says why without naming the file (e.g. for a skipped-files list). */
export class ImageDecodeError extends UserError {
  readonly file: string;
  readonly reason: string;

  constructor(options: { file: string; reason: string }) {
    super('bad-data', `Cannot decode ${options.file}: ${options.reason}. Replace it with a readable JPEG, PNG, GIF, BMP or WebP image, or remove it.`);
    this.name = 'ImageDecodeError';
    this.file = options.file;
    this.reason = options.reason;
  }
}

/** Copies an image with 1..4 interleaved channels into exactly 3 channels (grey repeated, extra channels dropped). */
function toRgb(data: Uint8Array, channels: number, pixels: number): Uint8Array {
  if (channels === 3) return data;
  const out = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    const from = i * channels;
    if (channels < 3) {
      out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = data[from];
    } else {
      out[i * 3] = data[from];
      out[i * 3 + 1] = data[from + 1];
      out[i * 3 + 2] = data[from + 2];
    }
  }
  return out;
}

/** The common steps after decoding: orientation, alpha on black, bilinear resize, 8-bit sRGB, raw bytes. */
function toRawResized(image: sharp.Sharp, options: { width: number; height: number }): Promise<{ data: Buffer; info: sharp.OutputInfo }> {
  return image
    .rotate()
    .flatten({ background: { r: 0, g: 0, b: 0 } })
    .resize({ width: options.width, height: options.height, fit: 'fill', kernel: 'linear' })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
}

/** A BMP file (sharp cannot read BMP): decoded by bmpDecoder.ts, then through the same steps. */
async function decodeBmpFile(options: DecodeImageOptions): Promise<{ data: Buffer; info: sharp.OutputInfo }> {
  const { file } = options;
  let bmp: DecodedBmp;
  try {
    bmp = decodeBmp(await readFile(file), { maxPixels: MAX_INPUT_PIXELS });
  } catch (error) {
    if (error instanceof BmpDecodeError) throw new ImageDecodeError({ file, reason: error.reason });
    throw new ImageDecodeError({ file, reason: await describeDecodeFailure({ file, error }) });
  }
  return toRawResized(sharp(bmp.pixels, { raw: { width: bmp.width, height: bmp.height, channels: bmp.channels } }), options);
}

async function isBmpFile(file: string): Promise<boolean> {
  try {
    return looksLikeBmp(await readFileStart(file));
  } catch {
    return false;
  }
}

/**
 * Refuses what is not a regular file before anything opens it: opening a named pipe blocks until a writer
 * comes, and a blocked read keeps even a terminated process alive. (stat does not open the file.)
 */
async function checkRegularFile(file: string): Promise<void> {
  let stats;
  try {
    stats = await stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ImageDecodeError({ file, reason: code === 'ENOENT' ? 'the file does not exist' : `it cannot be read (${code ?? String(error)})` });
  }
  if (stats.isFile()) return;
  const what = stats.isFIFO() ? 'a named pipe' : stats.isSocket() ? 'a socket' : stats.isDirectory() ? 'a folder' : 'a device';
  throw new ImageDecodeError({ file, reason: `it is ${what}, not an image file` });
}

export async function decodeImage(options: DecodeImageOptions): Promise<Uint8Array> {
  checkImageSize(options);
  const { file, height, width } = options;
  await checkRegularFile(file);
  let result: { data: Buffer; info: sharp.OutputInfo };
  try {
    result = await toRawResized(sharp(file, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS, animated: false, sequentialRead: true }), options);
  } catch (error) {
    // sharp reads no BMP; the file's first bytes, not its name, say whether it is one.
    if (!(await isBmpFile(file))) throw new ImageDecodeError({ file, reason: await describeDecodeFailure({ file, error }) });
    result = await decodeBmpFile(options);
  }
  const { data, info } = result;
  if (info.width !== width || info.height !== height || data.length !== width * height * info.channels) {
    throw new Error(`decodeImage: sharp returned ${info.width}x${info.height}x${info.channels} for ${file}, expected ${width}x${height}`);
  }
  return toRgb(new Uint8Array(data.buffer, data.byteOffset, data.length), info.channels, width * height);
}
