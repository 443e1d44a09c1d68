/**
 * Writes augmented versions of one image as PNGs, like the seed's 3x3 grid of 9 augmented
 * versions of one training image. Writes only inside `outDir` (created if needed), each file atomically.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from '../util/atomicWrite';
import { Rng } from '../util/rng';
import { type AugmentationConfig, augmentImage, drawAugmentationParams, validateAugmentationConfig } from './augmentation';
import { makeDirectory } from '../util/makeDirectory';

const GRID_COLUMNS = 3;
const GRID_GAP = 4;
const GRID_BACKGROUND = 255;

export async function writeAugmentationPreview(options: {
  image: Uint8Array;
  height: number;
  width: number;
  count: number;
  config: AugmentationConfig;
  seed: number;
  outDir: string;
  grid?: boolean;
}): Promise<{ files: string[]; gridFile?: string }> {
  const { image, height, width, count, config, seed, outDir } = options;
  const channels = 3;
  const size = height * width * channels;
  if (!(Number.isInteger(height) && Number.isInteger(width) && height > 0 && width > 0)) {
    throw new Error(`writeAugmentationPreview: bad image size ${height}x${width}`);
  }
  if (image.length !== size) {
    throw new Error(`writeAugmentationPreview: image has ${image.length} values, expected ${height}x${width}x3 = ${size}`);
  }
  if (!Number.isInteger(count) || count < 1) throw new Error(`writeAugmentationPreview: bad count ${count}`);
  validateAugmentationConfig(config);

  makeDirectory(outDir);
  const rng = new Rng(seed);
  const work = new Float32Array(size);
  const versions: Uint8Array[] = [];
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const params = drawAugmentationParams(config, rng);
    augmentImage({ src: image, height, width, channels, params, dst: work });
    const bytes = new Uint8Array(size);
    for (let k = 0; k < size; k++) {
      const v = Math.round(work[k]);
      bytes[k] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    versions.push(bytes);
    const file = join(outDir, `augmented-${i + 1}.png`);
    writeFileAtomic(file, await sharp(bytes, { raw: { width, height, channels } }).png().toBuffer());
    files.push(file);
  }

  if (!options.grid) return { files };

  const columns = Math.min(GRID_COLUMNS, count);
  const rows = Math.ceil(count / GRID_COLUMNS);
  const gridWidth = columns * width + (columns - 1) * GRID_GAP;
  const gridHeight = rows * height + (rows - 1) * GRID_GAP;
  const grid = new Uint8Array(gridWidth * gridHeight * channels).fill(GRID_BACKGROUND);
  const tileRow = width * channels;
  for (let i = 0; i < count; i++) {
    const left = (i % GRID_COLUMNS) * (width + GRID_GAP);
    const top = Math.floor(i / GRID_COLUMNS) * (height + GRID_GAP);
    const tile = versions[i];
    for (let y = 0; y < height; y++) {
      grid.set(tile.subarray(y * tileRow, (y + 1) * tileRow), ((top + y) * gridWidth + left) * channels);
    }
  }
  const gridFile = join(outDir, 'grid.png');
  writeFileAtomic(gridFile, await sharp(grid, { raw: { width: gridWidth, height: gridHeight, channels } }).png().toBuffer());
  return { files, gridFile };
}
