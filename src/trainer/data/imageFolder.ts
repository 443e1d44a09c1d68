/**
 * Loads a folder with one sub-folder per class into memory, like Keras image_dataset_from_directory:
 * classes = sub-folder names sorted alphabetically, label = class index, images resized to height x width RGB.
 * Files that cannot be decoded are skipped (and listed); the rest still load.
 */
import * as path from 'node:path';
import { UserError } from '../util/errors';
import { checkImageSize, decodeImage, ImageDecodeError } from './decodeImage';
import { scanClassFolders, type ClassFolderScan, type SkippedFile } from './sourceScan';

export interface ImageFolderDataset {
  classNames: string[];
  count: number;
  height: number;
  width: number;
  /** count*height*width*3 bytes, NHWC, RGB 0..255. */
  images: Uint8Array;
  /** Class index per image. */
  labels: Int32Array;
  /** Absolute path per image. */
  files: string[];
  /** Entries not loaded, with the reason (paths absolute). */
  skipped: SkippedFile[];
}

export interface LoadImageFolderOptions {
  dir: string;
  /** The folder's scan when the caller already made it (e.g. to count the images first). */
  scan?: ClassFolderScan;
  height: number;
  width: number;
  /** Images decoded at the same time (default 4). */
  concurrency?: number;
  onProgress?: (progress: { decoded: number; total: number }) => void;
  signal?: AbortSignal;
}

const DEFAULT_CONCURRENCY = 4;

export async function loadImageFolder(options: LoadImageFolderOptions): Promise<ImageFolderDataset> {
  const { height, width, onProgress, signal } = options;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new UserError('bad-setting', `The decode concurrency ${concurrency} is not valid: use a whole number of at least 1 (e.g. 4).`);
  }
  checkImageSize({ height, width });
  signal?.throwIfAborted();
  const scan = options.scan ?? (await scanClassFolders({ dir: options.dir }));
  const classNames = scan.classes.map((c) => c.name);
  const candidates: { file: string; label: number }[] = [];
  scan.classes.forEach((c, label) => {
    for (const file of c.files) candidates.push({ file: path.join(scan.dir, file), label });
  });
  if (candidates.length === 0) {
    throw new UserError(
      'not-found',
      `No images found in ${scan.dir}` +
        (classNames.length > 0 ? ` (class folders: ${classNames.join(', ')})` : '') +
        '. Expected one sub-folder per class holding .jpg/.png images; run the prepare step first if this is a prepared split.',
    );
  }

  const frame = height * width * 3;
  const total = candidates.length;
  const images = new Uint8Array(total * frame);
  const ok = new Array<boolean>(total).fill(false);
  const failures = new Map<number, string>();
  let next = 0;
  let decoded = 0;
  let aborted = false;
  onProgress?.({ decoded: 0, total });

  const worker = async (): Promise<void> => {
    while (!aborted && next < total) {
      const index = next++;
      if (signal?.aborted) {
        aborted = true;
        return;
      }
      try {
        const pixels = await decodeImage({ file: candidates[index].file, height, width });
        images.set(pixels, index * frame);
        ok[index] = true;
      } catch (error) {
        if (!(error instanceof UserError)) {
          aborted = true;
          throw error;
        }
        failures.set(index, error instanceof ImageDecodeError ? `cannot decode it: ${error.reason}` : error.message);
      }
      decoded++;
      onProgress?.({ decoded, total });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, () => worker()));
  signal?.throwIfAborted();

  // Close the gaps left by files that failed to decode, keeping the order.
  const files: string[] = [];
  const labels: number[] = [];
  const skipped: SkippedFile[] = scan.skipped.map((s) => ({ file: path.join(scan.dir, s.file), reason: s.reason }));
  for (let i = 0; i < total; i++) {
    if (!ok[i]) {
      skipped.push({ file: candidates[i].file, reason: failures.get(i) ?? 'not decoded' });
      continue;
    }
    if (files.length !== i) images.copyWithin(files.length * frame, i * frame, (i + 1) * frame);
    files.push(candidates[i].file);
    labels.push(candidates[i].label);
  }
  if (files.length === 0) {
    throw new UserError(
      'bad-data',
      `None of the ${total} images in ${scan.dir} could be decoded (the first, ${candidates[0].file}: ${failures.get(0) ?? 'not decoded'}). ` +
        'Check that they are JPEG, PNG, GIF, BMP or WebP images.',
    );
  }
  const count = files.length;
  return {
    classNames,
    count,
    height,
    width,
    images: count === total ? images : images.slice(0, count * frame),
    labels: Int32Array.from(labels),
    files,
    skipped,
  };
}
