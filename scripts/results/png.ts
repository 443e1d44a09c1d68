/** Rasterises an SVG document to a PNG file with sharp (librsvg), written atomically. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from '../../src/trainer/util/atomicWrite';

export interface SvgToPngOptions {
  svg: string;
  file: string;
}

/** The PNG bytes of `svg`, one SVG pixel per image pixel (72 dpi, librsvg's unit). */
export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg, 'utf8'), { density: 72 }).png({ compressionLevel: 9 }).toBuffer();
}

/** Writes `svg` as a PNG to `file` (creating its folder). */
export async function writeSvgAsPng(options: SvgToPngOptions): Promise<void> {
  const png = await svgToPng(options.svg);
  mkdirSync(dirname(options.file), { recursive: true });
  writeFileAtomic(options.file, png);
}
